"""Posting pace per Slack channel.

Slack lets an app post about one message per second into a channel (short bursts
aside) and answers faster posting with 429s. Pacing each channel ourselves keeps the
relay under that line, and holding the channel's turn through a post, its retries
included, keeps the channel's messages in order when several senders (the relay, a
command answer) write to it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

DEFAULT_INTERVAL = 1.0
"""Seconds between two posts into one channel."""


class ChannelPacer:
    """Spaces posts into each channel at least ``interval`` seconds apart.

    Args:
        interval: The least time between the starts of two posts into one channel.
        clock: Monotonic time in seconds.
        sleep: Waits a number of seconds (tests pass a virtual one).
    """

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_at: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Hold ``channel``'s turn: wait for its pace, then post (and retry) inside."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._next_at.get(channel, 0.0) - self._clock()
            if wait > 0:
                await self._sleep(wait)
            try:
                yield
            finally:
                self._next_at[channel] = self._clock() + self._interval
