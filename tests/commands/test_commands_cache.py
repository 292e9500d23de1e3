"""The snapshot cache: single flight, TTL by an injected clock, invalidation, failures."""

from __future__ import annotations

import asyncio

import pytest
from commands_fixtures import japan_hawaii

from osoto_bridge.commands import SnapshotCache
from osoto_bridge.osoto import TripExport


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Origin:
    """A fetch that counts its calls and, when gated, waits for the test to open it."""

    def __init__(self, *, gated: bool = False) -> None:
        self.calls = 0
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        if not gated:
            self.gate.set()
        self.fail_with: Exception | None = None

    async def fetch(self) -> TripExport:
        self.calls += 1
        self.started.set()
        await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        export = japan_hawaii()
        return export.model_copy(
            update={"trip": export.trip.model_copy(update={"title": f"v{self.calls}"})}
        )


async def test_ten_concurrent_gets_make_one_fetch() -> None:
    cache = SnapshotCache(ttl=30, clock=Clock())
    origin = Origin(gated=True)
    tasks = [asyncio.create_task(cache.get("trip1", origin.fetch)) for _ in range(10)]
    await origin.started.wait()
    origin.gate.set()
    results = await asyncio.gather(*tasks)
    assert origin.calls == 1
    assert {r.trip.title for r in results} == {"v1"}


async def test_a_fresh_snapshot_is_reused_until_the_ttl_passes() -> None:
    clock = Clock()
    cache = SnapshotCache(ttl=30, clock=clock)
    origin = Origin()
    assert (await cache.get("trip1", origin.fetch)).trip.title == "v1"
    clock.now += 29.9
    assert (await cache.get("trip1", origin.fetch)).trip.title == "v1"
    clock.now += 0.1
    assert (await cache.get("trip1", origin.fetch)).trip.title == "v2"
    assert origin.calls == 2


async def test_trips_are_cached_separately() -> None:
    cache = SnapshotCache(clock=Clock())
    origin = Origin()
    await cache.get("trip1", origin.fetch)
    await cache.get("trip2", origin.fetch)
    await cache.get("trip1", origin.fetch)
    assert origin.calls == 2
    assert len(cache) == 2


async def test_invalidate_forces_a_fresh_fetch() -> None:
    cache = SnapshotCache(clock=Clock())
    origin = Origin()
    await cache.get("trip1", origin.fetch)
    cache.invalidate("trip1")
    assert (await cache.get("trip1", origin.fetch)).trip.title == "v2"


async def test_a_fetch_running_when_invalidated_is_not_kept() -> None:
    cache = SnapshotCache(clock=Clock())
    stale = Origin(gated=True)
    early = asyncio.create_task(cache.get("trip1", stale.fetch))
    await stale.started.wait()
    cache.invalidate("trip1")  # the bridge wrote meanwhile
    fresh = Origin()
    after_write = await cache.get("trip1", fresh.fetch)  # does not join the stale fetch
    stale.gate.set()
    assert (await early).trip.title == "v1"
    assert after_write.trip.title == "v1"
    assert fresh.calls == 1
    # What is kept is the fetch that started after the write.
    assert (await cache.get("trip1", stale.fetch)) is after_write


async def test_a_failure_reaches_every_waiter_and_is_not_cached() -> None:
    cache = SnapshotCache(clock=Clock())
    origin = Origin(gated=True)
    origin.fail_with = RuntimeError("osoto down")
    tasks = [asyncio.create_task(cache.get("trip1", origin.fetch)) for _ in range(3)]
    await origin.started.wait()
    origin.gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    origin.fail_with = None
    assert (await cache.get("trip1", origin.fetch)).trip.title == "v2"
    assert origin.calls == 2


async def test_waiters_survive_the_leaders_cancellation() -> None:
    cache = SnapshotCache(clock=Clock())
    origin = Origin(gated=True)
    leader = asyncio.create_task(cache.get("trip1", origin.fetch))
    await origin.started.wait()
    waiter = asyncio.create_task(cache.get("trip1", origin.fetch))
    await asyncio.sleep(0)  # let the waiter join the running fetch
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    origin.gate.set()
    # The waiter was not cancelled: it fetched again in its own name.
    assert (await waiter).trip.title == "v2"
    assert origin.calls == 2


async def test_a_cancelled_waiter_leaves_the_fetch_running() -> None:
    cache = SnapshotCache(clock=Clock())
    origin = Origin(gated=True)
    leader = asyncio.create_task(cache.get("trip1", origin.fetch))
    await origin.started.wait()
    waiter = asyncio.create_task(cache.get("trip1", origin.fetch))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    origin.gate.set()
    assert (await leader).trip.title == "v1"
    assert origin.calls == 1


async def test_the_least_recently_used_trip_goes_first() -> None:
    cache = SnapshotCache(clock=Clock(), max_entries=2)
    origin = Origin()
    await cache.get("a", origin.fetch)
    await cache.get("b", origin.fetch)
    await cache.get("a", origin.fetch)  # a is now the most recent
    await cache.get("c", origin.fetch)  # evicts b
    assert origin.calls == 3
    await cache.get("a", origin.fetch)
    assert origin.calls == 3
    await cache.get("b", origin.fetch)
    assert origin.calls == 4
