"""Posting pace per Slack channel.

Slack lets an app post about one message per second into a channel, with short
bursts above that allowed, and answers sustained faster posting with 429s. Pacing
each channel ourselves keeps the relay under that line: a token bucket per channel,
refilled at one post per ``interval``, holding up to ``burst`` posts, so a person
writing four quick lines sees them cross at once while a long run settles at one a
second. Holding the channel's turn through a post, its retries included, keeps the
channel's messages in order when several senders (the relay, a command answer)
write to it at once. The workspace as a whole is paced too (Slack: about 50 posts a
second for an app), the channel's and the workspace's token taken at the same
instant (`osoto_bridge.util.take_all`).

PostgreSQL replicas share each channel's bucket (``shared``, a `SharedChatPace`):
a post first takes its channel's token from the shared record, then this
process's own, so a channel's pace holds whichever replica posts (a command's
answer from the replica that got the command, the lines from the channel's
holder).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from osoto_bridge.chat.base import SharedChatPace
from osoto_bridge.util import SHARED_BURST, UNDER_THE_LIMIT, RateShare, TokenBucket, take_all

DEFAULT_INTERVAL = 1.0 / UNDER_THE_LIMIT
"""Seconds per post into one channel, sustained: Slack's one a second, a little
under it (`UNDER_THE_LIMIT`: the post's arrival, not its departure, is counted)."""

DEFAULT_BURST = 4
"""Posts one channel may take at once after a quiet spell."""

DEFAULT_WORKSPACE_RATE = 50.0 * UNDER_THE_LIMIT
"""Posts a second into the whole workspace (Slack's ``chat.postMessage`` limit of 50,
a little under it)."""


@dataclass
class _Channel:
    lock: asyncio.Lock
    bucket: TokenBucket | None


class ChannelPacer:
    """Paces posts into each channel: ``burst`` at once, then one per ``interval``.

    Args:
        interval: Seconds per post, sustained (0: channels unpaced).
        burst: Posts allowed at once after a quiet spell (1: strictly one per
            ``interval``).
        workspace_rate: Posts a second into all channels together (0: unpaced).
        clock: Monotonic time in seconds.
        sleep: Waits a number of seconds (tests pass a virtual one).
        share: This process's part of ``workspace_rate`` (PostgreSQL replicas share
            it; the whole when None).
        shared: The channels' paces shared by PostgreSQL replicas (None: one
            process, whose own buckets see every post).
    """

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL,
        *,
        burst: int = DEFAULT_BURST,
        workspace_rate: float = DEFAULT_WORKSPACE_RATE,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
        share: RateShare | None = None,
        shared: SharedChatPace | None = None,
    ) -> None:
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._interval = interval
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._workspace = (
            TokenBucket(workspace_rate, max(1.0, workspace_rate * SHARED_BURST), clock(), share)
            if workspace_rate > 0
            else None
        )
        self._channels: dict[str, _Channel] = {}
        self._shared = shared

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Hold ``channel``'s turn: wait for its pace, then post (and retry) inside."""
        state = self._channels.get(channel)
        if state is None:
            bucket = None
            if self._interval > 0:
                bucket = TokenBucket(1.0 / self._interval, self._burst, self._clock())
            state = self._channels[channel] = _Channel(asyncio.Lock(), bucket)
        async with state.lock:
            if self._shared is not None and self._interval > 0:
                rates = [(1.0 / self._interval, float(self._burst))]
                while (wait := await self._shared.take(f"slack:{channel}", rates=rates)) > 0:
                    await self._sleep(wait)
            buckets = [b for b in (state.bucket, self._workspace) if b is not None]
            await take_all(buckets, clock=self._clock, sleep=self._sleep)
            yield
