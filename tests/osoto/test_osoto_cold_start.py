"""A fresh client learns the key's rate limit before it bursts.

Given a key the sandbox allows 20 requests a minute and a client that has never seen
a rate-limit header, when 25 calls start at once, then one goes out alone, its
answer's `X-RateLimit-Limit`/`Remaining` set the budget, and the other 24 follow
under it: no 429, every call answered.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from osoto_fakes import FakeClock, FaultyTransport

from osoto_bridge.osoto import LimiterRegistry, OsotoClient, Priority, RateLimiter, RetryPolicy
from osoto_bridge.sandbox import Sandbox

BASE = "http://sandbox.test/api/v1"


class Latency(httpx.AsyncBaseTransport):
    """The network's delay in event-loop turns: every call in flight is sent before
    the first answer comes back, as on a real connection (no time passes)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, turns: int = 100) -> None:
        self.inner = inner
        self.turns = turns
        self.in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        try:
            for _ in range(self.turns):
                await asyncio.sleep(0)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


class NetClock(FakeClock):
    """A fake clock whose sleeps pass only once the network is quiet: a request in
    flight takes milliseconds, never the minute a pacer may wait."""

    def __init__(self, start: float) -> None:
        super().__init__(start=start)
        self.network: Latency | None = None

    async def sleep(self, seconds: float) -> None:
        while self.network is not None and self.network.in_flight:
            await asyncio.sleep(0)
        await super().sleep(seconds)


def _world(limit: int) -> tuple[Sandbox, NetClock, str, str]:
    clock = NetClock(start=1_780_000_030.0)  # mid-minute: the server's windows are minutes
    sandbox = Sandbox(":memory:", rate_limit=limit, clock=clock)
    user = sandbox.create_user("Ana")
    group = sandbox.create_group("Travellers", owner_id=user)
    trip = sandbox.create_trip(
        group_id=group, title="Cotswolds", start_date="2026-07-15", end_date="2026-07-22"
    )
    key = sandbox.create_key(user, ["trips:read"])
    return sandbox, clock, key, trip


async def _burst(client: OsotoClient, trip: str, n: int, priority: Priority) -> None:
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(client.get_trip(trip, priority=priority)) for _ in range(n)]
    assert all(t.result().id == trip for t in tasks)


@pytest.mark.parametrize("priority", list(Priority))
async def test_a_cold_burst_of_25_on_a_20_a_minute_key_meets_no_429(priority: Priority) -> None:
    sandbox, clock, key, trip = _world(limit=20)
    with sandbox:
        clock.network = Latency(httpx.ASGITransport(app=sandbox.app))
        transport = FaultyTransport(clock.network, [])
        retry = RetryPolicy(max_rate_limited=0)  # a 429 would fail the call
        async with OsotoClient(
            key, BASE, transport=transport, clock=clock, sleep=clock.sleep, retry=retry
        ) as client:
            await _burst(client, trip, 25, priority)
            assert client.limiter is not None
            assert client.limiter.limit == 20 and client.limiter.snapshot().rate_limited == 0
    assert transport.statuses.count(429) == 0 and len(transport.statuses) == 25


async def test_the_registry_learns_per_key_and_another_users_spending_counts() -> None:
    """Requests made before the start (another process) show in Remaining: kept off."""
    sandbox, clock, key, trip = _world(limit=20)
    with sandbox:
        clock.network = Latency(httpx.ASGITransport(app=sandbox.app))
        transport = FaultyTransport(clock.network, [])
        async with OsotoClient(
            key, BASE, transport=transport, clock=clock, sleep=clock.sleep
        ) as other:
            for _ in range(8):  # someone else spent 8 of this minute
                await other.get_trip(trip)
        registry = LimiterRegistry(clock=clock, sleep=clock.sleep)
        retry = RetryPolicy(max_rate_limited=0)
        async with OsotoClient(
            key, BASE, transport=transport, limiters=registry, clock=clock, sleep=clock.sleep,
            retry=retry,
        ) as client:  # fmt: skip
            await _burst(client, trip, 25, Priority.INTERACTIVE)
    assert transport.statuses.count(429) == 0


async def test_the_old_behaviour_would_have_met_429s() -> None:
    """Without learning first, the assumed 60 lets the burst run into the real 20."""
    sandbox, clock, key, trip = _world(limit=20)
    with sandbox:
        clock.network = Latency(httpx.ASGITransport(app=sandbox.app))
        transport = FaultyTransport(clock.network, [])
        limiter = RateLimiter(clock=clock, sleep=clock.sleep, learn_first=False)
        async with OsotoClient(
            key, BASE, transport=transport, limiter=limiter, clock=clock, sleep=clock.sleep
        ) as client:
            await _burst(client, trip, 25, Priority.INTERACTIVE)
    assert transport.statuses.count(429) > 0


async def test_a_probe_that_gets_no_answer_hands_over_to_the_next_request() -> None:
    """The first request times out: the others do not wait forever for its headers."""
    sandbox, clock, key, trip = _world(limit=20)
    with sandbox:
        clock.network = Latency(httpx.ASGITransport(app=sandbox.app))
        transport = FaultyTransport(clock.network, ["timeout"])
        async with OsotoClient(
            key, BASE, transport=transport, clock=clock, sleep=clock.sleep
        ) as client:
            await _burst(client, trip, 25, Priority.INTERACTIVE)
            assert client.limiter is not None and client.limiter.known
    assert transport.statuses.count(429) == 0 and len(transport.statuses) == 25


async def test_a_server_without_rate_limit_headers_does_not_serialise_the_client() -> None:
    clock = FakeClock(start=0.0)
    seen: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now)
        return httpx.Response(
            200,
            json={"_id": "t1", "title": "T", "startDate": "2026-07-15", "endDate": "2026-07-16"},
        )

    limiter = RateLimiter(clock=clock, sleep=clock.sleep, learn_first=True)
    async with OsotoClient(
        "osk_test", BASE, transport=httpx.MockTransport(handler), limiter=limiter, clock=clock,
        sleep=clock.sleep,
    ) as client:  # fmt: skip
        await _burst(client, "t1", 10, Priority.INTERACTIVE)
    assert limiter.known and len(seen) == 10 and clock.now == 0.0


async def test_a_cancelled_probe_hands_over_too() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, learn_first=True)
    first = await limiter.acquire()
    waiting = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert not waiting.done()
    limiter.abandon(first)
    second = await asyncio.wait_for(waiting, 1)
    assert second.seq == 1 and not limiter.known  # the next one learns
