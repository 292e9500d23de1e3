"""The trip snapshot cache: one export request per trip however many commands ask.

Concurrent `get`s for one trip share a single fetch (single flight). A snapshot is
kept for `ttl` seconds by an injected clock. The bridge calls `invalidate` after its
own writes (`/todo add`, `/done`), so the next command sees them; a fetch that was
already running when the trip was invalidated still answers the commands waiting on
it but is not kept.

If the command that started a fetch is cancelled, the fetch is abandoned and the
commands waiting on it start over, one of them fetching anew; a waiter is never
handed a cancellation that was not its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from osoto_bridge.osoto import TripExport
from osoto_bridge.util import LRU

__all__ = ["SnapshotCache"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    snapshot: TripExport
    stored_at: float


class SnapshotCache:
    """Per-trip export snapshots, shared by concurrent commands.

    Args:
        ttl: Seconds a snapshot stays fresh.
        clock: Monotonic clock in seconds (injected so tests need no sleeping).
        max_entries: Trips kept at most; the least recently used go first.
    """

    def __init__(
        self,
        *,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 1024,
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: LRU[str, _Entry] = LRU(max(1, max_entries))
        self._inflight: dict[str, asyncio.Future[TripExport]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def _fresh(self, trip_id: str) -> TripExport | None:
        entry = self._entries.peek(trip_id)
        if entry is None:
            return None
        if self._clock() - entry.stored_at >= self._ttl:
            del self._entries[trip_id]
            return None
        self._entries.get(trip_id)  # now the most recent
        return entry.snapshot

    def _store(self, trip_id: str, snapshot: TripExport) -> None:
        self._entries[trip_id] = _Entry(snapshot, self._clock())

    async def get(self, trip_id: str, fetch: Callable[[], Awaitable[TripExport]]) -> TripExport:
        """Return a fresh snapshot of a trip, fetching it at most once at a time.

        Args:
            trip_id: The trip.
            fetch: Fetches the snapshot (called only when none is fresh and no fetch
                is running for the trip).

        Returns:
            The snapshot.

        Raises:
            Exception: Whatever `fetch` raised, to every command waiting on it.
        """
        while True:
            cached = self._fresh(trip_id)
            if cached is not None:
                return cached
            running = self._inflight.get(trip_id)
            if running is None:
                return await self._lead(trip_id, fetch)
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not running.cancelled() or (task is not None and task.cancelling()):
                    raise
                # The leader was cancelled, not us: try again (maybe leading now).
                logger.debug("snapshot fetch for %s abandoned; retrying", trip_id)

    async def _lead(self, trip_id: str, fetch: Callable[[], Awaitable[TripExport]]) -> TripExport:
        future: asyncio.Future[TripExport] = asyncio.get_running_loop().create_future()
        self._inflight[trip_id] = future
        try:
            snapshot = await fetch()
        except Exception as exc:
            future.set_exception(exc)
            # Mark it retrieved: with no waiters asyncio would log it as lost.
            future.exception()
            raise
        else:
            future.set_result(snapshot)
            if self._inflight.get(trip_id) is future:
                self._store(trip_id, snapshot)
            return snapshot
        finally:
            if not future.done():
                # Cancelled (or interrupted): waiters see a cancelled fetch and retry.
                future.cancel()
            if self._inflight.get(trip_id) is future:
                del self._inflight[trip_id]

    def invalidate(self, trip_id: str) -> None:
        """Forget a trip's snapshot, and keep a fetch already running from storing it.

        Args:
            trip_id: The trip the bridge just changed.
        """
        self._entries.pop(trip_id)
        self._inflight.pop(trip_id, None)
