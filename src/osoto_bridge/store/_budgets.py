"""API keys' request budgets shared by PostgreSQL replicas (`osoto/pacing_shared.py`).

One row per key (`key_budgets`): the epoch times of the key's requests in the last
window, every replica's. A replica reserves a request in one short transaction:
``SELECT … FOR UPDATE`` locks the key's row (replicas reserving the same key at the
same moment take turns; other keys never wait), the window is pruned, and the
request is added only if the window leaves room. The row stays a few hundred bytes
(at most the limit's count of times), whatever the traffic.

Times are the replicas' wall clocks, not the server's `now()`: the limiter waits
on its own clock for the oldest request to leave the window, so the record must
be in a clock it can read (the limiter's margin covers the replicas' skew).
Only PostgreSQL runs these: with SQLite one process holds every key.
"""

from __future__ import annotations

import sqlalchemy as sa

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store.errors import StoreError

__all__ = ["BudgetsMixin"]

_LOCK = sa.text("SELECT sends FROM key_budgets WHERE key_fingerprint = :key FOR UPDATE")
_CREATE = sa.text(
    "INSERT INTO key_budgets (key_fingerprint, sends) VALUES (:key, '{}') "
    "ON CONFLICT (key_fingerprint) DO NOTHING"
)
_WRITE = sa.text(
    "UPDATE key_budgets SET sends = CAST(:sends AS double precision[]) WHERE key_fingerprint = :key"
)


class BudgetsMixin(StoreBase):
    """Keys' shared request windows; PostgreSQL only."""

    @atomic
    async def reserve_request(
        self, key: str, *, at: float, horizon: float, room: int
    ) -> tuple[bool, list[float]]:
        """Record a request of ``key`` at ``at`` if the window before it has room.

        Args:
            key: the key's fingerprint.
            at: the request's time (epoch seconds, the caller's wall clock).
            horizon: seconds a request counts for (the window and its margin).
            room: record only while fewer than this many are in the window.

        Returns:
            Whether it was recorded, and the key's requests in the window after.
        """
        if self.dialect != "postgresql":
            raise StoreError("shared budgets need PostgreSQL: with SQLite one process paces")
        async with self._tx() as conn:
            row = (await conn.execute(_LOCK, {"key": key})).first()
            if row is None:
                # A key's first request: its row, then the lock (a replica creating
                # it at the same moment makes the insert a no-op; both then queue).
                await conn.execute(_CREATE, {"key": key})
                row = (await conn.execute(_LOCK, {"key": key})).first()
            stored = list(row[0] or []) if row is not None else []
            sends = [t for t in stored if t > at - horizon]
            granted = len(sends) < room
            if granted:
                sends.append(at)
            if sends != stored:
                await conn.execute(_WRITE, {"key": key, "sends": sends})
        return granted, sends
