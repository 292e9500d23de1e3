"""The per-key rate limit: a fixed 60-second window, as the contract fixes it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Verdict:
    """The outcome of counting one request against a key's window."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The rate-limit headers for the response."""
        headers = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
        ]
        if not self.allowed:
            headers.append((b"retry-after", str(self.retry_after).encode()))
        return headers


class RateLimiter:
    """Counts requests per key in fixed windows aligned to the clock's minutes.

    Args:
        limit: requests allowed per window and key.
        clock: returns the current time in epoch seconds.
    """

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        if limit < 1:
            raise ValueError("rate limit must be at least 1 request per minute")
        self._limit = limit
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}

    @property
    def limit(self) -> int:
        """Requests allowed per window."""
        return self._limit

    def hit(self, key: str) -> Verdict:
        """Count one request for `key` and say whether it may proceed."""
        now = self._clock()
        window = math.floor(now / WINDOW_SECONDS)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            count = 0
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        if count >= self._limit:
            self._windows[key] = (window, count)
            return Verdict(False, self._limit, 0, retry_after)
        count += 1
        self._windows[key] = (window, count)
        return Verdict(True, self._limit, self._limit - count, retry_after)
