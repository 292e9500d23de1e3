"""`Wakeup`: an `asyncio.Event` for the waits every channel keeps, without its deque.

Each `asyncio.Event` allocates a deque for its waiters when it is made, waited on
or not: 760 bytes, where the waiters of a channel's worker and Osoto lane are one
task each, and mostly none. At 5,000 channels their two events were 7.6 MB of empty
deques (docs/benchmarks.md, "At 5,000 trips"). `Wakeup` keeps a list of waiters
only while there are some. `Flag` is what a wait needs of either (`wait_event`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

__all__ = ["Flag", "Wait", "Wakeup"]


class Flag(Protocol):
    """What waiting on a flag needs: an `asyncio.Event` or a `Wakeup`."""

    def is_set(self) -> bool: ...

    async def wait(self) -> object: ...


Wait = Callable[[Flag, float], Awaitable[None]]
"""Wait for a flag at most so many seconds (tests pass one that skips the time)."""


class Wakeup:
    """Set, clear and wait as with `asyncio.Event` (the same semantics)."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        """Set the flag; every task waiting now goes on."""
        if self._set:
            return
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        """Unset the flag: `wait` waits again until the next `set`."""
        self._set = False

    async def wait(self) -> bool:
        """Return at once if set, else once `set` is called."""
        if self._set:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
                if not self._waiters:
                    self._waiters = None
        return True
