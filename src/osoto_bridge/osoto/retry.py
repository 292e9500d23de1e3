"""When and how long the client waits before trying a request again."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from osoto_bridge.osoto.errors import OsotoError, RateLimited, ServerError, TransportError
from osoto_bridge.util import Backoff

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and a deadline.

    A 429 waits the server's `Retry-After` (the pacer holds every request on the key
    for that long, not just this one); 5xx answers and network failures wait a random
    time between zero and `base_delay * 2 ** (attempt - 1)`, capped at `max_delay`
    (AWS's "full jitter", which spreads out clients that failed together). Other 4xx
    answers are never retried: asking again would get the same answer.

    Attributes:
        max_attempts: Tries in total, the first one included (1 disables retries).
        base_delay: Seconds of the first backoff ceiling.
        max_delay: Largest single backoff, in seconds.
        deadline: Seconds from the first try after which no new try starts.
        max_rate_limited: 429s tolerated for one call beyond `max_attempts`; a
            correctly paced client sees none, so this only bounds a misbehaving server.
        random: Source of uniform numbers in [0, 1), injectable for tests.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    deadline: float = 120.0
    max_rate_limited: int = 10
    random: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.deadline < 0:
            raise ValueError("delays and deadline must not be negative")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th try failed (1-based), with full jitter.

        Args:
            attempt: How many tries have been made so far.

        Returns:
            A delay in [0, min(max_delay, base_delay * 2 ** (attempt - 1))).
        """
        full_jitter = Backoff(
            first=self.base_delay, cap=self.max_delay, jitter=1.0, random=self.random
        )
        return full_jitter.delay(attempt)

    def is_retryable(self, error: OsotoError) -> bool:
        """Whether an error may go away by itself (network, 5xx, 429)."""
        return isinstance(error, TransportError | ServerError | RateLimited)
