"""The message map: Osoto message ↔ chat messages, both ways, idempotently."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from storetest import AddLink

from osoto_bridge.store import MessageOrigin, Store


async def record(
    store: Store,
    osoto_message_id: str,
    chat_message_ids: Sequence[str],
    *,
    origin: MessageOrigin = "osoto",
    platform: str = "telegram",
    chat_id: str = "-100123",
    **overrides: Any,
) -> None:
    kwargs: dict[str, Any] = {
        "trip_id": "t1",
        "channel_id": "c1",
        "thread_id": None,
    }
    kwargs.update(overrides)
    await store.record_chat_messages(
        osoto_message_id=osoto_message_id,
        platform=platform,
        chat_id=chat_id,
        chat_message_ids=chat_message_ids,
        origin=origin,
        **kwargs,
    )


async def test_split_parts_come_back_in_order(store: Store) -> None:
    await record(store, "m1", ["30", "31", "29"])
    assert await store.chat_messages_for("m1", "telegram", "-100123") == ["30", "31", "29"]
    for part in ("30", "31", "29"):
        assert await store.osoto_message_for("telegram", "-100123", part) == "m1"


async def test_lookups_are_per_platform_and_chat(store: Store) -> None:
    await record(store, "m1", ["5"])
    await record(store, "m1", ["1700.1"], platform="slack", chat_id="C1", thread_id="1699.9")
    await record(store, "m2", ["5"], chat_id="-100999")
    assert await store.chat_messages_for("m1", "telegram", "-100123") == ["5"]
    assert await store.chat_messages_for("m1", "slack", "C1") == ["1700.1"]
    assert await store.chat_messages_for("m1", "telegram", "-100999") == []
    assert await store.chat_messages_for("nope", "telegram", "-100123") == []
    assert await store.osoto_message_for("telegram", "-100999", "5") == "m2"
    assert await store.osoto_message_for("telegram", "-100123", "6") is None
    assert await store.osoto_message_for("slack", "-100123", "5") is None


async def test_recording_twice_changes_nothing(store: Store) -> None:
    await record(store, "m1", ["1", "2"])
    await record(store, "m1", ["1", "2"])
    # A second delivery's ids do not overwrite the first (the first parts stand).
    await record(store, "m1", ["8", "9"])
    assert await store.chat_messages_for("m1", "telegram", "-100123") == ["1", "2"]
    await record(store, "m1", [])
    assert await store.chat_messages_for("m1", "telegram", "-100123") == ["1", "2"]


async def test_concurrent_recording_is_idempotent(store: Store) -> None:
    await asyncio.gather(*(record(store, "m1", ["1", "2", "3"]) for _ in range(10)))
    assert await store.chat_messages_for("m1", "telegram", "-100123") == ["1", "2", "3"]
    async with store.engine.connect() as conn:
        count = await conn.scalar(sa.text("SELECT count(*) FROM message_map"))
    assert count == 3


async def test_bridge_authored_by_map_origin(store: Store) -> None:
    await record(store, "from-osoto", ["1"], origin="osoto")
    await record(store, "posted-by-bridge", ["2"], origin="chat")
    assert await store.is_bridge_authored("posted-by-bridge") is True
    assert await store.is_bridge_authored("from-osoto") is False
    assert await store.is_bridge_authored("unknown") is False


async def test_bridge_authored_by_sent_outbox_entry(store: Store, add_link: AddLink) -> None:
    link = await add_link()
    entry, _ = await store.enqueue_outbox(
        idempotency_key="telegram:-100123:1",
        link_id=link.id,
        trip_id="t1",
        channel_id="c1",
        content="hi",
        parent=None,
        source_platform="telegram",
        source_chat_id="-100123",
        source_thread_id=None,
        source_message_id="1",
    )
    assert await store.is_bridge_authored("osoto-7") is False
    await store.mark_outbox_sent(entry.id, "osoto-7")
    assert await store.is_bridge_authored("osoto-7") is True


async def test_a_delivery_sets_its_links_last_out_time_in_the_same_write(
    store: Store, add_link: AddLink
) -> None:
    link = await add_link()
    await record(store, "m1", ["30"], activity_of=link.id)
    last_in, last_out = await store.link_activity(link.id)
    assert last_in is None and last_out is not None
    await record(store, "m2", ["31"], origin="chat", activity_of=link.id)
    assert (await store.link_activity(link.id))[0] is not None


async def test_a_delivery_for_a_removed_link_is_still_recorded(
    store: Store, add_link: AddLink
) -> None:
    link = await add_link()
    assert await store.remove_link(link.id)
    await record(store, "m1", ["30"], activity_of=link.id)
    assert await store.chat_messages_for("m1", "telegram", "-100123") == ["30"]
    assert await store.link_activity(link.id) == (None, None)


async def test_bad_arguments_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="origin"):
        await record(store, "m1", ["1"], origin="elsewhere")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sequence"):
        await record(store, "m1", "123")
    assert await store.chat_messages_for("m1", "telegram", "-100123") == []


async def seen(store: Store, osoto_message_id: str, chat_message_id: str) -> bool:
    return await store.record_seen_copy(
        osoto_message_id=osoto_message_id,
        trip_id="t1",
        channel_id="c1",
        platform="slack",
        chat_id="C1",
        thread_id=None,
        chat_message_id=chat_message_id,
    )


async def test_a_seen_copy_resolves_replies_but_is_not_the_delivery(store: Store) -> None:
    """Issue 14.2: the copy of a send whose answer was lost, learned from its echo."""
    assert await seen(store, "m1", "1700.1")  # the lost copy
    await record(store, "m1", ["1700.2"], platform="slack", chat_id="C1")  # the retry
    assert await store.osoto_message_for("slack", "C1", "1700.1") == "m1"
    assert await store.osoto_message_for("slack", "C1", "1700.2") == "m1"
    assert await store.chat_messages_for("m1", "slack", "C1") == ["1700.2"]
    assert not await seen(store, "m1", "1700.1")  # a second echo changes nothing
    assert not await seen(store, "m1", "1700.2")  # nor the echo of the delivered copy
    assert await store.chat_messages_for("m1", "slack", "C1") == ["1700.2"]


async def test_a_seen_copy_alone_does_not_count_as_delivered(store: Store) -> None:
    assert await seen(store, "m1", "1700.1")
    assert await store.chat_messages_for("m1", "slack", "C1") == []


async def test_a_reply_threads_under_a_copy_known_only_by_its_echo(store: Store) -> None:
    # the send's answer was lost; the echo told the copy's id: a reply to the line
    # (the relay asks with seen_copies) threads under it rather than under a quote
    assert await seen(store, "m1", "1700.1")
    assert await store.chat_messages_for("m1", "slack", "C1", seen_copies=True) == ["1700.1"]
    await record(store, "m1", ["1700.2"], platform="slack", chat_id="C1")  # a delivery wins
    assert await store.chat_messages_for("m1", "slack", "C1", seen_copies=True) == ["1700.2"]


async def test_an_echo_that_beats_its_send_gives_way_to_the_send_record(store: Store) -> None:
    assert await seen(store, "m1", "1700.1")
    await record(store, "m1", ["1700.1", "1700.3"], platform="slack", chat_id="C1")
    assert await store.chat_messages_for("m1", "slack", "C1") == ["1700.1", "1700.3"]
    assert await store.osoto_message_for("slack", "C1", "1700.1") == "m1"


async def test_two_lost_copies_of_one_message_are_both_learned(store: Store) -> None:
    assert await seen(store, "m1", "1700.1")
    assert await seen(store, "m1", "1700.2")
    assert await store.osoto_message_for("slack", "C1", "1700.1") == "m1"
    assert await store.osoto_message_for("slack", "C1", "1700.2") == "m1"
