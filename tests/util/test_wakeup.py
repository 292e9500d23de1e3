"""`Wakeup` behaves as `asyncio.Event` does, for the waits it replaces."""

from __future__ import annotations

import asyncio

from osoto_bridge.util import Wakeup


async def test_a_wait_returns_at_once_when_set_and_waits_when_cleared() -> None:
    wake = Wakeup()
    wake.set()
    assert wake.is_set()
    assert await asyncio.wait_for(wake.wait(), 1) is True
    wake.clear()
    waiting = asyncio.ensure_future(wake.wait())
    await asyncio.sleep(0)
    assert not waiting.done()
    waiting.cancel()


async def test_set_lets_every_waiter_go_and_a_cancelled_one_is_forgotten() -> None:
    wake = Wakeup()
    first = asyncio.ensure_future(wake.wait())
    second = asyncio.ensure_future(wake.wait())
    gone = asyncio.ensure_future(wake.wait())
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    wake.set()
    assert await asyncio.wait_for(asyncio.gather(first, second), 1) == [True, True]
    assert gone.cancelled()


async def test_a_timed_out_wait_leaves_no_waiter_behind() -> None:
    wake = Wakeup()
    try:
        async with asyncio.timeout(0):
            await wake.wait()
    except TimeoutError:
        pass
    wake.set()  # nothing left to wake: no error, no stale future
    assert wake.is_set()
