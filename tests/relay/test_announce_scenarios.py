"""The trip speaks up, end to end: the real sandbox, a real store, the recording chat,
real time (short intervals and leads keep it to seconds)."""

from __future__ import annotations

import asyncio
import datetime as dt

from relay_world import World

from osoto_bridge.announce import Announcer, AnnounceTiming, build_announcer
from osoto_bridge.chat import Capabilities, RecordingChat
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.relay import Bridge

QUICK = AnnounceTiming(interval=1.0, check_every=0.1, group_window=0.2)


async def _start(world: World) -> Announcer:
    assert world.store is not None and world.pool is not None
    world.telegram = RecordingChat(
        "telegram",
        capabilities=Capabilities(max_length=4096, buttons=True),
        admins={"chat1": {"alice"}},
    )
    await world.link(world.telegram, "chat1")
    await world.link(world.slack, "C1")
    commands = CommandService(cache=SnapshotCache(ttl=0.0))
    adapters = [world.telegram, world.slack]
    announcer = build_announcer(
        store=world.store,
        client_for=world.pool.client_for,
        adapters=adapters,
        commands=commands,
        timing=QUICK,
    )
    world.bridge = Bridge(
        store=world.store,
        adapters=adapters,
        pool=world.pool,
        commands=commands,
        timing=world.timing,
        services=[announcer],
    )
    await world.bridge.start()
    # the first look stores the plan (nothing to announce yet)
    async with asyncio.timeout(10):
        while await world.store.plan_snapshot(world.trip_id) is None:
            await asyncio.sleep(0.02)
    return announcer


async def test_a_leg_added_in_osoto_shows_in_a_digest(world: World) -> None:
    announcer = await _start(world)
    await world.client.create_leg(
        world.trip_id,
        order=1,
        title="Porto",
        destination="Porto",
        start_date="2026-12-05",
        end_date="2026-12-08",
        timezone="Europe/Lisbon",
    )
    for chat in (world.telegram, world.slack):
        await chat.wait_for(lambda sent: any("New leg: Porto" in m.text for m in sent), within=10)
    # once, however often the watch looks again
    for _ in range(3):
        await announcer.check()
    assert sum("New leg: Porto" in m.text for m in world.telegram.sent) == 1


async def test_remind_2m_announces_a_commitment_once_about_two_minutes_ahead(
    world: World,
) -> None:
    announcer = await _start(world)
    await world.telegram.write("chat1", "/remind 2m", author="Alice")
    await world.telegram.wait_for(lambda sent: any("2 min" in m.text for m in sent))
    await world.slack.write("C1", "/remind 2m", author="Zed")  # not an admin there
    await world.slack.wait_for(lambda sent: any("admin" in m.text for m in sent))
    asked_at = dt.datetime.now(dt.UTC)
    # Osoto times are whole minutes: the reminder's moment (start - 2 min) is the
    # current minute's start, so it is due as soon as the commitment exists.
    start = asked_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=2)
    await world.client.create_commitment(
        world.trip_id,
        title="Pasteis tasting",
        start_date=start.date().isoformat(),
        start_time=start.strftime("%H:%M"),
        timezone="UTC",
        category="dinner",
    )
    await world.telegram.wait_for(
        lambda sent: any("Pasteis tasting starts" in m.text for m in sent), within=10
    )
    told_at = dt.datetime.now(dt.UTC)
    # not before its moment, promptly once due, and well before the start (a fixed
    # "more than a minute ahead" fails when the test begins in a minute's last second)
    assert start - dt.timedelta(minutes=2) <= told_at < start
    assert told_at - asked_at < dt.timedelta(seconds=30)
    # a few more checks: never twice; Slack keeps the default (60 min): told too
    for _ in range(3):
        await announcer.check()
    reminders = [m for m in world.telegram.sent if "Pasteis tasting starts" in m.text]
    assert len(reminders) == 1 and "Sent late" not in reminders[0].text


async def test_the_chat_that_ticked_a_to_do_is_not_told(world: World) -> None:
    await _start(world)
    await world.telegram.write("chat1", "/todo add Book the tram tour", author="Alice")
    await world.slack.wait_for(
        lambda sent: any("New to-do: Book the tram tour" in m.text for m in sent), within=10
    )
    assert not any("New to-do" in m.text for m in world.telegram.sent)
