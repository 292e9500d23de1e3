"""A key's budget across replicas: exact in any sliding 60 s, through a hand-over.

Two `RateLimiter`s of one key, each over its own `Store` (its own connections) on
one PostgreSQL schema, stand for two replicas. Time is virtual: a `Timeline` moves
the one clock both use only when every replica is asleep on it, so what runs
between two moves (the reservations' SQL included) happens at one instant and the
test never sleeps. Without the shared record each limiter would count only its own
requests: the new holder of a key would spend a whole budget on top of what the
old one spent in the same minute.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from test_replicas import postgres_url

from osoto_bridge.osoto import Priority, RateLimiter
from osoto_bridge.relay.shared_pacing import StoreBudget
from osoto_bridge.store import Store, generate_secret_key

pytestmark = pytest.mark.postgres

KEY = "sha256:0123456789ab"


class Timeline:
    """Virtual time for several tasks: moves to the next wake-up once all sleep."""

    def __init__(self, tasks: int) -> None:
        self.now = 1_000.0
        self._tasks = tasks
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._asleep = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        self._asleep.set()
        await future

    def done(self) -> None:
        """A task ended: one fewer to wait for."""
        self._tasks -= 1
        self._asleep.set()

    async def run(self) -> None:
        while self._tasks > 0:
            while self._tasks > len(self._sleepers):
                self._asleep.clear()
                await self._asleep.wait()
            if not self._sleepers:
                return
            at, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            future.set_result(None)
            await asyncio.sleep(0)  # let it run up to its next sleep


@pytest.fixture
async def stores() -> AsyncIterator[tuple[Store, Store]]:
    url = postgres_url()
    schema = f"budget_test_{uuid.uuid4().hex[:12]}"
    secret = [generate_secret_key()]
    async with (
        Store.open(url, secret_keys=secret, schema=schema) as a,
        Store.open(url, secret_keys=secret, schema=schema) as b,
    ):
        try:
            yield a, b
        finally:
            async with a.engine.begin() as conn:
                await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def limiter(store: Store, time: Timeline) -> RateLimiter:
    return RateLimiter(
        clock=time.clock,
        sleep=time.sleep,
        wall_clock=time.clock,
        shared=StoreBudget(store),
        key=KEY,
    )


def most_in_a_minute(times: list[float]) -> int:
    """The most requests in any sliding 60 s (a window [t, t + 60))."""
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 60.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def requests(
    time: Timeline,
    pacer: RateLimiter,
    sent: list[float],
    *,
    until: float,
    priority: Priority,
    every: float = 0.0,
    start: float = 0.0,
) -> None:
    """Requests as fast as the pacer lets them (or one every ``every`` s) until ``until``."""
    try:
        if start:
            await time.sleep(start)
        while time.now < until:
            await pacer.acquire(priority)
            sent.append(time.now)
            await time.sleep(every)
    finally:
        time.done()


async def run_all(time: Timeline, *jobs: Callable[[], Awaitable[None]]) -> None:
    async with asyncio.timeout(60), asyncio.TaskGroup() as group:
        for job in jobs:
            group.create_task(job())
        group.create_task(time.run())


async def test_a_key_handed_over_mid_minute_never_makes_more_than_60_in_any_60s(
    stores: tuple[Store, Store],
) -> None:
    time = Timeline(tasks=2)
    old, new = limiter(stores[0], time), limiter(stores[1], time)
    first = time.now
    by_old: list[float] = []
    by_new: list[float] = []
    await run_all(
        time,
        # The old holder spends the key flat out (a person's commands: no reserve
        # held back), then its lease moves 20 s into the minute.
        lambda: requests(time, old, by_old, until=first + 20, priority=Priority.INTERACTIVE),
        # The new holder polls flat out from then on.
        lambda: requests(
            time, new, by_new, until=first + 200, priority=Priority.BACKGROUND, start=20
        ),
    )
    assert by_old[:60] == [first] * 60  # the whole budget, at once
    assert by_new and min(by_new) >= first + 61  # not before the old minute left
    assert most_in_a_minute(by_old + by_new) <= 60


async def test_requests_on_a_replica_not_holding_the_key_count_against_the_holder(
    stores: tuple[Store, Store],
) -> None:
    time = Timeline(tasks=2)
    holder, other = limiter(stores[0], time), limiter(stores[1], time)
    first = time.now
    polls: list[float] = []
    commands: list[float] = []
    await run_all(
        time,
        lambda: requests(time, holder, polls, until=first + 240, priority=Priority.BACKGROUND),
        # Commands answered where their chat's event arrived: one every 3 s.
        lambda: requests(
            time, other, commands, until=first + 240, priority=Priority.INTERACTIVE, every=3
        ),
    )
    assert len(commands) >= 70  # the reserve is the commands' to take
    assert most_in_a_minute(polls + commands) <= 60
    # The holder's polls left the interactive reserve (12 of 60) for them.
    assert all(most_in_a_minute(polls[:n]) <= 48 for n in range(len(polls) + 1))
