"""`LimiterRegistry`: one `RateLimiter` per API key in the process."""

from __future__ import annotations

import asyncio
import time

from osoto_bridge.osoto.keys import key_fingerprint
from osoto_bridge.osoto.pacing import Clock, LimiterSnapshot, RateLimiter, Sleep
from osoto_bridge.osoto.pacing_shared import SharedBudget

__all__ = ["LimiterRegistry"]


class LimiterRegistry:
    """Hands out one `RateLimiter` per API key; the application owns one registry.

    Args:
        limit: Assumed requests per window for a new key.
        window: Window length in seconds.
        margin: Safety margin added to the window.
        reserve: Share of each window kept for interactive requests.
        clock: Monotonic clock shared by the limiters.
        sleep: Sleep shared by the limiters.
        learn_first: Each new key's first request goes alone, to learn its limit.
        shared: The keys' record shared with other replicas (PostgreSQL), where each
            limiter reserves its requests; None in a process alone (SQLite).
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
        learn_first: bool = True,
        shared: SharedBudget | None = None,
        wall_clock: Clock = time.time,
    ) -> None:
        self._settings = {"limit": limit, "window": window, "margin": margin, "reserve": reserve}
        self._clock = clock
        self._sleep = sleep
        self._learn_first = learn_first
        self._shared = shared
        self._wall_clock = wall_clock
        self._limiters: dict[str, RateLimiter] = {}

    def for_key(self, api_key: str) -> RateLimiter:
        """Return the limiter of a key, creating it on first use.

        Args:
            api_key: The plaintext key; only its fingerprint is kept.
        """
        fingerprint = key_fingerprint(api_key)
        limiter = self._limiters.get(fingerprint)
        if limiter is None:
            limiter = RateLimiter(
                limit=int(self._settings["limit"]),
                window=self._settings["window"],
                margin=self._settings["margin"],
                reserve=self._settings["reserve"],
                clock=self._clock,
                sleep=self._sleep,
                learn_first=self._learn_first,
                shared=self._shared,
                key=fingerprint,
                wall_clock=self._wall_clock,
            )
            self._limiters[fingerprint] = limiter
        return limiter

    def snapshot(self) -> dict[str, LimiterSnapshot]:
        """Return every key's limiter state, by key fingerprint."""
        return {fp: limiter.snapshot() for fp, limiter in self._limiters.items()}
