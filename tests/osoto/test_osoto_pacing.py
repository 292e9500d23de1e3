"""The per-key pacer: budget, reserve, priorities, server feedback, fake time."""

from __future__ import annotations

import asyncio

import pytest
from osoto_fakes import FakeClock, ManualClock, settle

from osoto_bridge.osoto import LimiterRegistry, Priority, RateLimiter
from osoto_bridge.osoto.pacing import BURST_HEADROOM

BG = Priority.BACKGROUND
INT = Priority.INTERACTIVE


def limiter(clock: FakeClock, **kwargs: float) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


async def test_a_full_window_goes_at_once_and_the_next_waits_for_a_slot() -> None:
    clock = FakeClock()
    pacer = limiter(clock)
    for _ in range(60):
        await pacer.acquire()
    assert clock.sleeps == []
    assert pacer.snapshot().remaining == 0
    assert pacer.snapshot().reset_in == pytest.approx(61.0)
    await pacer.acquire()
    assert clock.slept == pytest.approx(61.0)


async def test_background_leaves_the_reserve_to_interactive() -> None:
    clock = ManualClock()
    pacer = RateLimiter(limit=10, reserve=0.2, clock=clock, sleep=clock.sleep)
    for _ in range(8):
        await pacer.acquire(BG)
    assert pacer.snapshot().remaining == 2
    background = asyncio.create_task(pacer.acquire(BG))
    await settle()
    assert not background.done() and clock.sleeping == 1
    # the reserve still serves people at once
    await pacer.acquire(INT)
    await pacer.acquire(INT)
    assert pacer.snapshot().remaining == 0
    await clock.advance(60.9)
    assert not background.done()
    await clock.advance(0.1)
    assert background.done()


async def test_interactive_waiters_go_before_earlier_background_ones() -> None:
    clock = ManualClock()
    pacer = RateLimiter(limit=3, reserve=0.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await pacer.acquire()
    order: list[str] = []

    async def call(name: str, priority: Priority) -> None:
        await pacer.acquire(priority)
        order.append(name)

    async with asyncio.TaskGroup() as tg:
        for name, priority in (("bg1", BG), ("int1", INT), ("bg2", BG), ("int2", INT)):
            tg.create_task(call(name, priority))
            await settle()
        snap = pacer.snapshot()
        assert (snap.waiting_interactive, snap.waiting_background) == (2, 2)
        assert clock.sleeping == 1  # one waiter sleeps on the clock for all of them
        await clock.advance(61.0)
        assert order == ["int1", "int2", "bg1"]
        await clock.advance(61.0)
    assert order == ["int1", "int2", "bg1", "bg2"]


async def test_lower_server_remaining_counts_as_spent_and_stale_answers_are_ignored() -> None:
    clock = FakeClock()
    pacer = limiter(clock)
    first = await pacer.acquire()
    second = await pacer.acquire()
    pacer.observe(second, limit=60, remaining=20)
    assert pacer.snapshot().remaining == 20
    pacer.observe(first, limit=60, remaining=59)  # older answer, arrived late
    assert pacer.snapshot().remaining == 20
    third = await pacer.acquire()
    await pacer.acquire()  # the fourth, still on its way
    # the server answered the third before counting the fourth
    pacer.observe(third, remaining=19)
    assert pacer.snapshot().remaining == 18


async def test_requests_the_server_counted_out_of_order_are_not_taken_for_a_stranger() -> None:
    clock = FakeClock()
    pacer = limiter(clock)
    first = await pacer.acquire()
    second = await pacer.acquire()
    # Both in flight; the server counted the second first, then the first.
    pacer.observe(first, limit=60, remaining=58)
    pacer.observe(second, limit=60, remaining=59)
    assert pacer.snapshot().remaining == 58  # two sent, nobody else


async def test_background_spacing_spreads_what_interactive_requests_left() -> None:
    clock = FakeClock()
    pacer = limiter(clock)  # 60 a window of 61 s, 12 kept for interactive requests
    assert pacer.background_spacing() == pytest.approx(61 / (48 - BURST_HEADROOM))
    for _ in range(12):
        await pacer.acquire()  # posts
    await pacer.acquire(BG)  # polls do not count against themselves
    assert pacer.background_spacing() == pytest.approx(61 / (36 - BURST_HEADROOM))
    clock.now += 62  # the posts aged out of the window
    assert pacer.background_spacing() == pytest.approx(61 / (48 - BURST_HEADROOM))


async def test_server_limit_replaces_the_assumed_one() -> None:
    clock = FakeClock()
    pacer = limiter(clock)
    ticket = await pacer.acquire()
    pacer.observe(ticket, limit=5, remaining=4)
    snap = pacer.snapshot()
    assert (snap.limit, snap.remaining, snap.reserve) == (5, 4, 1)


async def test_retry_after_holds_everyone_then_gives_a_fresh_window() -> None:
    clock = FakeClock()
    pacer = limiter(clock)
    ticket = await pacer.acquire()
    pacer.observe(ticket, remaining=0, retry_after=12)
    assert pacer.snapshot().blocked_for == pytest.approx(12.0)
    await pacer.acquire(BG)
    assert clock.slept == pytest.approx(12.0)
    assert pacer.snapshot().remaining == 59


async def test_a_cancelled_sleeper_hands_over_to_the_next_waiter() -> None:
    clock = FakeClock()
    parked = asyncio.Event()

    async def stalled_sleep(seconds: float) -> None:
        parked.set()
        await asyncio.Event().wait()  # never returns: only cancellation ends it

    pacer = RateLimiter(limit=1, clock=clock, sleep=stalled_sleep)
    await pacer.acquire()
    sleeper = asyncio.create_task(pacer.acquire())
    await parked.wait()
    parked.clear()
    other = asyncio.create_task(pacer.acquire())
    await asyncio.sleep(0)
    assert not parked.is_set()  # only one waiter sleeps on the clock
    sleeper.cancel()
    await parked.wait()  # the other waiter took over the sleeping
    assert pacer.snapshot().waiting_interactive == 1
    other.cancel()
    with pytest.raises(asyncio.CancelledError):
        await other
    assert pacer.snapshot().waiting_interactive == 0


async def test_a_burst_of_200_never_puts_more_than_the_limit_in_any_window() -> None:
    clock = FakeClock()
    pacer = limiter(clock)
    times: list[float] = []

    async def call(priority: Priority) -> None:
        await pacer.acquire(priority)
        times.append(clock.now)

    async with asyncio.TaskGroup() as tg:
        for n in range(200):
            tg.create_task(call(BG if n % 2 else INT))
    assert len(times) == 200
    for start in times:
        assert sum(1 for t in times if start <= t < start + 60.0) <= 60
    # 60 at once, then 60 a window (background keeping off the reserve at first)
    assert max(times) - min(times) <= 4 * 61.0


def test_registry_shares_one_limiter_per_key() -> None:
    registry = LimiterRegistry(limit=30)
    a = registry.for_key("osk_a")
    assert registry.for_key("osk_a") is a
    assert registry.for_key("osk_b") is not a
    assert a.limit == 30
    snapshot = registry.snapshot()
    assert len(snapshot) == 2
    assert all(k.startswith("sha256:") and "osk" not in k for k in snapshot)
