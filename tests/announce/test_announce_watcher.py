"""The watch with an injected clock: digests, grouping, own writes, exactly once.

A real store (SQLite file, reopened to play a restart), a fake Osoto client whose
plan the test edits, and a recording `send`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from announce_plans import plan

from osoto_bridge.announce import Announcer, AnnounceTiming, LinkNotifySettings
from osoto_bridge.chat.base import ChatAddress, ChatError, OutboundMessage
from osoto_bridge.commands import CURRENT_CHAT, CommandContext
from osoto_bridge.osoto import Priority, TripExport
from osoto_bridge.store import Link, Store, generate_secret_key
from osoto_bridge.text import render_plain

LONDON = ZoneInfo("Europe/London")
KEY = "osk_live_0123456789abcdefANNOUNCE"


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.now = at.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeLimiter:
    def __init__(self) -> None:
        self.open = True

    def ready(self, priority: Priority = Priority.BACKGROUND) -> bool:
        assert priority is Priority.BACKGROUND
        return self.open


class FakeClient:
    def __init__(self) -> None:
        self.plan: TripExport = plan()
        self.limiter = FakeLimiter()
        self.exports = 0
        self.priorities: list[Priority] = []

    async def export_trip(self, trip_id: str, *, priority: Priority) -> TripExport:
        self.exports += 1
        self.priorities.append(priority)
        return self.plan

    def edit(self, mutate: Callable[[dict[str, Any]], object]) -> None:
        self.plan = plan(mutate)


class World:
    def __init__(self, tmp: Path) -> None:
        self.url_path = tmp
        self.url = f"sqlite+aiosqlite:///{tmp / 'bridge.db'}"
        self.keys = [generate_secret_key()]
        self.clock = Clock(dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON))
        self.client = FakeClient()
        self.sent: list[OutboundMessage] = []
        self.failing = False
        self.store: Store | None = None
        self.links: list[Link] = []

    async def open(self) -> Announcer:
        self.store = await Store.open(self.url, secret_keys=self.keys, clock=self.clock)
        return self.announcer()

    def announcer(self, **timing: Any) -> Announcer:
        assert self.store is not None

        async def client_for(link: Link) -> Any:
            return self.client

        async def send(message: OutboundMessage) -> None:
            if self.failing:
                raise ChatError("chat down")
            self.sent.append(message)

        return Announcer(
            store=self.store,
            client_for=client_for,
            send=send,
            timing=AnnounceTiming(
                **{"interval": 120, "group_window": 20, "spread": False, **timing}
            ),
            clock=self.clock,
        )

    async def link(self, chat_id: str, language: str = "en") -> Link:
        assert self.store is not None
        link = await self.store.add_link(
            platform="telegram",
            chat_id=chat_id,
            thread_id=None,
            trip_id="trip1",
            trip_title="London & Tokyo",
            channel_id="general",
            channel_name="general",
            api_key=KEY,
            owner_user_id="u-ann",
            scopes=["trips:read", "trips:write"],
            language=language,
        )
        self.links.append(link)
        return link

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [
            render_plain(m.document)
            for m in self.sent
            if chat_id is None or m.address.chat_id == chat_id
        ]

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()
            self.store = None


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = World(tmp_path)
    try:
        yield w
    finally:
        await w.close()


async def _settle(announcer: Announcer, world: World, seconds: float = 20.0) -> None:
    """Check, let the grouping window pass, check again."""
    await announcer.check()
    world.clock.advance(seconds)
    await announcer.check()


async def test_first_look_stores_the_plan_and_announces_nothing(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    assert world.sent == []
    assert world.client.priorities == [Priority.BACKGROUND]
    assert world.store is not None and await world.store.plan_snapshot("trip1") is not None


async def test_changes_within_the_window_make_one_digest(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    world.clock.advance(120)
    world.client.edit(lambda d: d["actionItems"][0].update(done=True))
    await announcer.check()  # seen: the window opens
    assert world.sent == []
    world.clock.advance(10)
    world.client.edit(
        lambda d: (
            d["actionItems"][0].update(done=True),
            d["commitments"][0].update(startTime="20:30"),
        )
    )
    world.clock.advance(10)
    await announcer.check()  # the window's end: fetched again, one digest of both
    (digest,) = world.texts()
    assert "2 updates" in digest and "Done: Buy rail passes (by Bo)" in digest
    assert "Moved: Dinner at Dishoom" in digest
    world.clock.advance(120)
    await announcer.check()
    assert len(world.sent) == 1  # nothing new, nothing again


async def test_fetch_cadence_and_budget(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    world.clock.advance(60)
    await announcer.check()
    assert world.client.exports == 1  # not before the interval
    world.clock.advance(60)
    world.client.limiter.open = False
    await announcer.check()
    assert world.client.exports == 1  # the key's background share is spent: later
    world.client.limiter.open = True
    await announcer.check()
    assert world.client.exports == 2


async def test_the_chat_that_made_a_change_is_not_told_but_others_are(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await world.link("B", language="ko")
    await announcer.check()
    token = CURRENT_CHAT.set(ChatAddress("telegram", "A"))
    try:
        announcer.note_write("trip1", "t-rail")
    finally:
        CURRENT_CHAT.reset(token)
    world.client.edit(lambda d: d["actionItems"][0].update(done=True))
    await _settle(announcer, world)
    assert world.texts("A") == []
    (korean,) = world.texts("B")
    assert "완료: Buy rail passes (Bo)" in korean


async def test_changes_off_per_chat(world: World) -> None:
    announcer = await world.open()
    a = await world.link("A")
    await world.link("B")
    assert world.store is not None
    await world.store.set_notify_settings(
        a.id, dataclasses.replace(await world.store.notify_settings(a.id), changes=False)
    )
    await announcer.check()
    world.clock.advance(120)
    world.client.edit(
        lambda d: d["mapPins"].append({"_id": "p9", "name": "Soho", "lat": 1, "lng": 2})
    )
    await _settle(announcer, world)
    assert world.texts("A") == [] and len(world.texts("B")) == 1


async def test_a_reminder_across_a_restart_is_sent_once(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    world.clock.now = dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON).timestamp()
    await announcer.check()
    reminders = [t for t in world.texts() if "Dinner at Dishoom starts" in t]
    assert len(reminders) == 1 and "in 1 hour" in reminders[0]
    # a restart (a new process, the same database), and a second replica at once
    await world.close()
    again = await world.open()
    replica = world.announcer()
    world.clock.advance(30)
    await again.check()
    await replica.check()
    assert len([t for t in world.texts() if "Dinner at Dishoom starts" in t]) == 1


async def test_a_reminder_missed_while_down_is_sent_late_until_the_start(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    await world.close()
    # down from 12:00 until 19:10; the dinner starts at 19:30
    world.clock.now = dt.datetime(2026, 10, 24, 19, 10, tzinfo=LONDON).timestamp()
    again = await world.open()
    await again.check()
    (late,) = [t for t in world.texts() if "Dinner" in t]
    assert "Sent late" in late
    # ...but not once it has started
    world.sent.clear()
    await world.close()
    world.clock.now = dt.datetime(2026, 10, 29, 20, 1, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()
    third = await world.open()
    await third.check()
    assert not any("Sushi starts" in t for t in world.texts())


async def test_moved_after_the_reminder_gets_a_new_one_removed_gets_none(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    world.clock.now = dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON).timestamp()
    await announcer.check()
    world.client.edit(lambda d: d["commitments"][0].update(startTime="21:00"))
    world.clock.now = dt.datetime(2026, 10, 24, 20, 0, tzinfo=LONDON).timestamp()
    await _settle(announcer, world, 20)
    dinner = [t for t in world.texts() if "Dinner at Dishoom starts" in t]
    assert len(dinner) == 2  # one for 19:30, one for the new 21:00
    # removed: the sushi never gets its reminder
    world.client.edit(
        lambda d: (d["commitments"][0].update(startTime="21:00"), d["commitments"].pop(1))
    )
    world.clock.now = dt.datetime(2026, 10, 29, 10, 0, tzinfo=dt.UTC).timestamp() - 200
    await _settle(announcer, world, 200)
    assert not any("Sushi starts" in t for t in world.texts())


async def test_a_failed_send_is_tried_again(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    world.clock.now = dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON).timestamp()
    world.failing = True
    await announcer.check()
    world.failing = False
    world.clock.advance(15)
    await announcer.check()
    assert len([t for t in world.texts() if "Dinner at Dishoom starts" in t]) == 1


async def test_the_briefing_is_the_day_s_where(world: World) -> None:
    announcer = await world.open()
    link = await world.link("A")
    assert world.store is not None
    await world.store.set_notify_settings(
        link.id, dataclasses.replace(await world.store.notify_settings(link.id), brief_at="08:00")
    )
    world.clock.now = dt.datetime(2026, 10, 23, 8, 0, tzinfo=LONDON).timestamp()
    await announcer.check()
    await announcer.check()
    (brief,) = [t for t in world.texts() if "The Hoxton" in t]
    assert "door-4711" not in brief


async def test_settings_port_follows_the_current_chat(world: World) -> None:
    await world.open()
    a = await world.link("A")
    await world.link("B")
    assert world.store is not None
    port = LinkNotifySettings(world.store)
    ctx = CommandContext(
        trip_id="trip1",
        language="en",
        show_sensitive=False,
        scopes=(),
        is_admin=True,
        is_group=True,
        now=dt.datetime.now(dt.UTC),
        platform="telegram",
    )
    assert await port.load(ctx) is None  # no chat in context: not served
    token = CURRENT_CHAT.set(ChatAddress("telegram", "A"))
    try:
        current = await port.load(ctx)
        assert current is not None
        await port.save(ctx, dataclasses.replace(current, brief_at="07:15"))
    finally:
        CURRENT_CHAT.reset(token)
    assert (await world.store.notify_settings(a.id)).brief_at == "07:15"
    assert (await world.store.notify_settings(world.links[1].id)).brief_at is None


async def test_moved_back_and_moved_again_is_told_each_time(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    for time in ("20:30", "19:30", "20:30"):
        world.clock.advance(120)

        def move(d: dict[str, Any], at: str = time) -> None:
            d["commitments"][0].update(startTime=at)

        world.client.edit(move)
        await _settle(announcer, world)
    assert len([t for t in world.texts() if "Moved: Dinner at Dishoom" in t]) == 3


async def test_two_replicas_on_one_store_tell_a_change_once(world: World) -> None:
    first = await world.open()
    second = world.announcer()
    await world.link("A")
    await first.check()
    await second.check()
    world.clock.advance(120)
    world.client.edit(
        lambda d: d["mapPins"].append({"_id": "p9", "name": "Soho", "lat": 1, "lng": 2})
    )
    await first.check()
    await second.check()
    world.clock.advance(20)
    await first.check()
    await second.check()
    world.clock.advance(120)
    await second.check()
    await first.check()
    assert len([t for t in world.texts() if "Soho" in t]) == 1


async def test_first_fetches_spread_over_one_interval(world: World) -> None:
    await world.open()
    assert world.store is not None
    for n in range(40):
        await world.store.add_link(
            platform="telegram",
            chat_id=f"g{n}",
            thread_id=None,
            trip_id=f"trip{n}",
            trip_title="T",
            channel_id="general",
            channel_name="general",
            api_key=KEY,
            owner_user_id="u-ann",
            scopes=["trips:read"],
        )
    spread = world.announcer(spread=True, check_every=15)
    counts = []
    for _ in range(9):  # checks 15 s apart, over one interval (0 s to 120 s)
        await spread.check()
        counts.append(world.client.exports)
        world.clock.advance(15)
    assert counts[0] < 20  # not all at once
    assert counts[-1] == 40  # every trip within one interval


async def test_run_checks_and_prunes_old_claims_until_stopped(world: World) -> None:
    await world.open()
    link = await world.link("A")
    assert world.store is not None
    await world.store.claim_announcement(link.id, "c:old:2026-10-01T19:30+01:00")
    world.clock.advance(8 * 86400)
    await world.store.claim_announcement(link.id, "c:new:2026-10-24T19:30+01:00")

    async def wait(event: asyncio.Event, seconds: float) -> None:
        announcer.stop()  # one pass is enough

    announcer = Announcer(
        store=world.store,
        client_for=_client_for(world),
        send=_discard,
        timing=AnnounceTiming(spread=False),
        clock=world.clock,
        wait=wait,
    )
    await announcer.run()
    assert world.client.exports == 1
    assert not await world.store.announced(link.id, "c:old:2026-10-01T19:30+01:00")
    assert await world.store.announced(link.id, "c:new:2026-10-24T19:30+01:00")


def _client_for(world: World) -> Callable[[Link], Awaitable[Any]]:
    async def client_for(link: Link) -> Any:
        return world.client

    return client_for


async def _discard(message: OutboundMessage) -> None:
    return None


async def test_a_quiet_check_costs_one_read_and_no_request(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    assert world.store is not None
    world.clock.advance(15)
    before = world.store.operations
    await announcer.check()
    # the notification settings only: no link list, no snapshot read, no fetch
    assert world.store.operations - before == 1
    assert world.client.exports == 1


async def test_a_chat_linked_after_a_check_is_told_at_the_next(world: World) -> None:
    announcer = await world.open()
    await world.link("A")
    await announcer.check()
    await world.link("B")  # a change this store made: the links are read again
    world.clock.advance(120)
    world.client.edit(lambda d: d["actionItems"][0].update(done=True))
    await _settle(announcer, world)
    assert len(world.texts("A")) == 1
    assert len(world.texts("B")) == 1


async def test_a_chat_linked_by_another_process_is_seen_within_the_reread(
    world: World,
) -> None:
    from osoto_bridge.announce.timing import LINKS_REREAD

    await world.open()
    announcer = world.announcer(interval=LINKS_REREAD)  # the fetch due with the reread
    await world.link("A")
    await announcer.check()
    other = World(world.url_path)
    other.store = await Store.open(world.url, secret_keys=world.keys, clock=world.clock)
    try:
        await other.link("B")
    finally:
        await other.close()
    world.client.edit(lambda d: d["actionItems"][0].update(done=True))
    world.clock.advance(LINKS_REREAD)
    await _settle(announcer, world)
    assert len(world.texts("B")) == 1
