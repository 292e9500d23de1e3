"""The sandbox's SQLite storage: connection set-up and numbered migrations.

The sandbox talks to SQLite synchronously on purpose: handlers run on the event
loop, so each request's check-then-write happens without interleaving.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

# Each entry moves the schema one version up; `PRAGMA user_version` records where a
# database stands, and a database newer than this code is refused.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        created REAL NOT NULL
    );
    CREATE TABLE groups (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        owner_id TEXT NOT NULL REFERENCES users(id),
        created REAL NOT NULL
    );
    CREATE TABLE group_members (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id TEXT NOT NULL REFERENCES groups(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        UNIQUE (group_id, user_id)
    );
    CREATE INDEX group_members_user ON group_members(user_id);
    CREATE TABLE api_keys (
        key_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        scopes TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE trips (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        group_id TEXT NOT NULL REFERENCES groups(id),
        title TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT NOT NULL,
        status TEXT NOT NULL,
        created_by TEXT,
        created REAL NOT NULL
    );
    CREATE TABLE trip_members (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        trip_id TEXT NOT NULL REFERENCES trips(id),
        user_id TEXT NOT NULL REFERENCES users(id),
        role TEXT NOT NULL,
        UNIQUE (trip_id, user_id)
    );
    CREATE INDEX trip_members_user ON trip_members(user_id);
    CREATE TABLE share_tokens (
        token TEXT PRIMARY KEY,
        trip_id TEXT NOT NULL UNIQUE REFERENCES trips(id),
        created REAL NOT NULL
    );
    CREATE TABLE channels (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        trip_id TEXT NOT NULL REFERENCES trips(id),
        name TEXT NOT NULL,
        created REAL NOT NULL,
        UNIQUE (trip_id, name)
    );
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL REFERENCES channels(id),
        doc TEXT NOT NULL
    );
    CREATE INDEX messages_channel_seq ON messages(channel_id, seq);
    CREATE TABLE content (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        trip_id TEXT NOT NULL REFERENCES trips(id),
        client_ref TEXT,
        sort1 TEXT NOT NULL DEFAULT '',
        sort2 TEXT NOT NULL DEFAULT '',
        doc TEXT NOT NULL
    );
    CREATE UNIQUE INDEX content_client_ref ON content(trip_id, kind, client_ref)
        WHERE client_ref IS NOT NULL;
    CREATE INDEX content_order ON content(trip_id, kind, sort1, sort2, seq);
    CREATE TABLE idempotency (
        key_hash TEXT NOT NULL,
        idem_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        body BLOB NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (key_hash, idem_key)
    );
    CREATE INDEX idempotency_created ON idempotency(created);
    """,
)

SCHEMA_VERSION = len(_MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer sandbox than this one."""


def connect(path: str) -> sqlite3.Connection:
    """Open (and migrate) the sandbox database at `path` (or `:memory:`)."""
    # check_same_thread=False: the app may be built in one thread and served from
    # another (test clients, uvicorn); calls never overlap because handlers are sync.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA busy_timeout = 5000")
    try:
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to `SCHEMA_VERSION`, one transaction per step."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"database schema version {version} is newer than this sandbox ({SCHEMA_VERSION})"
        )
    for number in range(version, SCHEMA_VERSION):
        with transaction(conn):
            for statement in _MIGRATIONS[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """Run the block in a transaction (a savepoint when one is already open)."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
