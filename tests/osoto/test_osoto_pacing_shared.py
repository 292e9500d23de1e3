"""A limiter over a key's shared record (replicas): in memory, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest
from osoto_fakes import FakeClock, settle

from osoto_bridge.osoto import Priority, RateLimiter, Reservation, TransportError


class Record:
    """The shared record of one key, as the store keeps it (`store/_budgets.py`)."""

    def __init__(self) -> None:
        self.sends: list[float] = []
        self.gate: asyncio.Event | None = None  # set: reservations wait for it
        self.down = False

    async def reserve(self, key: str, *, at: float, horizon: float, room: int) -> Reservation:
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise TransportError("the record is out of reach")
        self.sends = [t for t in self.sends if t > at - horizon]
        granted = len(self.sends) < room
        if granted:
            self.sends.append(at)
        return Reservation(granted=granted, sends=list(self.sends))


def pacer(clock: FakeClock, record: Record) -> RateLimiter:
    return RateLimiter(
        clock=clock, sleep=clock.sleep, wall_clock=clock, shared=record, key="sha256:k"
    )


async def test_another_replicas_full_minute_makes_this_one_wait_for_its_oldest() -> None:
    clock = FakeClock()
    record = Record()
    record.sends = [clock.now - 30.0] * 60  # another replica spent the key 30 s ago
    await pacer(clock, record).acquire(Priority.INTERACTIVE)
    assert clock.now == pytest.approx(1_000.0 + 31.0)  # 61 s after those, not at once
    assert len(record.sends) == 1


async def test_a_reservation_under_way_does_not_make_the_budget_look_spent() -> None:
    # The drain asks `ready` to choose between one post now and a merged one later:
    # a reservation's round trip must not read as a spent budget.
    clock = FakeClock()
    record = Record()
    limiter = pacer(clock, record)
    record.gate = asyncio.Event()
    first = asyncio.create_task(limiter.acquire(Priority.BACKGROUND))
    await settle()
    assert not first.done()
    assert limiter.ready(Priority.INTERACTIVE)
    record.gate.set()
    await first


async def test_an_unreachable_record_fails_the_request_and_spends_nothing() -> None:
    clock = FakeClock()
    record = Record()
    record.down = True
    limiter = pacer(clock, record)
    with pytest.raises(TransportError):
        await limiter.acquire(Priority.INTERACTIVE)
    record.down = False
    await limiter.acquire(Priority.INTERACTIVE)
    assert limiter.snapshot().remaining == 59
