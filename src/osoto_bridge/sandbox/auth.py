"""API keys and scopes: who is calling and what their key lets them do."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from osoto_bridge.sandbox.ids import hash_api_key

SCOPE_BASES = ("trips:read", "trips:write", "messages:read", "messages:write")


@dataclass(frozen=True)
class Scope:
    """One granted scope: a base (`trips:read`, …) and optionally one trip."""

    base: str
    trip_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Parse `base` or `base:<tripId>`; raise ValueError for anything else."""
        for base in SCOPE_BASES:
            if text == base:
                return cls(base)
            if text.startswith(base + ":") and len(text) > len(base) + 1:
                trip_id = text[len(base) + 1 :]
                if ":" not in trip_id and trip_id.strip() == trip_id:
                    return cls(base, trip_id)
        raise ValueError(
            f"unknown scope {text!r}: expected one of {', '.join(SCOPE_BASES)},"
            " optionally followed by :<tripId>"
        )

    def __str__(self) -> str:
        return self.base if self.trip_id is None else f"{self.base}:{self.trip_id}"


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid API key."""

    user_id: str
    key_hash: str
    scopes: frozenset[Scope]

    def can(self, base: str, trip_id: str) -> bool:
        """Whether the key carries `base` for this trip (unlimited or limited to it)."""
        return Scope(base) in self.scopes or Scope(base, trip_id) in self.scopes

    def unlimited(self, base: str) -> bool:
        """Whether the key carries `base` for every trip."""
        return Scope(base) in self.scopes

    def readable_trip_ids(self, base: str) -> frozenset[str] | None:
        """Trip ids the key is limited to for `base`, or None when unlimited."""
        if self.unlimited(base):
            return None
        return frozenset(s.trip_id for s in self.scopes if s.base == base and s.trip_id)


def store_key(
    conn: sqlite3.Connection, key: str, user_id: str, scopes: list[Scope], now: float
) -> None:
    """Store a key's hash and scopes."""
    conn.execute(
        "INSERT INTO api_keys (key_hash, user_id, scopes, created) VALUES (?, ?, ?, ?)",
        (hash_api_key(key), user_id, json.dumps([str(s) for s in scopes]), now),
    )


def lookup_key(conn: sqlite3.Connection, key: str) -> Principal | None:
    """Return the principal behind a plaintext key, or None when unknown."""
    key_hash = hash_api_key(key)
    row = conn.execute(
        "SELECT user_id, scopes FROM api_keys WHERE key_hash = ?", (key_hash,)
    ).fetchone()
    if row is None:
        return None
    scopes = frozenset(Scope.parse(s) for s in json.loads(row[1]))
    return Principal(user_id=row[0], key_hash=key_hash, scopes=scopes)
