"""Cursors, chat offsets, inbound event dedup and link activity."""

from __future__ import annotations

import asyncio

import pytest
from storetest import AddLink, Backend, FakeClock

from osoto_bridge.store import NotFoundError, Store


async def test_cursors_per_channel(store: Store, clock: FakeClock) -> None:
    assert await store.get_cursor("t1", "c1") is None
    assert await store.cursor_state("t1", "c1") == (None, None)
    await store.set_cursor("t1", "c1", "cur-1")
    set_at = clock.now
    clock.advance(5)
    await store.set_cursor("t1", "c2", "other")
    assert await store.get_cursor("t1", "c1") == "cur-1"
    assert await store.cursor_state("t1", "c1") == ("cur-1", set_at)
    await store.set_cursor("t1", "c1", "cur-2")
    assert await store.cursor_state("t1", "c1") == ("cur-2", clock.now)
    assert await store.get_cursor("t1", "c2") == "other"
    assert await store.get_cursor("t2", "c1") is None


async def test_offsets(store: Store) -> None:
    assert await store.get_offset("telegram", "updates") is None
    await store.set_offset("telegram", "updates", "100")
    await store.set_offset("slack", "updates", "x")
    await store.set_offset("telegram", "updates", "101")
    assert await store.get_offset("telegram", "updates") == "101"
    assert await store.get_offset("slack", "updates") == "x"
    assert await store.get_offset("telegram", "other") is None


async def test_an_event_is_new_once(store: Store) -> None:
    assert await store.mark_event_seen("slack", "Ev1") is True
    assert await store.mark_event_seen("slack", "Ev1") is False
    assert await store.mark_event_seen("telegram", "Ev1") is True
    assert await store.mark_event_seen("slack", "Ev2") is True


async def test_checking_an_event_does_not_mark_it(store: Store) -> None:
    assert await store.is_event_seen("telegram", "42") is False
    assert await store.is_event_seen("telegram", "42") is False
    await store.mark_event_seen("telegram", "42")
    assert await store.is_event_seen("telegram", "42") is True
    assert await store.is_event_seen("slack", "42") is False


async def test_concurrent_marks_let_one_caller_through(store: Store) -> None:
    results = await asyncio.gather(*(store.mark_event_seen("slack", "Ev1") for _ in range(20)))
    assert results.count(True) == 1


async def test_two_replicas_let_one_caller_through(persistent_backend: Backend) -> None:
    async with persistent_backend.open() as first, persistent_backend.open() as second:
        results = await asyncio.gather(
            *(
                replica.mark_event_seen("telegram", str(update_id))
                for update_id in range(10)
                for replica in (first, second, first)
            )
        )
    assert results.count(True) == 10


async def test_prune_forgets_old_events_only(store: Store, clock: FakeClock) -> None:
    await store.mark_event_seen("slack", "old")
    clock.advance(3600)
    await store.mark_event_seen("slack", "new")
    clock.advance(10)
    assert await store.prune_seen_events(3600) == 1
    assert await store.prune_seen_events(3600) == 0
    assert await store.mark_event_seen("slack", "old") is True
    assert await store.mark_event_seen("slack", "new") is False


async def test_link_activity_each_way(store: Store, add_link: AddLink, clock: FakeClock) -> None:
    link = await add_link()
    assert await store.link_activity(link.id) == (None, None)
    await store.touch_link_activity(link.id, "in")
    first_in = clock.now
    assert await store.link_activity(link.id) == (first_in, None)
    clock.advance(7)
    await store.touch_link_activity(link.id, "out")
    assert await store.link_activity(link.id) == (first_in, clock.now)
    clock.advance(7)
    await store.touch_link_activity(link.id, "in")
    assert await store.link_activity(link.id) == (clock.now, clock.now - 7)


async def test_activity_of_an_unknown_link(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.touch_link_activity(404, "in")
    with pytest.raises(ValueError, match="direction"):
        await store.touch_link_activity(404, "sideways")  # type: ignore[arg-type]
