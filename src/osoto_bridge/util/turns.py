"""One holder at a time, first come first served, with a queue that goes ahead.

`asyncio.Lock` wakes its waiters in arrival order. Where one kind of caller must not
wait behind everyone else (the store's single SQLite connection: what a platform
hands in is written before the relay's own bookkeeping, which a thousand channels
can queue by the hundred), `Turns` keeps two queues: a waiter that asks to go
``first`` is served before any other waiter, each queue in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["Turns"]


class Turns:
    """A mutual exclusion whose ``first`` waiters go before the others."""

    def __init__(self) -> None:
        self._held = False
        self._first: deque[asyncio.Future[None]] = deque()
        self._rest: deque[asyncio.Future[None]] = deque()

    @property
    def held(self) -> bool:
        return self._held

    def waiting(self) -> int:
        """Waiters not served yet (cancelled ones may still be counted)."""
        return len(self._first) + len(self._rest)

    async def acquire(self, *, first: bool = False) -> None:
        """Wait for the turn; ``first``: ahead of every waiter that did not ask to."""
        if not self._held and not self._first and not self._rest:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._first if first else self._rest).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                # Handed the turn just as the caller was cancelled: pass it on.
                self.release()
            raise

    def release(self) -> None:
        """Hand the turn to the next waiter (``first`` ones before the rest)."""
        if not self._held:
            raise RuntimeError("Turns.release() without the turn")
        for queue in (self._first, self._rest):
            while queue:
                turn = queue.popleft()
                if not turn.done():  # a cancelled waiter is skipped
                    turn.set_result(None)
                    return  # still held: by that waiter now
        self._held = False
