"""Notification settings, announcement claims and plan snapshots (every backend)."""

from __future__ import annotations

import asyncio
import dataclasses

from storetest import AddLink, FakeClock

from osoto_bridge.store import NotifySettings, Store


async def test_settings_default_then_stored_per_link(store: Store, add_link: AddLink) -> None:
    a = await add_link()
    b = await add_link(chat_id="-100999")
    assert await store.notify_settings(a.id) == NotifySettings()
    changed = dataclasses.replace(
        NotifySettings(), changes=False, commitment_lead=120, brief_at="08:00"
    )
    await store.set_notify_settings(a.id, changed)
    assert await store.notify_settings(a.id) == changed
    assert await store.notify_settings(b.id) == NotifySettings()
    again = dataclasses.replace(changed, flight_lead=None, brief_at=None)
    await store.set_notify_settings(a.id, again)
    assert await store.notify_settings(a.id) == again


async def test_a_claim_is_won_once_even_at_the_same_moment(store: Store, add_link: AddLink) -> None:
    link = await add_link()
    results = await asyncio.gather(
        *(store.claim_announcement(link.id, "c:x:2026-10-24T19:30+01:00") for _ in range(8))
    )
    assert sorted(results) == [False] * 7 + [True]
    assert await store.announced(link.id, "c:x:2026-10-24T19:30+01:00")
    other = await add_link(chat_id="-100777")
    assert await store.claim_announcement(other.id, "c:x:2026-10-24T19:30+01:00")


async def test_a_released_claim_can_be_won_again_and_old_ones_pruned(
    store: Store, add_link: AddLink, clock: FakeClock
) -> None:
    link = await add_link()
    assert await store.claim_announcement(link.id, "d:1:2")
    await store.release_announcement(link.id, "d:1:2")
    assert await store.claim_announcement(link.id, "d:1:2")
    clock.advance(100)
    assert await store.claim_announcement(link.id, "d:2:3")
    assert await store.prune_announcements(50) == 1
    assert not await store.announced(link.id, "d:1:2")
    assert await store.announced(link.id, "d:2:3")


async def test_plan_snapshots(store: Store) -> None:
    assert await store.plan_snapshot("t1") is None
    await store.set_plan_snapshot("t1", '{"a": 1}')
    await store.set_plan_snapshot("t1", '{"a": 2}')
    assert await store.plan_snapshot("t1") == '{"a": 2}'
    assert await store.plan_snapshot("t2") is None


async def test_removing_a_link_removes_its_settings_and_claims(
    store: Store, add_link: AddLink
) -> None:
    link = await add_link()
    await store.set_notify_settings(link.id, dataclasses.replace(NotifySettings(), changes=False))
    await store.claim_announcement(link.id, "b:2026-10-30")
    await store.remove_link(link.id)
    relinked = await add_link()
    assert await store.notify_settings(relinked.id) == NotifySettings()


async def test_all_settings_in_one_read(store: Store, add_link: AddLink) -> None:
    a = await add_link()
    await add_link(chat_id="-100555")
    changed = dataclasses.replace(NotifySettings(), reminders=False)
    await store.set_notify_settings(a.id, changed)
    assert await store.all_notify_settings() == {a.id: changed}
