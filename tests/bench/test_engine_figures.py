"""The engine benchmark's arithmetic: arrivals matched to lines by tag, losses and
doubles counted, latencies taken from the right copy."""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ only while importing: its relay.py would shadow the tests' relay package
_BENCH = str(Path(__file__).resolve().parents[2] / "bench")
sys.path.append(_BENCH)

from engine_figures import (  # noqa: E402
    Arrivals,
    Line,
    chat_to_chat,
    chat_to_osoto,
    delivery,
    last_arrival,
    osoto_to_chat,
    percentile,
    poll_breakdown,
)

sys.path.remove(_BENCH)


def test_each_copy_is_matched_to_its_line_and_missing_or_doubled_ones_are_counted() -> None:
    tg, sl, os_ = (
        Line(1, "telegram", 0, 100.0),
        Line(2, "slack", 0, 101.0),
        Line(3, "osoto", 0, 102.0),
    )
    received = [
        [100.5, "slack", "C0", f"Tess: {tg.text}"],
        [101.2, "telegram", "-1", f"Sam: {sl.text}"],
        [101.3, "telegram", "-1", f"Sam: {sl.text}"],  # doubled into Telegram
        [102.4, "telegram", "-1", f"Ben: {os_.text}"],  # never reached Slack
    ]
    posts = [(100.2, 201, [1]), (101.1, 429, [2]), (101.6, 201, [2])]
    stored = [f"**Tess** (Telegram): {tg.text}", f"**Sam** (Slack): {sl.text}", os_.text]
    got = Arrivals(received, posts, stored)
    assert [round(x, 3) for x in chat_to_chat([tg, sl, os_], got)] == [0.5, 0.2]
    assert [round(x, 3) for x in chat_to_osoto([tg, sl, os_], got)] == [0.2, 0.6]
    assert [round(x, 3) for x in osoto_to_chat([tg, sl, os_], got)] == [0.4]
    assert got.osoto_429 == 1
    assert delivery([tg, sl, os_], got) == {
        "missing_in_chat": 1,
        "missing_in_osoto": 0,
        "doubled_toward_osoto": 0,
        "doubled_in_chat": 1,
    }
    assert last_arrival([tg], got, "slack") == 100.5
    assert last_arrival([os_], got, "slack") is None


def test_a_line_stored_twice_in_osoto_is_doubled_and_one_never_posted_is_missing() -> None:
    a, b = Line(10, "telegram", 1, 0.0), Line(11, "telegram", 1, 0.0)
    got = Arrivals([], [(1.0, 201, [10]), (2.0, 201, [10])], [a.text, a.text])
    counts = delivery([a, b], got)
    assert (counts["doubled_toward_osoto"], counts["missing_in_osoto"]) == (1, 1)


def test_every_line_a_merged_message_carries_arrives_with_it() -> None:
    # coalescing: one chat message and one Osoto post hold three lines each
    lines = [Line(n, "telegram", 2, 50.0) for n in (30, 31, 32)]
    merged = "\n".join(f"Tess: {line.text}" for line in lines)
    got = Arrivals(
        [[51.0, "slack", "C2", merged]],
        [(50.5, 201, [30, 31, 32])],
        ["\n\n".join(line.text for line in lines)],
    )
    assert delivery(lines, got) == {
        "missing_in_chat": 0,
        "missing_in_osoto": 0,
        "doubled_toward_osoto": 0,
        "doubled_in_chat": 0,
    }
    assert [round(x, 3) for x in chat_to_chat(lines, got)] == [1.0, 1.0, 1.0]
    assert [round(x, 3) for x in chat_to_osoto(lines, got)] == [0.5, 0.5, 0.5]


def test_percentiles_take_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99)) == (50.0, 99.0)
    assert percentile([3.0], 0.99) == 3.0


def test_an_osoto_lines_wait_is_split_at_the_poll_that_found_it() -> None:
    first, second = Line(20, "osoto", 3, 10.0), Line(21, "osoto", 3, 14.0)
    received = [
        [11.6, "telegram", "-1", first.text],
        [11.8, "slack", "C", first.text],
        [16.1, "telegram", "-1", second.text],
        [16.1, "slack", "C", second.text],
    ]
    got = Arrivals(received, [], [first.text, second.text])
    # the poll finishing as the second line was written did not see it: the next did
    polls = {3: [9.0, 11.5, 14.0, 16.0]}
    found = poll_breakdown([first, second], got, polls)
    assert (found["wait_for_poll"]["n"], found["wait_for_poll"]["max_s"]) == (2, 2.0)
    assert found["poll_to_chat"]["max_s"] == 0.3
    # polls while the trip talked (10.0 to 14.0): 11.5 and 14.0, one gap
    assert found["poll_gap_while_talking"]["max_s"] == 2.5
