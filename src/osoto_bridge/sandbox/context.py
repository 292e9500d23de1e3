"""What every part of the sandbox shares: the database, the clock, the limiter."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from osoto_bridge.sandbox.ratelimit import RateLimiter


@dataclass(frozen=True)
class Context:
    """The sandbox's shared state, handed to the app, its routes and its middleware."""

    conn: sqlite3.Connection
    clock: Callable[[], float]
    limiter: RateLimiter

    def now_ms(self) -> float:
        """The clock in milliseconds, the unit of `_creationTime`."""
        return round(self.clock() * 1000.0, 3)
