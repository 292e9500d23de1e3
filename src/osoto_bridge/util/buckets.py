"""Token buckets that wait: the pacing under a platform's rate limits.

A bucket holds up to ``burst`` tokens and earns ``per_second`` of them a second; a
request takes one. `take_all` takes one from each of several buckets at the same
instant (a Telegram message counts against its chat, its group and the bot), waiting
until every one of them has a token: taken one after the other, a wait for the
second would send the request later than the first bucket accounted for, and a
platform measuring send times would see a burst the pacer never allowed.

Waiters take turns at each bucket, in arrival order: only the one whose turn it is
sleeps for the next token. Without turns a thousand Slack channels waiting for the
workspace's rate all woke at every token and all but one slept again (tens of
thousands of wake-ups a second of a 47.5-a-second rate, and whoever woke first won,
however long another had waited).

A bot-wide bucket may take a `RateShare`: PostgreSQL replicas each pace to their
share of the bot's rate (`relay/replicas.py` sets it as replicas come and go), so
together they keep to the platform's limit. A share of 0 holds every request.

A chat's own buckets may live in a record the replicas share instead (one row a
chat, `store/_chat_paces.py`): `take_from_record` is the same bucket step on
tokens read from there, so the chat's pace holds whichever replica sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack

__all__ = [
    "HOLD_RECHECK",
    "SHARED_BURST",
    "UNDER_THE_LIMIT",
    "RateShare",
    "TokenBucket",
    "take_all",
    "take_from_record",
]

_EPSILON = 1e-9

UNDER_THE_LIMIT = 0.95
"""The share of a platform's documented rate its pacer keeps to by default.

The pacer takes a token when the request leaves; the platform counts it when it
arrives, and arrivals jitter by tens of milliseconds (a busy machine, a connection
being opened). Paced at exactly the limit, a request that left on time but arrived
early meets a 429 (the engine benchmark saw 15 in a 300-line burst); five per cent
under, a second between two posts leaves 50 ms for that jitter."""

SHARED_BURST = 1 / 3
"""Of a bot's (or workspace's) rate a second, the burst its own pacer allows.

At 30 a second five per cent under leaves under 2 ms a request for jitter; a
bucket holding a third of the platform's burst keeps the rest of the platform's
bucket as the margin, so requests that bunch up on the way (a connection pool, a
busy loop) still find tokens there. Sustained, the rate is the same."""


HOLD_RECHECK = 1.0
"""Seconds a request held by a share of 0 waits before looking at the share again."""


class RateShare:
    """The part (0 to 1) of a rate this process may use; shared by its buckets.

    Args:
        fraction: the part at first (1: the whole rate, a process alone).
    """

    def __init__(self, fraction: float = 1.0) -> None:
        self.fraction = fraction


class TokenBucket:
    """One rate: ``burst`` tokens at most, ``per_second`` earned a second.

    Args:
        per_second: Tokens earned a second (the sustained rate).
        burst: Tokens a full bucket holds (requests allowed at once after a lull).
        now: The clock's time at creation (the bucket starts full).
        share: The part of ``per_second`` and ``burst`` this process may use
            (replicas sharing a bot's rate); the whole when None.
    """

    def __init__(
        self, per_second: float, burst: float, now: float, share: RateShare | None = None
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a bucket needs a positive rate and a burst of at least 1")
        self.per_second = per_second
        self.burst = float(burst)
        self.share = share
        part = share.fraction if share is not None else 1.0
        self.tokens = float(burst) * part
        self._at = now
        self.turn = asyncio.Lock()
        """Held by the one `take_all` waiting for this bucket's next token (in turn)."""

    def wait(self, now: float) -> float:
        """Seconds from ``now`` until a token is there (0: there is one)."""
        part = self.share.fraction if self.share is not None else 1.0
        per_second = self.per_second * part
        # A share's burst is its part of the whole, but never below one request
        # (a part of a token would never send).
        burst = max(1.0, self.burst * part) if part > 0 else 0.0
        if now > self._at:
            self.tokens = self.tokens + (now - self._at) * per_second
            self._at = now
        self.tokens = min(burst, self.tokens)
        missing = 1.0 - self.tokens
        if missing <= _EPSILON:
            return 0.0
        return missing / per_second if per_second > 0 else HOLD_RECHECK

    def take(self) -> None:
        """Spend one token (call right after `wait` said 0)."""
        self.tokens = max(0.0, self.tokens - 1.0)


async def take_all(
    buckets: Sequence[TokenBucket],
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[object]],
) -> None:
    """Wait until every bucket has a token, then take one from each at once.

    Each bucket's turn is taken in the order given (callers list a chat's own
    buckets before the shared ones), and a bucket is waited for only once its turn
    is held: a request never holds a shared bucket's turn while it waits for its
    own chat's pace. The buckets already waited for only earn tokens meanwhile
    (their turns are held), so when the last has one, all have.
    """
    async with AsyncExitStack() as turns:
        for held in range(len(buckets)):
            await turns.enter_async_context(buckets[held].turn)
            while True:
                now = clock()
                wait = max(bucket.wait(now) for bucket in buckets[: held + 1])
                if wait <= 0:
                    break
                await sleep(wait)
        for bucket in buckets:
            bucket.take()


def take_from_record(
    tokens: Sequence[float] | None,
    at: float | None,
    rates: Sequence[tuple[float, float]],
    now: float,
) -> tuple[list[float], float, float]:
    """One send against buckets whose state is kept elsewhere (a shared record).

    Args:
        tokens: each bucket's tokens when last counted (None, or a count of another
            shape than ``rates``: a record never used, counted anew and full).
        at: when they were counted (the record's clock).
        rates: each bucket's (per second, burst).
        now: the sender's time on the record's clock.

    Returns:
        The tokens and the time to write back, and the wait: 0 when the send took
        a token of every bucket at once, else the seconds until each has one
        (nothing taken). A clock behind ``at`` earns nothing until it passes it:
        replicas whose clocks disagree err on the slow side.
    """
    if tokens is None or at is None or len(tokens) != len(rates):
        tokens = [float(burst) for _, burst in rates]
        at = now
    buckets = []
    for (per_second, burst), held in zip(rates, tokens, strict=True):
        bucket = TokenBucket(per_second, burst, at)
        bucket.tokens = min(float(burst), max(0.0, float(held)))
        buckets.append(bucket)
    wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
    if wait <= 0:
        for bucket in buckets:
            bucket.take()
    return [bucket.tokens for bucket in buckets], max(at, now), wait
