"""Posting pace per Slack channel.

Slack lets an app post about one message per second into a channel, with short
bursts above that allowed, and answers sustained faster posting with 429s. Pacing
each channel ourselves keeps the relay under that line: a token bucket per channel,
refilled at one post per ``interval``, holding up to ``burst`` posts, so a person
writing four quick lines sees them cross at once while a long run settles at one a
second. Holding the channel's turn through a post, its retries included, keeps the
channel's messages in order when several senders (the relay, a command answer)
write to it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

DEFAULT_INTERVAL = 1.0
"""Seconds per post into one channel, sustained."""

DEFAULT_BURST = 4
"""Posts one channel may take at once after a quiet spell."""


@dataclass
class _Bucket:
    lock: asyncio.Lock
    tokens: float
    at: float


class ChannelPacer:
    """Paces posts into each channel: ``burst`` at once, then one per ``interval``.

    Args:
        interval: Seconds per post, sustained.
        burst: Posts allowed at once after a quiet spell (1: strictly one per
            ``interval``).
        clock: Monotonic time in seconds.
        sleep: Waits a number of seconds (tests pass a virtual one).
    """

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        burst: int = DEFAULT_BURST,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._interval = interval
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Hold ``channel``'s turn: wait for its pace, then post (and retry) inside."""
        bucket = self._buckets.get(channel)
        if bucket is None:
            bucket = self._buckets[channel] = _Bucket(asyncio.Lock(), self._burst, self._clock())
        async with bucket.lock:
            self._refill(bucket)
            if bucket.tokens < 1.0 and self._interval > 0:
                await self._sleep((1.0 - bucket.tokens) * self._interval)
                self._refill(bucket)
            bucket.tokens = max(0.0, bucket.tokens - 1.0)
            yield

    def _refill(self, bucket: _Bucket) -> None:
        now = self._clock()
        if self._interval > 0:
            earned = (now - bucket.at) / self._interval
            bucket.tokens = min(self._burst, bucket.tokens + earned)
        else:
            bucket.tokens = self._burst
        bucket.at = now
