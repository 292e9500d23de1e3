"""Virtual time for concurrent sleepers: a clock that moves only when all are asleep.

`VirtualClock.run` runs coroutines to their end; whenever every one of them waits
(on a virtual ``sleep``, or on a lock another sleeper holds), it moves the clock to
the earliest wake-up and wakes whoever sleeps until then. Many tasks sleeping at once
each wait their own time, as on a real clock (a clock that each sleep simply moves
forward would add their waits up). Meant for code without real I/O between sleeps.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

_SETTLE = 50
"""Loop turns that let every woken task run until it waits again."""


class VirtualClock:
    """Monotonic virtual seconds (`now`, `clock`) and a `sleep` that waits on them."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, *coros: Coroutine[Any, Any, Any]) -> list[Any]:
        """Run ``coros`` concurrently, moving time whenever all of them wait."""
        tasks = [asyncio.ensure_future(coro) for coro in coros]
        while True:
            for _ in range(_SETTLE):
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                return [task.result() for task in tasks]
            if not self._sleepers:
                for task in tasks:
                    task.cancel()
                raise RuntimeError("every task waits and none sleeps: a deadlock")
            when = self._sleepers[0][0]
            self.now = max(self.now, when)
            while self._sleepers and self._sleepers[0][0] <= self.now:
                heapq.heappop(self._sleepers)[2].set_result(None)
