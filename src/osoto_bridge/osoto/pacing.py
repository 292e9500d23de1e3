"""Client-side pacing under Osoto's per-key rate limit.

Osoto allows 60 requests a minute per API key, counted in fixed 60-second windows
whose start the client cannot see. A `RateLimiter` keeps a log of the requests it
let through in the last window plus a safety margin, and lets a new one through only
while that log holds fewer than the limit. Whatever the alignment of the server's
fixed window, no window of that length then sees more than the limit from us, so a
well-paced key never meets a 429.

The server's answers correct the model: `X-RateLimit-Limit` replaces the assumed 60;
an `X-RateLimit-Remaining` saying the server counted more than we ever sent (another
process using the key, or requests made before a restart) adds the difference to
the log; a 429's
`Retry-After` holds every request until the server's window resets, after which the
budget is full again.

A fresh limiter made with `learn_first` (the client's and the registry's are) does
not trust the assumed limit: until an answer has told it the key's real budget, one
request goes out alone and the others wait for its answer, then go out under what it
learned. A key allowed 20 a minute then never meets a 429 from a burst on a cold
start. An answer without any rate-limit header (a server that does not send them)
ends the wait too, as does a request that got no answer at all (`abandon`).

Two priorities share the budget. `Priority.INTERACTIVE` (a person waits for the
answer) always goes first; `Priority.BACKGROUND` (polling) waits while an
interactive request waits and never spends the last `reserve` share of the window,
so a command still gets an answer when the pollers are busy.

One limiter serves every client of one key in the process; `LimiterRegistry`
(`limiters.py`) hands them out by key fingerprint. Several processes sharing a key
(PostgreSQL replicas) give each limiter the key's shared record (`pacing_shared.py`):
a request then goes out only once reserved there, so the key's budget holds across
them. Time is injected (`clock`, `sleep`) so tests run on a
fake clock and never sleep. Only one waiter sleeps on the clock at a time; the others
wait for it (or for a grant) to tell them the state changed.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from osoto_bridge.osoto.pacing_shared import SharedBudget, SharedLog

__all__ = ["LimiterSnapshot", "Priority", "RateLimiter", "Ticket"]

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


class Priority(enum.Enum):
    """Who is waiting for a request: a person (first) or a background job."""

    INTERACTIVE = "interactive"
    BACKGROUND = "background"


@dataclass(frozen=True, slots=True)
class Ticket:
    """Proof that a request was let through; hand it back with the answer's headers."""

    seq: int
    priority: Priority


@dataclass(frozen=True, slots=True)
class LimiterSnapshot:
    """The limiter's state, for metrics and status pages.

    Attributes:
        limit: Requests allowed per window (60 until the server says otherwise).
        remaining: Requests that may start now (interactive; background keeps off the
            last `reserve` of them). Negative after the server lowered the limit.
        reserve: Requests of each window kept for interactive calls.
        reset_in: Seconds until the next request slot frees up (0 when one is free).
        blocked_for: Seconds a server 429 still holds every request.
        waiting_interactive: Interactive requests waiting for a slot.
        waiting_background: Background requests waiting for a slot.
        granted: Requests let through since the limiter was made.
        rate_limited: 429 answers seen.
    """

    limit: int
    remaining: int
    reserve: int
    reset_in: float
    blocked_for: float
    waiting_interactive: int
    waiting_background: int
    granted: int
    rate_limited: int


class _Waiter:
    __slots__ = ("priority",)

    def __init__(self, priority: Priority) -> None:
        self.priority = priority


BURST_HEADROOM = 4
"""Requests of the background share that `RateLimiter.background_spacing` leaves
free for a burst of interactive ones (a person's four quick lines)."""


class RateLimiter:
    """Paces the requests of one API key; share one instance per key.

    Args:
        limit: Requests per window assumed until the server's headers say otherwise.
        window: Length of the server's window, in seconds.
        margin: Seconds added to the window, for clock skew and request latency.
        reserve: Share of the limit background requests never spend (0 to 1).
        clock: Monotonic clock in seconds.
        sleep: Coroutine function sleeping for a number of seconds.
        learn_first: Send one request alone and learn the key's limit from its
            answer before letting others go.
        shared: The key's record shared with other processes (replicas): each
            request is reserved there before it goes out.
        key: The key's fingerprint, its name in ``shared``.
        wall_clock: Epoch seconds, the shared record's clock.
    """

    def __init__(
        self,
        *,
        limit: int = 60,
        window: float = 60.0,
        margin: float = 1.0,
        reserve: float = 0.2,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        learn_first: bool = False,
        shared: SharedBudget | None = None,
        key: str = "",
        wall_clock: Clock = time.time,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not 0.0 <= reserve < 1.0:
            raise ValueError("reserve must be in [0, 1)")
        if window <= 0 or margin < 0:
            raise ValueError("window must be positive and margin not negative")
        self._limit = limit
        self._horizon = window + margin
        self._reserve_share = reserve
        self._clock = clock
        self._sleep = sleep
        self._sends: deque[float] = deque()
        # The part of `_sends` background pacing cannot plan around: interactive
        # requests and other users' (created at the first; most keys only poll).
        self._unplanned: deque[float] | None = None
        self._blocked_until = -math.inf
        # The waiters of each priority, a queue only while someone waits: an empty
        # deque is 760 bytes, and at 5,000 keys most of them are empty at any time.
        self._queues: dict[Priority, deque[_Waiter]] = {}
        self._changed: asyncio.Event | None = None
        self._sleeper: _Waiter | None = None
        self._issued = 0
        self._last_observed = -1
        self._rate_limited = 0
        self._known = not learn_first
        self._probe: int | None = None  # the ticket learning the limit, while it is out
        self._shared = SharedLog(shared, key, wall_clock) if shared is not None else None
        self._reserving = False  # a reservation in the shared record is under way
        # Others' use of the key that the server's answers revealed, kept beside the
        # shared record (which holds the replicas' requests only); without one,
        # `_sends` holds them.
        self._strangers: deque[float] | None = deque() if shared is not None else None

    @property
    def known(self) -> bool:
        """Whether an answer has told the limit (always True without `learn_first`)."""
        return self._known

    @property
    def limit(self) -> int:
        """Requests allowed per window, as last reported by the server."""
        return self._limit

    @property
    def reserve(self) -> int:
        """Requests of each window that background requests leave to interactive ones."""
        return min(self._limit - 1, math.ceil(self._limit * self._reserve_share))

    def snapshot(self) -> LimiterSnapshot:
        """Return the current state (limit, remaining, reset, waiting counts)."""
        now = self._clock()
        self._prune(now)
        blocked_for = max(0.0, self._blocked_until - now)
        remaining = self._limit - len(self._sends)
        reset_in = 0.0 if remaining > 0 or not self._sends else self._sends[0] + self._horizon - now
        return LimiterSnapshot(
            limit=self._limit,
            remaining=remaining,
            reserve=self.reserve,
            reset_in=max(reset_in, blocked_for),
            blocked_for=blocked_for,
            waiting_interactive=len(self._queues.get(Priority.INTERACTIVE, ())),
            waiting_background=len(self._queues.get(Priority.BACKGROUND, ())),
            granted=self._issued,
            rate_limited=self._rate_limited,
        )

    def background_spacing(self) -> float:
        """Seconds between background requests that spread what is left evenly.

        The window's background share, less what interactive requests (and other
        users of the key) took in the last window and room for a burst of them,
        spread over the window: pollers that keep this spacing do not run into the
        share's end and then stand still for seconds while old requests age out.
        """
        self._prune(self._clock())
        unplanned = len(self._unplanned) if self._unplanned is not None else 0
        share = self._limit - self.reserve - unplanned - BURST_HEADROOM
        return self._horizon / max(1, share)

    def ready(self, priority: Priority = Priority.BACKGROUND) -> bool:
        """Whether a request of this priority would start now, without waiting.

        A caller with other work to do (a relay worker whose chats are waiting for
        their posts) asks first rather than queue behind the budget.
        """
        now = self._clock()
        self._prune(now)
        if priority is Priority.BACKGROUND and self._queues.get(Priority.INTERACTIVE):
            return False
        # A reservation under way in the shared record delays a request by a round
        # trip, not by the budget: the budget's room is the answer.
        return self._room(priority, now)

    async def acquire(self, priority: Priority = Priority.INTERACTIVE) -> Ticket:
        """Wait until a request of this priority may start, and count it.

        Args:
            priority: Interactive requests go first; background ones keep off the reserve.

        Returns:
            A ticket to pass to `observe` with the answer's headers.
        """
        waiter = _Waiter(priority)
        queue = self._queues.setdefault(priority, deque())
        queue.append(waiter)
        granted = False
        try:
            while True:
                now = self._clock()
                self._prune(now)
                head = self._head()
                if head is waiter and self._allows(priority, now):
                    if self._shared is None or await self._reserve(priority, now):
                        queue.popleft()
                        self._forget_if_empty(priority, queue)
                        granted = True
                        return self._grant(priority, now)
                    continue  # the others' requests fill the window: now known here
                if (
                    self._sleeper is None
                    and head is not None
                    and self._probe is None
                    and not self._reserving
                    and not self._allows(head.priority, now)
                ):
                    await self._sleep_until_change(waiter, now)
                else:
                    await self._wait_for_change()
        finally:
            if not granted:
                queue.remove(waiter)
                self._forget_if_empty(priority, queue)
                self._notify()

    def _forget_if_empty(self, priority: Priority, queue: deque[_Waiter]) -> None:
        # Only an empty queue goes: a waiter still in it holds this very deque.
        if not queue and self._queues.get(priority) is queue:
            del self._queues[priority]

    def observe(
        self,
        ticket: Ticket | None,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Learn from an answer's rate-limit headers.

        Args:
            ticket: The ticket of the request answered (None if unknown).
            limit: `X-RateLimit-Limit`, if present.
            remaining: `X-RateLimit-Remaining`, if present.
            retry_after: `Retry-After` of a 429, if present.
        """
        now = self._clock()
        if limit is not None and limit >= 1 and limit != self._limit:
            logger.info("rate limit of key is %d per window (was %d)", limit, self._limit)
            self._limit = limit
        if limit is not None or (remaining is None and retry_after is None):
            # Told, or told nothing at all (a server without the headers): either way
            # waiting for another answer would learn no more.
            self._known = True
        if ticket is not None and ticket.seq == self._probe:
            self._probe = None
        if retry_after is not None:
            self._rate_limited += 1
            # The server's window resets then; until that moment nothing may go out,
            # and after it the whole budget is ours again, so the log starts afresh.
            self._blocked_until = max(self._blocked_until, now + retry_after)
            self._sends.clear()
            self._unplanned = None
            if self._strangers is not None:
                self._strangers.clear()
            if ticket is not None:
                self._last_observed = max(self._last_observed, ticket.seq)
        elif remaining is not None and ticket is not None and ticket.seq >= self._last_observed:
            # Answers can arrive out of order; an older one describes an older state.
            self._last_observed = ticket.seq
            # What the server had counted when it answered, against everything we
            # sent (the requests still on their way included: the server may have
            # counted them first, as it often does when several are in flight).
            # More than that is someone else's use of the key (another process, or
            # us before a restart); it is counted as spent now, the latest it could
            # have been. Assuming the requests in flight were counted after ours
            # instead would take our own concurrency for a stranger and park the
            # key's posts for a minute; the cost of the benefit of the doubt is
            # that a stranger shows up that many requests late.
            server_used = self._limit - remaining
            self._prune(now)
            if server_used > len(self._sends):
                stranger = [now] * (server_used - len(self._sends))
                self._sends.extend(stranger)
                self._unplanned_log().extend(stranger)
                if self._strangers is not None:
                    self._strangers.extend(stranger)
        self._notify()

    def abandon(self, ticket: Ticket | None) -> None:
        """Say a request got no answer (network failure, cancelled), so none will come.

        The request still counts against the budget; only a wait for its answer ends.

        Args:
            ticket: The ticket of the request.
        """
        if ticket is not None and ticket.seq == self._probe:
            self._probe = None
            self._notify()

    def _unplanned_log(self) -> deque[float]:
        if self._unplanned is None:
            self._unplanned = deque()
        return self._unplanned

    async def _reserve(self, priority: Priority, now: float) -> bool:
        """Reserve the request in the shared record; learn every replica's sends."""
        assert self._shared is not None and self._strangers is not None
        self._reserving = True
        try:
            floor = self.reserve if priority is Priority.BACKGROUND else 0
            granted, sends, unplanned = await self._shared.reserve(
                now=now,
                horizon=self._horizon,
                room=self._limit - floor - len(self._strangers),
                background=priority is Priority.BACKGROUND,
            )
        finally:
            self._reserving = False
            self._notify()
        # The record is the truth about the replicas' requests (this one's too);
        # what the server showed of strangers is kept beside it.
        self._sends = deque(sorted([*sends, *self._strangers]))
        self._unplanned = deque(sorted([*unplanned, *self._strangers])) or None
        self._prune(self._clock())
        return granted

    def _prune(self, now: float) -> None:
        cutoff = now - self._horizon
        _age_out(self._sends, cutoff)
        if self._strangers is not None:
            _age_out(self._strangers, cutoff)
        if self._unplanned is not None and not _age_out(self._unplanned, cutoff):
            self._unplanned = None

    def _head(self) -> _Waiter | None:
        for priority in (Priority.INTERACTIVE, Priority.BACKGROUND):
            queue = self._queues.get(priority)
            if queue:
                return queue[0]
        return None

    def _allows(self, priority: Priority, now: float) -> bool:
        return not self._reserving and self._room(priority, now)

    def _room(self, priority: Priority, now: float) -> bool:
        if now < self._blocked_until or self._probe is not None:
            return False
        left = self._limit - len(self._sends)
        floor = self.reserve if priority is Priority.BACKGROUND else 0
        return left > floor

    def _grant(self, priority: Priority, now: float) -> Ticket:
        if self._shared is None:  # else the reservation's record already has it
            self._sends.append(now)
            if priority is Priority.INTERACTIVE:
                self._unplanned_log().append(now)
        ticket = Ticket(seq=self._issued, priority=priority)
        if not self._known:
            self._probe = ticket.seq  # the others wait for what its answer tells
        self._issued += 1
        self._notify()
        return ticket

    def _next_change(self, now: float) -> float:
        if now < self._blocked_until:
            return self._blocked_until
        if self._sends:
            return self._sends[0] + self._horizon
        return now

    async def _sleep_until_change(self, waiter: _Waiter, now: float) -> None:
        delay = max(0.0, self._next_change(now) - now)
        logger.debug("pacing: waiting %.3fs for a request slot", delay)
        self._sleeper = waiter
        try:
            await self._sleep(delay)
        finally:
            self._sleeper = None
            self._notify()

    async def _wait_for_change(self) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        await self._changed.wait()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None


def _age_out(log: deque[float], cutoff: float) -> int:
    """Drop the times at or before ``cutoff`` from the front of ``log``; what is left."""
    while log and log[0] <= cutoff:
        log.popleft()
    return len(log)
