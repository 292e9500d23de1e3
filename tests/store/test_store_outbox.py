"""The outbox: written before posting, once per idempotency key, in order per channel."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from typing import Any

import pytest
from storetest import AddLink, Backend, FakeClock

from osoto_bridge.store import (
    Link,
    MessageRef,
    NotFoundError,
    OsotoParent,
    OutboxEntry,
    PendingPost,
    Store,
)


@pytest.fixture
async def link(add_link: AddLink) -> Link:
    return await add_link()


async def enqueue(
    store: Store, link: Link, message_id: str, **overrides: Any
) -> tuple[OutboxEntry, bool]:
    kwargs: dict[str, Any] = {
        "idempotency_key": f"telegram:{link.chat_id}:{message_id}",
        "link_id": link.id,
        "trip_id": link.trip_id,
        "channel_id": link.channel_id,
        "content": f"message {message_id}",
        "parent": None,
        "source_platform": "telegram",
        "source_chat_id": link.chat_id,
        "source_thread_id": None,
        "source_message_id": message_id,
    }
    kwargs.update(overrides)
    return await store.enqueue_outbox(**kwargs)


async def test_enqueue_creates_a_pending_entry(store: Store, link: Link, clock: FakeClock) -> None:
    entry, created = await enqueue(store, link, "1", parent=OsotoParent("m0"), source_thread_id="9")
    assert created is True
    assert entry == OutboxEntry(
        id=entry.id,
        idempotency_key="telegram:-100123:1",
        link_id=link.id,
        trip_id="t1",
        channel_id="c1",
        content="message 1",
        parent=OsotoParent("m0"),
        source_platform="telegram",
        source_chat_id="-100123",
        source_thread_id="9",
        source_message_id="1",
        status="pending",
        attempts=0,
        next_attempt_at=clock.now,
        last_error=None,
        osoto_message_id=None,
        created_at=clock.now,
    )
    assert await store.outbox_entry(entry.id) == entry
    assert await store.outbox_entry(entry.id + 100) is None


async def test_the_same_key_twice_returns_the_first_entry(store: Store, link: Link) -> None:
    first, created = await enqueue(store, link, "1")
    again, created_again = await enqueue(store, link, "1", content="edited text")
    assert (created, created_again) == (True, False)
    assert again == first
    await store.mark_outbox_sent(first.id, "m1")
    sent, created_late = await enqueue(store, link, "1")
    assert created_late is False and sent.status == "sent"


async def test_concurrent_enqueues_of_one_key_create_once(store: Store, link: Link) -> None:
    results = await asyncio.gather(*(enqueue(store, link, "1") for _ in range(12)))
    assert sum(created for _, created in results) == 1
    assert len({entry.id for entry, _ in results}) == 1
    assert await store.pending_outbox_count() == 1


async def test_due_entries_oldest_first(store: Store, link: Link, clock: FakeClock) -> None:
    entries = [(await enqueue(store, link, str(i)))[0] for i in range(5)]
    assert await store.due_outbox() == entries
    assert await store.due_outbox(limit=2) == entries[:2]


async def test_due_filters_by_channel(store: Store, add_link: AddLink) -> None:
    a = await add_link(chat_id="1")
    b = await add_link(chat_id="2", channel_id="c2")
    c = await add_link(chat_id="3", trip_id="t2")
    ea, _ = await enqueue(store, a, "1")
    eb, _ = await enqueue(store, b, "1")
    ec, _ = await enqueue(store, c, "1")
    assert await store.due_outbox(trip_id="t1") == [ea, eb]
    assert await store.due_outbox(trip_id="t1", channel_id="c2") == [eb]
    assert await store.due_outbox(channel_id="c1") == [ea, ec]
    assert await store.pending_outbox_count() == 3
    assert await store.pending_outbox_count("t1") == 2
    assert await store.pending_outbox_count("t1", "c1") == 1
    assert await store.pending_outbox_count("t9", "c1") == 0


async def test_retry_waits_until_its_time(store: Store, link: Link, clock: FakeClock) -> None:
    entry, _ = await enqueue(store, link, "1")
    await store.mark_outbox_retry(
        entry.id, error="429 rate limited", next_attempt_at=clock.now + 30
    )
    retried = await store.outbox_entry(entry.id)
    assert retried is not None
    assert (retried.status, retried.attempts, retried.last_error) == (
        "pending",
        1,
        "429 rate limited",
    )
    assert retried.next_attempt_at == clock.now + 30
    assert await store.due_outbox() == []
    assert await store.pending_outbox_count() == 1
    clock.advance(30)
    assert await store.due_outbox() == [retried]
    await store.mark_outbox_retry(entry.id, error="503", next_attempt_at=clock.now + 60)
    again = await store.outbox_entry(entry.id)
    assert again is not None and again.attempts == 2 and again.last_error == "503"


async def test_a_waiting_entry_holds_back_its_channel(
    store: Store, add_link: AddLink, clock: FakeClock
) -> None:
    link = await add_link()
    other = await add_link(chat_id="2", channel_id="c2")
    head, _ = await enqueue(store, link, "1")
    behind, _ = await enqueue(store, link, "2")
    elsewhere, _ = await enqueue(store, other, "1")
    await store.mark_outbox_retry(head.id, error="429", next_attempt_at=clock.now + 10)
    # The channel's second message must not overtake its first; other channels go on.
    assert await store.due_outbox() == [elsewhere]
    assert await store.due_outbox(keep_order=False) == [behind, elsewhere]
    clock.advance(10)
    due = await store.due_outbox()
    assert [entry.id for entry in due] == [head.id, behind.id, elsewhere.id]


async def test_sent_and_failed_leave_the_queue(store: Store, link: Link, clock: FakeClock) -> None:
    a, _ = await enqueue(store, link, "1")
    b, _ = await enqueue(store, link, "2")
    c, _ = await enqueue(store, link, "3")
    await store.mark_outbox_sent(a.id, "osoto-a")
    await store.mark_outbox_failed(b.id, error="403 forbidden")
    assert [entry.id for entry in await store.due_outbox()] == [c.id]
    assert await store.pending_outbox_count() == 1
    sent = await store.outbox_entry(a.id)
    failed = await store.outbox_entry(b.id)
    assert sent is not None and failed is not None
    assert (sent.status, sent.osoto_message_id, sent.attempts) == ("sent", "osoto-a", 1)
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", "403 forbidden", 1)
    assert await store.list_outbox(status="failed") == [failed]
    assert [e.id for e in await store.list_outbox()] == [a.id, b.id, c.id]
    assert [e.id for e in await store.list_outbox(link_id=link.id, limit=2)] == [a.id, b.id]


async def test_late_outcomes_do_not_undo_a_sent_entry(store: Store, link: Link) -> None:
    entry, _ = await enqueue(store, link, "1")
    await store.mark_outbox_sent(entry.id, "osoto-1")
    await store.mark_outbox_retry(entry.id, error="timeout", next_attempt_at=0)
    await store.mark_outbox_failed(entry.id, error="403")
    await store.mark_outbox_sent(entry.id, "osoto-2")
    final = await store.outbox_entry(entry.id)
    assert final is not None
    assert (final.status, final.osoto_message_id, final.attempts) == ("sent", "osoto-1", 1)


async def test_a_failed_entry_can_still_be_marked_sent(store: Store, link: Link) -> None:
    entry, _ = await enqueue(store, link, "1")
    await store.mark_outbox_failed(entry.id, error="403")
    await store.mark_outbox_sent(entry.id, "osoto-1")
    final = await store.outbox_entry(entry.id)
    assert final is not None
    assert (final.status, final.osoto_message_id, final.last_error) == ("sent", "osoto-1", None)


async def test_outcomes_for_unknown_entries_are_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.mark_outbox_sent(404, "m")
    with pytest.raises(NotFoundError):
        await store.mark_outbox_retry(404, error="x", next_attempt_at=0)
    with pytest.raises(NotFoundError):
        await store.mark_outbox_failed(404, error="x")


async def test_completing_a_post_maps_the_source_message_and_sends_the_entry(
    store: Store, link: Link, clock: FakeClock
) -> None:
    entry, _ = await enqueue(store, link, "41", source_thread_id="7")
    clock.now += 5
    await store.complete_outbox_post(entry, "osoto-41")
    done = await store.outbox_entry(entry.id)
    assert done is not None
    assert (done.status, done.osoto_message_id, done.attempts) == ("sent", "osoto-41", 1)
    assert await store.osoto_message_for("telegram", link.chat_id, "41") == "osoto-41"
    assert await store.is_bridge_authored("osoto-41")
    assert await store.link_activity(link.id) == (clock.now, None)
    # A replay (the post answered twice) changes nothing.
    await store.complete_outbox_post(entry, "osoto-41")
    again = await store.outbox_entry(entry.id)
    assert again is not None and again.attempts == 1


async def test_completing_a_post_of_an_unknown_entry_is_not_found_and_maps_nothing(
    store: Store, link: Link
) -> None:
    entry, _ = await enqueue(store, link, "1")
    ghost = dataclasses.replace(entry, id=entry.id + 100)
    with pytest.raises(NotFoundError):
        await store.complete_outbox_post(ghost, "osoto-x")
    assert await store.osoto_message_for("telegram", link.chat_id, "1") is None  # rolled back


async def copy_in_slack(store: Store, link: Link, osoto_message_id: MessageRef, ts: str) -> None:
    """Record a delivery of ``osoto_message_id`` into Slack channel C1 as message ``ts``."""
    await store.record_chat_messages(
        osoto_message_id=osoto_message_id,
        trip_id=link.trip_id,
        channel_id=link.channel_id,
        platform="slack",
        chat_id="C1",
        thread_id=None,
        chat_message_ids=[ts],
        origin="osoto",
    )


async def test_copies_under_a_provisional_id_move_to_the_osoto_id_with_the_post(
    store: Store, link: Link
) -> None:
    entry, _ = await enqueue(store, link, "5")
    provisional = PendingPost(entry.id)
    await copy_in_slack(store, link, provisional, "111.1")
    assert await store.chat_messages_for(provisional, "slack", "C1") == ["111.1"]
    await store.complete_outbox_post(entry, "osoto-5")
    assert await store.chat_messages_for("osoto-5", "slack", "C1") == ["111.1"]
    assert await store.chat_messages_for(provisional, "slack", "C1") == ["111.1"]
    assert await store.osoto_message_for("slack", "C1", "111.1") == "osoto-5"


async def test_a_copy_recorded_after_the_post_completed_goes_under_the_osoto_id(
    store: Store, link: Link
) -> None:
    entry, _ = await enqueue(store, link, "6")
    await store.complete_outbox_post(entry, "osoto-6")
    await copy_in_slack(store, link, PendingPost(entry.id), "222.2")
    assert await store.chat_messages_for("osoto-6", "slack", "C1") == ["222.2"]
    assert await store.osoto_message_for("slack", "C1", "222.2") == "osoto-6"


async def test_a_chat_holding_both_copies_keeps_the_one_under_the_osoto_id(
    store: Store, link: Link
) -> None:
    entry, _ = await enqueue(store, link, "7")
    for osoto_id, chat_message in ((PendingPost(entry.id), "1.1"), ("osoto-7", "1.2")):
        await copy_in_slack(store, link, osoto_id, chat_message)
    await store.complete_outbox_post(entry, "osoto-7")
    assert await store.chat_messages_for("osoto-7", "slack", "C1") == ["1.2"]


async def test_a_line_on_its_way_is_mapped_by_its_entry_in_a_typed_column(
    store: Store, link: Link, backend: Backend
) -> None:
    entry, _ = await enqueue(store, link, "8")
    await copy_in_slack(store, link, PendingPost(entry.id), "333.3")
    query = (
        "SELECT osoto_message_id, outbox_entry_id FROM message_map WHERE chat_message_id = '333.3'"
    )
    assert [tuple(row) for row in await backend.raw(query)] == [(None, entry.id)]
    assert await store.osoto_message_for("slack", "C1", "333.3") == PendingPost(entry.id)
    await store.complete_outbox_post(entry, "osoto-8")
    assert [tuple(row) for row in await backend.raw(query)] == [("osoto-8", None)]
    assert await store.osoto_message_for("slack", "C1", "333.3") == "osoto-8"


async def test_the_lines_of_a_merged_post_keep_their_entries_in_the_map(
    store: Store, link: Link, backend: Backend
) -> None:
    first, _ = await enqueue(store, link, "9")
    second, _ = await enqueue(store, link, "10")
    await copy_in_slack(store, link, PendingPost(first.id), "9.1")
    await copy_in_slack(store, link, PendingPost(second.id), "10.1")
    batch = await store.outbox_batch(await store.cut_outbox_batch([first.id, second.id]))
    await store.complete_outbox_batch(batch, "osoto-9")
    # The post's id names both lines: each copy stays under its own line's entry,
    # in its typed column, and the post resolves to where it begins (its first line).
    entries = await backend.raw(
        "SELECT outbox_entry_id FROM message_map WHERE outbox_entry_id IS NOT NULL "
        "ORDER BY outbox_entry_id"
    )
    assert [row[0] for row in entries] == [first.id, second.id]
    assert await store.chat_messages_for(PendingPost(second.id), "slack", "C1") == ["10.1"]
    assert await store.chat_messages_for("osoto-9", "slack", "C1") == ["9.1"]
    refs = [PendingPost(first.id), PendingPost(second.id)]
    assert await store.delivered_among(refs, "slack", "C1") == set(refs)


async def test_concurrent_outcomes_count_every_attempt(store: Store, link: Link) -> None:
    entry, _ = await enqueue(store, link, "1")
    await asyncio.gather(
        *(store.mark_outbox_retry(entry.id, error="x", next_attempt_at=0) for _ in range(10))
    )
    final = await store.outbox_entry(entry.id)
    assert final is not None and final.attempts == 10


async def test_enqueue_for_an_unknown_link_is_not_found(store: Store, link: Link) -> None:
    with pytest.raises(NotFoundError):
        await enqueue(store, link, "1", link_id=link.id + 100)
    assert await store.pending_outbox_count() == 0


async def test_cancelled_writers_leave_whole_entries_and_a_working_store(
    store: Store, link: Link
) -> None:
    # A task cancelled at any await inside a transaction (a crash, as the caller sees
    # it) must leave either no entry or a whole one, and the store usable.
    for delay_steps in range(12):
        task = asyncio.create_task(enqueue(store, link, f"c{delay_steps}"))
        for _ in range(delay_steps):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    # Cancelled callers' writes may still be finishing (they run to their end):
    # enqueuing the same keys again must neither fail nor double anything.
    await asyncio.gather(*(enqueue(store, link, f"c{i}") for i in range(12)))
    entries = await store.list_outbox(limit=1000)
    assert sorted(entry.source_message_id for entry in entries) == sorted(
        f"c{i}" for i in range(12)
    )
    for entry in entries:
        assert entry.content == f"message {entry.source_message_id}"
        assert entry.status == "pending"


async def test_two_replicas_enqueue_and_record_once(persistent_backend: Backend) -> None:
    async with persistent_backend.open() as first, persistent_backend.open() as second:
        link = await first.add_link(
            platform="telegram",
            chat_id="-1",
            thread_id=None,
            trip_id="t1",
            trip_title="Lisbon",
            channel_id="c1",
            channel_name="general",
            api_key="osk_replicas",
            owner_user_id="u1",
            scopes=(),
        )
        results = await asyncio.gather(
            *(enqueue(replica, link, "1") for replica in (first, second) * 6)
        )
        await asyncio.gather(
            *(
                replica.record_chat_messages(
                    osoto_message_id="m1",
                    trip_id="t1",
                    channel_id="c1",
                    platform="telegram",
                    chat_id="-1",
                    thread_id=None,
                    chat_message_ids=["5", "6"],
                    origin="osoto",
                )
                for replica in (first, second) * 6
            )
        )
        assert sum(created for _, created in results) == 1
        assert await second.pending_outbox_count() == 1
        assert await first.chat_messages_for("m1", "telegram", "-1") == ["5", "6"]
