"""Intake: a batch of lines, its dedupe marks and offsets in one transaction."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from storetest import AddLink

from osoto_bridge.store import (
    ChatParent,
    Ingested,
    IntakeLine,
    Link,
    OsotoParent,
    PendingParent,
    Store,
    StoreError,
)


@pytest.fixture
async def link(add_link: AddLink) -> Link:
    return await add_link()


def line(link: Link, message_id: str, *, parts: int = 1, **overrides: object) -> IntakeLine:
    keys = tuple(
        (f"telegram:{link.chat_id}:{message_id}:{n}", f"line {message_id} part {n}")
        for n in range(parts)
    )
    fields: dict[str, object] = {
        "parts": keys,
        "link_id": link.id,
        "trip_id": link.trip_id,
        "channel_id": link.channel_id,
        "source_platform": "telegram",
        "source_chat_id": link.chat_id,
        "source_thread_id": None,
        "source_message_id": message_id,
    }
    fields.update(overrides)
    return IntakeLine(**fields)  # type: ignore[arg-type]


async def test_a_batch_is_written_in_order_with_its_marks_and_offset(
    store: Store, link: Link
) -> None:
    result = (
        await store.ingest(
            [line(link, "1"), line(link, "2", parts=2), line(link, "3")],
            handled=[("telegram", "u1"), ("telegram", "u2"), ("telegram", "u3")],
            chat_offsets=[("telegram", "updates", "4")],
        )
    ).lines
    assert [created for _, created in result] == [True, True, True]
    ids = [entry_id for entry_ids, _ in result for entry_id in entry_ids]
    assert ids == sorted(ids) and len(set(ids)) == 4
    due = await store.due_outbox()
    assert [e.content for e in due] == [
        "line 1 part 0",
        "line 2 part 0",
        "line 2 part 1",
        "line 3 part 0",
    ]
    assert [e.id for e in due] == ids
    assert await store.seen_among("telegram", ["u1", "u3", "u9"]) == {"u1", "u3"}
    assert await store.is_event_seen("telegram", "u2")
    assert await store.get_offset("telegram", "updates") == "4"


async def test_a_redelivered_batch_writes_nothing_twice(store: Store, link: Link) -> None:
    first = (
        await store.ingest([line(link, "1"), line(link, "2")], handled=[("telegram", "u1")])
    ).lines
    again = (
        await store.ingest(
            [line(link, "1"), line(link, "2"), line(link, "3")], handled=[("telegram", "u1")]
        )
    ).lines
    assert [ids for ids, _ in again[:2]] == [ids for ids, _ in first]
    assert [created for _, created in again] == [False, False, True]
    assert len(await store.due_outbox()) == 3


async def test_a_reply_to_a_line_of_the_same_batch_waits_for_its_entry(
    store: Store, link: Link
) -> None:
    result = (
        await store.ingest(
            [
                line(link, "1"),
                line(link, "2", parent=ChatParent("1"), parent_line=0),
                line(link, "3", parent=OsotoParent("m9")),
            ]
        )
    ).lines
    due = {entry.source_message_id: entry for entry in await store.due_outbox()}
    assert due["2"].parent == PendingParent(result[0][0][0])
    assert due["3"].parent == OsotoParent("m9")
    assert due["1"].parent is None


async def test_the_entries_created_are_those_the_store_reads_back(store: Store, link: Link) -> None:
    await store.ingest([line(link, "1")])  # known before: not created again
    result = await store.ingest(
        [
            line(link, "1"),
            line(link, "2", parts=2),
            line(link, "3", parent=ChatParent("1"), parent_line=1),
            line(link, "4", parent=OsotoParent("m9")),
        ]
    )
    created_ids = [entry_id for ids, fresh in result.lines if fresh for entry_id in ids]
    assert [entry.id for entry in result.created] == created_ids and len(created_ids) == 4
    for entry in result.created:
        assert await store.outbox_entry(entry.id) == entry
    assert result.created[2].parent == PendingParent(result.lines[1][0][0])


async def test_a_reply_to_a_line_already_posted_gets_its_osoto_id(store: Store, link: Link) -> None:
    ((ids, _),) = (await store.ingest([line(link, "1")])).lines
    await store.mark_outbox_sent(ids[0], "m1")
    await store.ingest([line(link, "1"), line(link, "2", parent_line=0)])
    (entry,) = await store.due_outbox()
    assert entry.parent == OsotoParent("m1")


async def test_lines_of_a_removed_link_are_dropped_not_the_batch(
    store: Store, link: Link, add_link: AddLink
) -> None:
    other = await add_link(chat_id="-100999", channel_id="c2")
    assert await store.remove_link(other.id)
    result = (
        await store.ingest([line(other, "1"), line(link, "2")], handled=[("telegram", "u")])
    ).lines
    assert result[0] == ((), False)
    assert result[1][1] is True
    assert [e.source_message_id for e in await store.due_outbox()] == ["2"]
    assert await store.is_event_seen("telegram", "u")


async def test_a_failed_batch_leaves_nothing(store: Store, link: Link) -> None:
    bad = line(link, "2", parts=2)
    duplicate_key = IntakeLine(
        parts=(bad.parts[0], bad.parts[0]),  # one key twice in one INSERT
        link_id=bad.link_id,
        trip_id=bad.trip_id,
        channel_id=bad.channel_id,
        source_platform=bad.source_platform,
        source_chat_id=bad.source_chat_id,
        source_thread_id=None,
        source_message_id="2",
    )
    try:
        await store.ingest(
            [line(link, "1"), duplicate_key],
            handled=[("telegram", "u1")],
            chat_offsets=[("telegram", "updates", "9")],
        )
    except StoreError:
        pass
    else:  # a backend that takes the duplicate as "known" wrote one entry for it
        assert len(await store.due_outbox()) == 2
        return
    assert await store.due_outbox() == []
    assert not await store.is_event_seen("telegram", "u1")
    assert await store.get_offset("telegram", "updates") is None


async def test_an_empty_batch_still_marks_and_stores_the_offset(store: Store) -> None:
    assert await store.ingest(
        [], handled=[("slack", "Ev1")], chat_offsets=[("slack", "x", "1")]
    ) == Ingested([])
    assert await store.seen_among("slack", ["Ev1"]) == {"Ev1"}
    assert await store.seen_among("slack", []) == set()


async def test_cached_link_reads_once_and_forgets_on_change(
    store: Store, link: Link, add_link: AddLink
) -> None:
    before = store.operations
    assert await store.cached_link("telegram", link.chat_id) == link
    assert await store.cached_link("telegram", link.chat_id) == link
    assert await store.cached_link("telegram", "-1") is None
    assert await store.cached_link("telegram", "-1") is None
    assert store.operations - before == 2  # one read per chat, none after
    updated = await store.update_link(link.id, enabled=False)
    assert await store.cached_link("telegram", link.chat_id) == updated
    newer = await add_link(chat_id="-1")
    assert await store.cached_link("telegram", "-1") == newer
    assert await store.remove_link(newer.id)
    assert await store.cached_link("telegram", "-1") is None
    store.forget_cached_links()
    ops = store.operations
    await store.cached_link("telegram", link.chat_id)
    assert store.operations == ops + 1


async def test_on_sqlite_an_ingest_goes_ahead_of_the_operations_queued_before_it(
    store: Store, link: Link
) -> None:
    # One connection serves every operation on SQLite; a platform's batch must not
    # wait behind the relay's queued bookkeeping (its acknowledgment waits on it).
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL runs operations on a pool, side by side")
    statements: list[str] = []

    def executed(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split()[0] + (" outbox" if " outbox" in statement else ""))

    sa.event.listen(store.engine.sync_engine, "before_cursor_execute", executed)
    try:
        # A write holds the connection through its commit (the disk, on a thread);
        # meanwhile the reads queue, then the ingest arrives behind them.
        write = asyncio.create_task(store.set_offset("slack", "cursor", "1"))
        reads = [asyncio.create_task(store.due_outbox()) for _ in range(50)]
        ingest = asyncio.create_task(store.ingest([line(link, "1")], handled=[("telegram", "u1")]))
        await asyncio.gather(write, ingest, *reads)
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", executed)
    first_insert = statements.index("INSERT outbox")
    assert statements[:first_insert].count("WITH outbox") == 0, statements
    assert statements.count("WITH outbox") == 50
