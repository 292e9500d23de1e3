"""A 429 storm drops nothing: Osoto allows a key five requests a minute, and another
process spends the same key's budget behind the bridge's back. Time is virtual: the
sandbox's window, the client's pacing and retries, and the relay's waits all run on
one fake clock, so minutes pass in milliseconds."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
from relay_world import ALL_SCOPES, BASE_URL, SECRET, eventually

from osoto_bridge.chat import RecordingChat
from osoto_bridge.osoto import LimiterRegistry, OsotoClient
from osoto_bridge.osoto.key_inspection import inspect_key
from osoto_bridge.relay import Bridge, ClientPool, PollTiming, seek_end
from osoto_bridge.relay.coalesce import OSOTO_SEPARATOR
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store


class VirtualTime:
    """One fake clock; every sleep or timed wait moves it forward instead of waiting."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)

    async def wait(self, event: asyncio.Event, timeout: float) -> None:
        if not event.is_set():
            self.now += max(0.0, timeout)
        await asyncio.sleep(0)


async def test_a_429_storm_delays_but_drops_nothing(tmp_path: Path) -> None:
    time = VirtualTime()
    sandbox = Sandbox(":memory:", rate_limit=5, clock=time.clock)
    ana = sandbox.create_user("Ana")
    ben = sandbox.create_user("Ben")
    group = sandbox.create_group("Friends", owner_id=ana, member_ids=[ben])
    trip = sandbox.create_trip(
        group_id=group, title="Storm", start_date="2026-12-01", end_date="2026-12-03"
    )
    key = sandbox.create_key(ana, list(ALL_SCOPES))
    transport = httpx.ASGITransport(app=sandbox.app)
    store = await Store.open(
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", secret_keys=[SECRET], clock=time.clock
    )
    pool = ClientPool(
        store=store, base_url=BASE_URL, transport=transport, clock=time.clock, sleep=time.sleep
    )
    # another program using the same key, with no pacing at all
    neighbour = httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}
    )
    # reads the channel for the test's checks, on a key (and budget) of its own
    auditor = OsotoClient(
        sandbox.create_key(ben, ["messages:read"]),
        BASE_URL,
        transport=transport,
        limiters=LimiterRegistry(limit=5, clock=time.clock, sleep=time.sleep),
        clock=time.clock,
        sleep=time.sleep,
    )
    chat = RecordingChat("telegram")
    try:
        owner_client = pool.client_for_key(key)
        channel = next(c for c in await owner_client.list_channels(trip) if c.name == "general")
        report = await inspect_key(owner_client, trip_id=trip, channel=channel.id)
        await store.add_link(
            platform="telegram",
            chat_id="tg",
            thread_id=None,
            trip_id=trip,
            trip_title=report.trip_title,
            channel_id=channel.id,
            channel_name=channel.name,
            api_key=key,
            owner_user_id=ana,
            scopes=report.scopes,
        )
        await store.set_cursor(trip, channel.id, await seek_end(owner_client, trip, channel.id))
        bridge = Bridge(
            store=store,
            adapters=[chat],
            pool=pool,
            timing=PollTiming(requests_per_minute=5, idle_interval=20.0),
            clock=time.clock,
            wall_clock=time.clock,
            wait=time.wait,
            link_sync_interval=float("inf"),  # one link, fixed: keep virtual time still
        )
        neighbour_429s = 0
        async with bridge:
            for n in range(12):
                await chat.write("tg", f"chat {n}", message_id=f"m{n}")
                sandbox.post_message(trip, channel.id, author_id=ben, content=f"osoto {n}")
                for _ in range(3):  # the neighbour burns the window
                    response = await neighbour.get(f"{BASE_URL}/trips/{trip}/channels")
                    neighbour_429s += response.status_code == 429

            async def lines_in_osoto() -> list[str]:
                # Under the 429s the Osoto lane merges queued lines into one post
                # (relay/coalesce.py): each line is a paragraph of its own there.
                posts = [m.content async for m in auditor.iterate_messages(trip, channel.id)]
                return [line for post in posts for line in post.split(OSOTO_SEPARATOR)]

            def lines_in_chat() -> list[str]:
                # Time is virtual: a send the other loops' waits overlap looks held,
                # and the chat's lane merges what queued behind it, line by line.
                return [line for m in chat.sent for line in m.text.split("\n\n")]

            async def crossed() -> bool:
                return len(await lines_in_osoto()) == 24 and len(lines_in_chat()) == 12

            await eventually(crossed, timeout=60)
        lines = await lines_in_osoto()
        contents = Counter(lines)
        assert all(contents[f"Alice (Telegram): chat {n}"] == 1 for n in range(12))
        chat_lines = [line for line in lines if line.startswith("Alice")]
        assert chat_lines == [f"Alice (Telegram): chat {n}" for n in range(12)]  # in order
        assert lines_in_chat() == [f"Ben: osoto {n}" for n in range(12)]
        assert neighbour_429s > 0, "the neighbour must have hit the limit"
        limiter = pool.limiters.for_key(key).snapshot()
        assert limiter.rate_limited > 0, "the bridge must have met 429s and survived them"
    finally:
        await neighbour.aclose()
        await auditor.aclose()
        await pool.aclose()
        await store.close()
        sandbox.close()
