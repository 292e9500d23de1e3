"""When to poll an Osoto channel next: fast while people talk, slowly when idle.

Osoto has no push, so the bridge polls, and every poll spends the key's budget
(60 requests/min). The schedule is a pure function of what the channel did and the
clock, so it is tested without waiting:

* a channel that saw a message (either way) within ``active_window`` seconds is
  polled every ``active_interval`` seconds;
* after that, each empty poll doubles the interval until ``idle_interval``;
* never faster than the key's background share allows when several channels share
  one key (the rest of the budget stays free for commands and posts);
* and the whole process makes at most ``active_polls_per_second`` polls a second at
  the active rhythm (`ActivePollBudget`): when most channels turn active at once (a
  flood of chat messages into every trip), polling them all every second would take
  the machine from the messages themselves. Idle polls are never held back by it:
  they are what finds the first message after a quiet spell.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PollTiming:
    """The knobs of the poll schedule (seconds, requests per minute)."""

    active_interval: float = 1.0
    idle_interval: float = 20.0
    active_window: float = 120.0
    requests_per_minute: int = 60
    background_share: float = 0.75
    active_polls_per_second: float | None = None
    """Process-wide ceiling on active-rhythm polls (None: none)."""

    def floor_for(self, channels_on_key: int) -> float:
        """The shortest interval that keeps ``channels_on_key`` pollers in budget."""
        per_minute = self.requests_per_minute * self.background_share
        return max(1, channels_on_key) * 60.0 / per_minute


class PollSchedule:
    """The poll rhythm of one channel."""

    def __init__(self, timing: PollTiming, *, clock: Callable[[], float] = time.monotonic):
        self._timing = timing
        self._clock = clock
        self._last_activity: float | None = None
        self._empty_polls = 0

    @property
    def is_active(self) -> bool:
        last = self._last_activity
        return last is not None and self._clock() - last < self._timing.active_window

    def note_activity(self) -> None:
        """A message crossed in either direction: poll fast for a while."""
        self._last_activity = self._clock()
        self._empty_polls = 0

    def note_empty_poll(self) -> None:
        if not self.is_active:
            self._empty_polls += 1

    def next_delay(self, channels_on_key: int = 1) -> float:
        timing = self._timing
        if self.is_active:
            delay = timing.active_interval
        else:
            # The exponent is bounded: past it the idle interval holds anyway, and
            # 2.0 ** 1100 overflows (a long quiet spell under a virtual clock).
            doubling = 2.0 ** min(self._empty_polls, 64)
            delay = min(timing.idle_interval, timing.active_interval * doubling)
        return max(delay, timing.floor_for(channels_on_key))


class ActivePollBudget:
    """A token bucket shared by every worker: active polls the process may start.

    Args:
        per_second: Polls a second, sustained (also the most at once); None for no
            ceiling.
        clock: Monotonic seconds.
    """

    def __init__(self, per_second: float | None, *, clock: Callable[[], float]) -> None:
        self._rate = per_second
        self._clock = clock
        self._tokens = per_second or 0.0
        self._at = clock()
        self.refused = 0

    def take(self) -> bool:
        """Spend one poll if the budget has one now; never waits."""
        if self._rate is None:
            return True
        now = self._clock()
        self._tokens = min(self._rate, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        self.refused += 1
        return False
