"""Replicas on one PostgreSQL database: each runs its share, one runs each job,
a stopped one hands over at once, a silent one is taken over, wake-ups cross.

Two `ReplicaCoordinator`s in one process, each with its own `Store` (its own
connections), stand for two `run` processes; the scenario test
(tests/ops/test_replicas_scenario.py) runs real processes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from relay_world import postgres_url

from osoto_bridge.relay.replicas import TELEGRAM_POLLER, ReplicaCoordinator
from osoto_bridge.store import Store, generate_secret_key
from osoto_bridge.util import RateShare

pytestmark = pytest.mark.postgres


UNITS = {f"key:{n}" for n in range(30)}


class Job:
    """An exclusive job that says when it runs."""

    def __init__(self) -> None:
        self.running = asyncio.Event()
        self.stopped = asyncio.Event()

    async def start(self) -> None:
        self.stopped.clear()
        self.running.set()

    async def stop(self) -> None:
        self.running.clear()
        self.stopped.set()


class WatchedShare(RateShare):
    """A replica's part of the bots' rates, every value it took kept."""

    def __init__(self, changed: asyncio.Event) -> None:
        self.seen: list[float] = []
        self._changed = changed
        super().__init__(0.0)  # as `run` starts a replica: holding until sized

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        if name == "fraction":
            assert isinstance(value, float)
            self.seen.append(value)
            self._changed.set()


class Replica:
    """A coordinator and what it was told to run."""

    def __init__(self, store: Store, name: str, ttl: float) -> None:
        self.job = Job()
        self.changed = asyncio.Event()
        self.share = WatchedShare(self.changed)
        self.coordinator = ReplicaCoordinator(
            store=store,
            replica_id=name,
            ttl=ttl,
            exclusive={TELEGRAM_POLLER: self.job},
            share=self.share,
        )
        self.woken: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.coordinator.bind(on_change=self._changed, on_wake=self._woken)
        self.coordinator.offer(UNITS)

    async def _changed(self) -> None:
        self.changed.set()

    def _woken(self, trip_id: str, channel_id: str) -> None:
        self.woken.put_nowait((trip_id, channel_id))

    def held(self) -> set[str]:
        return {unit for unit in UNITS if self.coordinator.holds(unit)}

    async def until(self, predicate: object, timeout: float = 20.0) -> None:
        assert callable(predicate)
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def stores() -> AsyncIterator[tuple[Store, Store]]:
    url = postgres_url()
    schema = f"replicas_test_{uuid.uuid4().hex[:12]}"
    key = [generate_secret_key()]
    async with (
        Store.open(url, secret_keys=key, schema=schema) as a,
        Store.open(url, secret_keys=key, schema=schema) as b,
    ):
        try:
            yield a, b
        finally:
            async with a.engine.begin() as conn:
                await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


async def test_two_replicas_split_the_keys_and_one_runs_the_poller(
    stores: tuple[Store, Store],
) -> None:
    a = Replica(stores[0], "a", ttl=4)
    b = Replica(stores[1], "b", ttl=4)
    async with a.coordinator:
        assert a.held() == UNITS  # alone: everything
        await asyncio.wait_for(a.job.running.wait(), 10)
        async with b.coordinator:
            await a.until(lambda: len(a.held()) == 15)
            await b.until(lambda: len(b.held()) == 15)
            assert not (a.held() & b.held())
            assert a.job.running.is_set() and not b.job.running.is_set()
            assert b.coordinator.status().describe().startswith("replica b: holding 15 of 30")
            # A line accepted on b for a channel a holds: a is woken through NOTIFY.
            b.coordinator.wake("trip-1", "channel-1")
            assert await asyncio.wait_for(a.woken.get(), 10) == ("trip-1", "channel-1")
        # b stopped gracefully: its half is back with a at once, not after the TTL.
        await a.until(lambda: a.held() == UNITS, timeout=3.0)


async def test_a_replica_that_stops_renewing_is_taken_over_after_its_lease(
    stores: tuple[Store, Store],
) -> None:
    a = Replica(stores[0], "a", ttl=2)
    b = Replica(stores[1], "b", ttl=2)
    await a.coordinator.__aenter__()
    await asyncio.wait_for(a.job.running.wait(), 10)
    async with b.coordinator:
        await b.until(lambda: len(b.held()) == 15)
        assert b.coordinator.status().standing_by is False
        # a falls silent as a SIGKILLed process would: no round, no release.
        await a.coordinator.abort()
        await b.until(lambda: b.held() == UNITS, timeout=15)
        await asyncio.wait_for(b.job.running.wait(), 10)


async def test_a_joining_replica_holds_its_sends_until_the_other_gave_up_half_the_bot_rate(
    stores: tuple[Store, Store],
) -> None:
    a = Replica(stores[0], "a", ttl=8)
    b = Replica(stores[1], "b", ttl=8)
    async with a.coordinator:
        assert a.share.fraction == 1.0  # alone: Telegram's 30/s, Slack's 50/s
        async with b.coordinator:
            # b's first round finds a's whole part recorded: b holds. a's next round
            # (b's NOTIFY asks for it at once, not after a quarter TTL) halves a,
            # records it, and tells b, which then takes its half.
            await b.until(lambda: b.share.fraction == 0.5, timeout=5)
            assert b.share.seen[:2] == [0.0, 0.0]
            assert a.share.fraction == 0.5
        # b stopped and signed off: a takes the whole rate back in its next round.
        await a.until(lambda: a.share.fraction == 1.0, timeout=10)
