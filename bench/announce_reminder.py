"""Real time, no injected clock: `/remind 2m`, a commitment a few minutes ahead, and
how long before its start the reminder arrives (the issue's "about two minutes").

    .venv/bin/python bench/announce_reminder.py [--ahead 5] [--interval 120]

The sandbox (in process, over httpx's ASGI transport), a real store, the `Bridge`
with its plan watch at the production interval and the recording chat. An admin says
`/remind 2m`; the commitment is created in Osoto to start ``--ahead`` whole minutes
after the current minute. Prints when the reminder came, how long before the start,
and how many arrived (must be one). Takes about ``--ahead`` minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

import httpx

from osoto_bridge.announce import AnnounceTiming, build_announcer
from osoto_bridge.chat import Capabilities, RecordingChat
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.relay import Bridge, ClientPool, inspect_key
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store, generate_secret_key

BASE_URL = "http://sandbox.bench/api/v1"
SCOPES = ["trips:read", "trips:write", "messages:read", "messages:write"]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ahead",
        type=int,
        default=5,
        help="minutes (at least 3; 5 lets the 120 s watch see it before its reminder is due)",
    )
    parser.add_argument("--interval", type=float, default=120.0)
    args = parser.parse_args()
    sandbox = Sandbox(":memory:")
    owner = sandbox.create_user("Ana")
    group = sandbox.create_group("Friends", owner_id=owner)
    today = dt.datetime.now(dt.UTC).date()
    trip = sandbox.create_trip(
        group_id=group,
        title="Bench",
        start_date=today.isoformat(),
        end_date=(today + dt.timedelta(days=2)).isoformat(),
    )
    key = sandbox.create_key(owner, SCOPES)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(
            f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}", secret_keys=[generate_secret_key()]
        )
        pool = ClientPool(
            store=store, base_url=BASE_URL, transport=httpx.ASGITransport(app=sandbox.app)
        )
        client = pool.client_for_key(key)
        report = await inspect_key(client, trip_id=trip, channel="general")
        await store.add_link(
            platform="telegram",
            chat_id="g1",
            thread_id=None,
            trip_id=trip,
            trip_title="Bench",
            channel_id=report.channel.id,
            channel_name=report.channel.name,
            api_key=key,
            owner_user_id=owner,
            scopes=report.scopes,
        )
        chat = RecordingChat(
            "telegram", capabilities=Capabilities(max_length=4096), admins={"g1": {"alice"}}
        )
        commands = CommandService(cache=SnapshotCache(ttl=0.0))
        watch = build_announcer(
            store=store,
            client_for=pool.client_for,
            adapters=[chat],
            commands=commands,
            timing=AnnounceTiming(interval=args.interval),
        )
        bridge = Bridge(
            store=store, adapters=[chat], pool=pool, commands=commands, services=[watch]
        )
        async with bridge:
            await chat.write("g1", "/remind 2m", author="Alice")
            minute = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
            start = minute + dt.timedelta(minutes=max(3, args.ahead))
            await client.create_commitment(
                trip,
                title="Bench dinner",
                start_date=start.date().isoformat(),
                start_time=start.strftime("%H:%M"),
                timezone="UTC",
                category="dinner",
            )
            began = time.monotonic()
            await chat.wait_for(
                lambda sent: any("Bench dinner starts" in m.text for m in sent),
                within=(start - dt.datetime.now(dt.UTC)).total_seconds() + 30,
            )
            told = dt.datetime.now(dt.UTC)
            waited = time.monotonic() - began
            # stay until the start, to see that nothing comes twice
            await asyncio.sleep(max(0.0, (start - dt.datetime.now(dt.UTC)).total_seconds()))
        count = sum("Bench dinner starts" in m.text for m in chat.sent)
        await pool.aclose()
        await store.close()
    sandbox.close()
    print(
        f"commitment at {start:%H:%M:%S} UTC; reminder at {told:%H:%M:%S} "
        f"({(start - told).total_seconds():.1f} s before the start, lead 120 s; "
        f"{waited:.0f} s after creating it); reminders received: {count}"
    )


if __name__ == "__main__":
    asyncio.run(main())
