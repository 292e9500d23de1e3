"""Measure what the plan watch costs a key: requests per trip per hour.

    .venv/bin/python bench/announce_budget.py [--trips 20] [--interval 120] [--hours 1]

Runs the real `Announcer` against the sandbox (in process, over httpx's ASGI
transport) on a virtual clock, so an hour takes seconds, and counts every request
that reaches the sandbox with its virtual time. Two phases:

1. **watch alone**: N trips, each with its own key: the watch's exports per trip per
   hour at the given interval (the figure docs/announcements.md quotes);
2. **beside the busiest poll rhythm**: one trip whose channel is polled at the
   fastest background spacing the schedule allows (`PollTiming.floor_for(1)`,
   1.33 s), with the watch on the same key and limiter: the most requests the key
   made in any 60 s window (must stay under the key's 60), and how many exports
   the watch still got in.

Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from osoto_bridge.announce import Announcer, AnnounceTiming
from osoto_bridge.osoto import LimiterRegistry, Priority
from osoto_bridge.relay import ClientPool, PollTiming
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Link, Store, generate_secret_key

BASE_URL = "http://sandbox.bench/api/v1"


class VirtualClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class CountingTransport(httpx.AsyncBaseTransport):
    """Forwards to the sandbox app and notes (virtual time, path) of each request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock: VirtualClock) -> None:
        self._inner = inner
        self._clock = clock
        self.log: list[tuple[float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append((self._clock(), request.url.path))
        return await self._inner.handle_async_request(request)


def _most_in_a_minute(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 60.0) - i for i, t in enumerate(times)), default=0)


async def _setup(trips: int, tmp: Path, clock: VirtualClock) -> tuple[Any, ...]:
    sandbox = Sandbox(":memory:", rate_limit=10**9)
    owner = sandbox.create_user("Ana")
    group = sandbox.create_group("Friends", owner_id=owner)
    store = await Store.open(
        f"sqlite+aiosqlite:///{tmp / 'bridge.db'}", secret_keys=[generate_secret_key()]
    )
    transport = CountingTransport(httpx.ASGITransport(app=sandbox.app), clock)
    pool = ClientPool(
        store=store,
        base_url=BASE_URL,
        transport=transport,
        limiters=LimiterRegistry(clock=clock),
        clock=clock,
    )
    links: list[Link] = []
    for n in range(trips):
        trip = sandbox.create_trip(
            group_id=group, title=f"Trip {n}", start_date="2027-01-01", end_date="2027-01-08"
        )
        channel = sandbox.create_channel(trip, "bench")
        key = sandbox.create_key(owner, ["trips:read", "messages:read"])
        links.append(
            await store.add_link(
                platform="console",
                chat_id=f"chat{n}",
                thread_id=None,
                trip_id=trip,
                trip_title=f"Trip {n}",
                channel_id=channel,
                channel_name="general",
                api_key=key,
                owner_user_id=owner,
                scopes=["trips:read", "messages:read"],
            )
        )
    return sandbox, store, pool, transport, links


async def _watch_alone(trips: int, interval: float, hours: float) -> float:
    clock = VirtualClock()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, store, pool, transport, _ = await _setup(trips, Path(tmp), clock)

        async def send(message: Any) -> None:
            return None

        timing = AnnounceTiming(interval=interval)
        announcer = Announcer(
            store=store, client_for=pool.client_for, send=send, timing=timing, clock=clock
        )
        end = clock.now + hours * 3600
        while clock.now < end:
            await announcer.check()
            clock.now += timing.check_every
        exports = sum(1 for _, path in transport.log if path.endswith("/export"))
        await pool.aclose()
        await store.close()
        sandbox.close()
    return exports / trips / hours


async def _beside_the_busiest_polls(interval: float, minutes: float) -> tuple[int, float, int]:
    clock = VirtualClock()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, store, pool, transport, links = await _setup(1, Path(tmp), clock)
        link = links[0]
        client = await pool.client_for(link)

        async def send(message: Any) -> None:
            return None

        timing = AnnounceTiming(interval=interval)
        announcer = Announcer(
            store=store, client_for=pool.client_for, send=send, timing=timing, clock=clock
        )
        spacing = PollTiming().floor_for(1)
        next_poll = clock.now
        next_check = clock.now
        end = clock.now + minutes * 60
        step = 0.05
        while clock.now < end:
            if clock.now >= next_poll:
                if client.limiter.ready(Priority.BACKGROUND):
                    await client.list_messages(
                        link.trip_id, link.channel_id, priority=Priority.BACKGROUND
                    )
                next_poll += spacing
            if clock.now >= next_check:
                await announcer.check()
                next_check += timing.check_every
            clock.now += step
        times = [t for t, _ in transport.log]
        exports = sum(1 for _, path in transport.log if path.endswith("/export"))
        await pool.aclose()
        await store.close()
        sandbox.close()
    return _most_in_a_minute(times), exports / (minutes / 60), len(times)


async def _idle_check_cost(trips: int) -> float:
    """Seconds of CPU one look at every trip costs when no fetch is due (every 15 s)."""
    clock = VirtualClock()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, store, pool, _, _ = await _setup(trips, Path(tmp), clock)

        async def send(message: Any) -> None:
            return None

        announcer = Announcer(
            store=store,
            client_for=pool.client_for,
            send=send,
            timing=AnnounceTiming(spread=False),
            clock=clock,
        )
        await announcer.check()  # the first look fetches every plan
        clock.now += 15
        await announcer.check()  # plans in memory, schedules built
        looks = 5
        started = time.process_time()
        for _ in range(looks):
            clock.now += 15
            await announcer.check()
        cost = (time.process_time() - started) / looks
        await pool.aclose()
        await store.close()
        sandbox.close()
    return cost


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=20)
    parser.add_argument("--interval", type=float, default=120.0)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--busy-minutes", type=float, default=20.0)
    parser.add_argument("--scan-trips", type=int, default=1000)
    args = parser.parse_args()
    per_trip = await _watch_alone(args.trips, args.interval, args.hours)
    print(
        f"watch alone: {per_trip:.1f} export requests per trip per hour "
        f"at a {args.interval:g} s interval ({args.trips} trips, {args.hours:g} h virtual)"
    )
    peak, exports_per_hour, total = await _beside_the_busiest_polls(
        args.interval, args.busy_minutes
    )
    print(
        f"beside the busiest poll rhythm ({PollTiming().floor_for(1):.2f} s): most requests "
        f"of the key in any 60 s: {peak} (limit 60); watch exports still made: "
        f"{exports_per_hour:.1f} per hour; {total} requests in {args.busy_minutes:g} min"
    )
    cost = await _idle_check_cost(args.scan_trips)
    print(
        f"one look at {args.scan_trips} trips with no fetch due: {cost * 1000:.0f} ms CPU "
        f"(every 15 s: {cost / 15 * 100:.1f}% of a core)"
    )


if __name__ == "__main__":
    asyncio.run(main())
