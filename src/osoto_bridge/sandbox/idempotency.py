"""The `Idempotency-Key` cache: one stored response per (API key, Idempotency-Key)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

TTL_SECONDS = 24 * 3600.0
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Cached:
    """A stored response and the fingerprint of the request that produced it."""

    fingerprint: str
    status: int
    content_type: str
    body: bytes


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """Identify a request by method, path, query and body (JSON compared by value)."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyStore:
    """Stores responses in SQLite and serialises requests that share a key.

    Args:
        conn: the sandbox database.
        clock: returns epoch seconds; entries older than 24 h count as absent.
    """

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self._conn = conn
        self._clock = clock
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key_hash: str, idem_key: str) -> AsyncIterator[None]:
        """Hold the key so that a concurrent twin waits and then sees the cached reply."""
        slot = (key_hash, idem_key)
        lock, users = self._locks.get(slot, (asyncio.Lock(), 0))
        self._locks[slot] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[slot]
            if users <= 1:
                del self._locks[slot]
            else:
                self._locks[slot] = (lock, users - 1)

    def get(self, key_hash: str, idem_key: str) -> Cached | None:
        """Return the live cached response for the key, if any."""
        row = self._conn.execute(
            "SELECT fingerprint, status, content_type, body, created FROM idempotency"
            " WHERE key_hash = ? AND idem_key = ?",
            (key_hash, idem_key),
        ).fetchone()
        if row is None or row[4] <= self._clock() - TTL_SECONDS:
            return None
        return Cached(row[0], row[1], row[2], bytes(row[3]))

    def put(self, key_hash: str, idem_key: str, cached: Cached) -> None:
        """Store a response (replacing an expired one) and drop expired entries."""
        now = self._clock()
        self._conn.execute("DELETE FROM idempotency WHERE created <= ?", (now - TTL_SECONDS,))
        self._conn.execute(
            "INSERT OR REPLACE INTO idempotency"
            " (key_hash, idem_key, fingerprint, status, content_type, body, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                key_hash,
                idem_key,
                cached.fingerprint,
                cached.status,
                cached.content_type,
                cached.body,
                now,
            ),
        )
