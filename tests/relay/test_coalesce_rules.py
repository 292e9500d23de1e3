"""When lines queued toward Osoto merge (`coalesce.osoto_pressed`)."""

from __future__ import annotations

from osoto_bridge.relay.coalesce import osoto_pressed


def test_a_held_post_merges_what_queued_behind_it() -> None:
    assert osoto_pressed(2, ready=False, remaining=0)


def test_a_queue_that_would_take_half_the_keys_minute_merges() -> None:
    assert not osoto_pressed(8, ready=True, remaining=16)
    assert osoto_pressed(9, ready=True, remaining=16)


def test_a_long_queue_merges_however_generous_the_key() -> None:
    assert not osoto_pressed(10, ready=True, remaining=1_000_000)
    assert osoto_pressed(11, ready=True, remaining=1_000_000)


def test_four_quick_lines_go_one_by_one_even_on_a_spent_key() -> None:
    assert not osoto_pressed(4, ready=True, remaining=2)
    assert osoto_pressed(5, ready=True, remaining=2)
