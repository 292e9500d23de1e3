"""What every part of the store shares: the engine, the clock, the cipher, transactions."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from osoto_bridge.store.crypto import KeyCipher
from osoto_bridge.store.errors import StoreError

__all__ = ["StoreBase", "StoreState"]


class StoreState(enum.Enum):
    """Lifecycle of a `Store`."""

    OPENING = "opening"
    OPEN = "open"
    CLOSED = "closed"


class StoreBase:
    """Engine, clock and cipher, and the one way to run a transaction."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        cipher: KeyCipher,
        clock: Callable[[], float],
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock
        self._state = StoreState.OPENING
        # SQLite has one writer and one connection per process here: serialising in
        # the event loop avoids two tasks sharing the connection mid-transaction.
        self._serial = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        """The backend in use: `sqlite` or `postgresql`."""
        return self._engine.dialect.name

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncConnection]:
        """Run one transaction: commit on success, roll back on any exception."""
        if self._state is StoreState.CLOSED:
            raise StoreError("the store is closed")
        if self._serial is None:
            async with self._engine.begin() as conn:
                yield conn
            return
        async with self._serial, self._engine.begin() as conn:
            yield conn

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT that supports `on_conflict_do_nothing/do_update` on this backend."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _now(self) -> float:
        return float(self._clock())
