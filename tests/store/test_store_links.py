"""Links: add, replace, find, list, update (supergroup migration), remove."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from storetest import API_KEY, AddLink, Backend, FakeClock

from osoto_bridge.store import ConflictError, Link, NotFoundError, Store, fingerprint


async def test_add_link_returns_what_was_given(
    store: Store, add_link: AddLink, clock: FakeClock
) -> None:
    link = await add_link(thread_id="77", created_by="admin-1")
    assert link == Link(
        id=link.id,
        platform="telegram",
        chat_id="-100123",
        thread_id="77",
        trip_id="t1",
        trip_title="Lisbon",
        channel_id="c1",
        channel_name="general",
        key_id=link.key_id,
        key_fingerprint=fingerprint(API_KEY),
        owner_user_id="u1",
        scopes=("messages:read:t1", "messages:write:t1"),
        language="en",
        show_sensitive=False,
        enabled=True,
        created_at=clock.now,
        created_by="admin-1",
    )
    assert await store.get_link(link.id) == link
    assert await store.api_key_for(link) == API_KEY
    assert await store.api_key_for(link.id) == API_KEY


async def test_find_link_tells_threads_apart(store: Store, add_link: AddLink) -> None:
    whole = await add_link(thread_id=None)
    topic = await add_link(thread_id="5", channel_id="c2")
    assert await store.find_link("telegram", "-100123") == whole
    assert await store.find_link("telegram", "-100123", None) == whole
    assert await store.find_link("telegram", "-100123", "5") == topic
    assert await store.find_link("telegram", "-100123", "6") is None
    assert await store.find_link("slack", "-100123") is None
    assert await store.get_link(topic.id + 1000) is None


async def test_a_chat_points_at_one_channel_so_adding_again_replaces(
    store: Store, add_link: AddLink, clock: FakeClock
) -> None:
    first = await add_link(language="de")
    await store.update_link(first.id, show_sensitive=True, enabled=False)
    clock.advance(60)
    second = await add_link(
        trip_id="t2", trip_title="Porto", channel_id="c9", channel_name="food", language="pt"
    )
    assert second.id == first.id
    assert (second.trip_id, second.channel_id, second.channel_name) == ("t2", "c9", "food")
    assert second.language == "pt"
    assert second.show_sensitive is False  # the opt-in belonged to the old link
    assert second.enabled is True
    assert second.created_at == clock.now
    assert [link.id for link in await store.list_links()] == [first.id]
    assert await store.links_for_channel("t1", "c1") == []


async def test_concurrent_adds_for_one_chat_leave_one_link(store: Store, add_link: AddLink) -> None:
    links = await asyncio.gather(*(add_link(channel_id=f"c{i}") for i in range(8)))
    assert len({link.id for link in links}) == 1
    assert len(await store.list_links()) == 1


async def test_one_key_is_stored_once(store: Store, add_link: AddLink, backend: Backend) -> None:
    a = await add_link(chat_id="1")
    b = await add_link(chat_id="2", channel_id="c2")
    c = await add_link(chat_id="3", api_key="osk_other_key_for_another_trip")
    assert a.key_id == b.key_id != c.key_id
    assert a.key_fingerprint == b.key_fingerprint != c.key_fingerprint
    rows = await backend.raw("SELECT count(*) AS n FROM api_keys")
    assert rows[0].n == 2


async def test_concurrent_adds_of_one_key_store_it_once(
    store: Store, add_link: AddLink, backend: Backend
) -> None:
    links = await asyncio.gather(*(add_link(chat_id=str(i)) for i in range(8)))
    assert len({link.key_id for link in links}) == 1
    rows = await backend.raw("SELECT count(*) AS n FROM api_keys")
    assert rows[0].n == 1


async def test_list_links_filters(store: Store, add_link: AddLink) -> None:
    tg = await add_link(chat_id="1")
    slack = await add_link(platform="slack", chat_id="C1")
    off = await add_link(chat_id="2")
    await store.update_link(off.id, enabled=False)
    off = await store.get_link(off.id) or off
    assert await store.list_links() == [tg, slack, off]
    assert await store.list_links(platform="telegram") == [tg, off]
    assert await store.list_links(enabled_only=True) == [tg, slack]
    assert await store.list_links(platform="slack", enabled_only=True) == [slack]
    assert await store.list_links(platform="discord") == []


async def test_links_for_channel(store: Store, add_link: AddLink) -> None:
    tg = await add_link(chat_id="1")
    slack = await add_link(platform="slack", chat_id="C1")
    other = await add_link(chat_id="2", channel_id="c2")
    off = await add_link(chat_id="3")
    off = await store.update_link(off.id, enabled=False)
    assert await store.links_for_channel("t1", "c1") == [tg, slack, off]
    assert await store.links_for_channel("t1", "c1", enabled_only=True) == [tg, slack]
    assert await store.links_for_channel("t1", "c2") == [other]
    assert await store.links_for_channel("t2", "c1") == []


async def test_update_link_settings(store: Store, add_link: AddLink) -> None:
    link = await add_link()
    updated = await store.update_link(link.id, language="fr", show_sensitive=True)
    assert (updated.language, updated.show_sensitive, updated.enabled) == ("fr", True, True)
    updated = await store.update_link(link.id, enabled=False)
    assert (updated.language, updated.show_sensitive, updated.enabled) == ("fr", True, False)
    assert await store.update_link(link.id) == updated
    assert await store.get_link(link.id) == updated


async def test_update_unknown_link(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.update_link(404, enabled=False)


async def test_supergroup_migration_keeps_the_link_and_moves_the_map(
    store: Store, add_link: AddLink
) -> None:
    link = await add_link(chat_id="-123")
    other_chat = await add_link(chat_id="-999", channel_id="c2")
    for chat_id, message_id in (("-123", "10"), ("-999", "10")):
        await store.record_chat_messages(
            osoto_message_id=f"m-{chat_id}",
            trip_id="t1",
            channel_id="c1",
            platform="telegram",
            chat_id=chat_id,
            thread_id=None,
            chat_message_ids=[message_id, "11"],
            origin="osoto",
        )
    moved = await store.update_link(link.id, chat_id="-100123")
    assert moved.id == link.id and moved.chat_id == "-100123"
    assert await store.find_link("telegram", "-100123") == moved
    assert await store.find_link("telegram", "-123") is None
    assert await store.api_key_for(moved) == API_KEY
    assert await store.chat_messages_for("m--123", "telegram", "-100123") == ["10", "11"]
    assert await store.chat_messages_for("m--123", "telegram", "-123") == []
    assert await store.osoto_message_for("telegram", "-100123", "11") == "m--123"
    # Another chat's rows stay where they were.
    assert await store.osoto_message_for("telegram", "-999", "10") == "m--999"
    assert await store.get_link(other_chat.id) == other_chat


async def test_moving_onto_a_linked_chat_is_a_conflict(store: Store, add_link: AddLink) -> None:
    a = await add_link(chat_id="-1")
    await add_link(chat_id="-2")
    with pytest.raises(ConflictError):
        await store.update_link(a.id, chat_id="-2")
    assert await store.get_link(a.id) == a


async def test_remove_link(store: Store, add_link: AddLink) -> None:
    link = await add_link()
    keep = await add_link(chat_id="other")
    assert await store.remove_link(link.id) is True
    assert await store.remove_link(link.id) is False
    assert await store.get_link(link.id) is None
    assert await store.find_link("telegram", "-100123") is None
    assert await store.list_links() == [keep]
    with pytest.raises(NotFoundError):
        await store.api_key_for(link.id)
    assert await store.api_key_for(keep) == API_KEY  # a shared key stays while used


async def test_removing_the_last_link_of_a_key_forgets_the_key(
    store: Store, add_link: AddLink, backend: Backend
) -> None:
    link = await add_link()
    await add_link(chat_id="2", api_key="osk_second")
    await store.remove_link(link.id)
    rows = await backend.raw("SELECT fingerprint FROM api_keys")
    assert [row.fingerprint for row in rows] == [fingerprint("osk_second")]


async def test_replacing_the_key_of_a_link_forgets_the_old_one(
    store: Store, add_link: AddLink, backend: Backend
) -> None:
    await add_link()
    link = await add_link(api_key="osk_new_key")
    assert await store.api_key_for(link) == "osk_new_key"
    rows = await backend.raw("SELECT fingerprint FROM api_keys")
    assert [row.fingerprint for row in rows] == [fingerprint("osk_new_key")]


async def test_removing_a_link_drops_its_outbox_and_activity(
    store: Store, add_link: AddLink
) -> None:
    link = await add_link()
    entry, _ = await store.enqueue_outbox(
        idempotency_key="k1",
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
    await store.touch_link_activity(link.id, "out")
    await store.remove_link(link.id)
    assert await store.outbox_entry(entry.id) is None
    assert await store.link_activity(link.id) == (None, None)


async def test_links_survive_rows_written_by_hand_with_empty_thread(
    store: Store, add_link: AddLink
) -> None:
    # "" and None both mean "the whole chat".
    link = await add_link(thread_id="")
    assert link.thread_id is None
    assert await store.find_link("telegram", "-100123", None) == link
    async with store.engine.connect() as conn:
        stored = await conn.scalar(sa.text("SELECT thread_id FROM links"))
    assert stored == ""
