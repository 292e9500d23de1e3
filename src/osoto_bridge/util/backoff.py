"""One exponential backoff for every retry loop of the bridge.

The Osoto client's retries, the relay's poll and outbox retries, Telegram's long
polling and Slack's Web API all wait ``first * factor ** (failures - 1)`` seconds,
capped, with a share of it drawn at random so that clients that failed together
do not retry together. Randomness and time are injected, so tests draw no real
random numbers and never sleep.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to wait after ``failures`` consecutive failures.

    Attributes:
        first: the ceiling after the first failure, in seconds.
        cap: the largest ceiling, in seconds.
        factor: how much the ceiling grows with each further failure.
        jitter: the share of the ceiling drawn at random: 1.0 waits anywhere in
            ``[0, ceiling)`` (AWS's "full jitter"), 0.5 in ``[ceiling/2, ceiling)``,
            0 exactly the ceiling.
        random: a source of uniform numbers in [0, 1).
        clock: seconds, monotonic (for `retry_at`).
    """

    first: float = 1.0
    cap: float = 60.0
    factor: float = 2.0
    jitter: float = 0.0
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.first < 0 or self.cap < 0 or self.factor < 1:
            raise ValueError("a backoff needs first, cap >= 0 and factor >= 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter is a share of the delay, between 0 and 1")

    def ceiling(self, failures: int) -> float:
        """The longest wait after ``failures`` (>= 1) consecutive failures."""
        # The exponent is bounded: past it the cap holds anyway, and 2.0 ** 1100 overflows.
        exponent = min(max(0, failures - 1), 64)
        return min(self.cap, self.first * self.factor**exponent)

    def jittered(self, delay: float) -> float:
        """``delay`` with this backoff's share of it drawn at random."""
        return delay * (1.0 - self.jitter) + delay * self.jitter * self.random()

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failures, jitter included."""
        return self.jittered(self.ceiling(failures))

    def retry_at(self, failures: int) -> float:
        """The clock's time of the next try after ``failures`` consecutive failures."""
        return self.clock() + self.delay(failures)
