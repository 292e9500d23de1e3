"""Engines for the two backends: embedded SQLite (stdlib sqlite3) and PostgreSQL (asyncpg).

SQLite: WAL, foreign keys on, a busy timeout and `BEGIN IMMEDIATE`, so another process
(the `links` CLI beside the running service) waits for the write lock instead of
failing half way through a transaction. The Python sqlite3 module's own transaction
handling is switched off because it does not wrap DDL, which would make migrations
non-transactional. One connection serves the process (the store serialises its
transactions on SQLite anyway); `:memory:` keeps it forever so the database survives.
The driver is `sqlite_inline` (the standard library's sqlite3, with the calls that
cannot block run inline): a transaction costs at most two thread hops (a contended
`BEGIN`, the commit), where a driver on a thread of its own (aiosqlite) costs nine.
URLs keep the documented `sqlite+aiosqlite://` form.

PostgreSQL: a normal pool; an optional schema keeps the bridge's tables apart (one
database shared by deployments, or by test runs).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, StaticPool

from osoto_bridge.store.errors import StoreError
from osoto_bridge.store.sqlite_inline import DRIVER

__all__ = ["BUSY_TIMEOUT_MS", "build_engine", "is_memory_sqlite", "safe_url"]

BUSY_TIMEOUT_MS = 10_000
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def safe_url(url: str | sa.URL) -> str:
    """Render a database URL with its password hidden, for logs and reprs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


def is_memory_sqlite(url: sa.URL) -> bool:
    """Whether the URL names a private in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Let the "begin" hook below issue BEGIN, so DDL is transactional too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit (an outbox row, a recorded delivery) survives power loss too.
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """Create the async engine for a store URL.

    Args:
        url: `sqlite+aiosqlite:///path`, `sqlite+aiosqlite://` (memory) or
            `postgresql+asyncpg://user:pass@host/db`.
        schema: PostgreSQL only: the schema holding the tables (created if missing by
            the store).

    Raises:
        StoreError: an unsupported URL or schema name.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("the database URL cannot be parsed") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite":
        if driver != "aiosqlite":
            raise StoreError(
                f"SQLite needs the aiosqlite driver: sqlite+aiosqlite://, not {driver}"
            )
        if schema is not None:
            raise StoreError("a schema can only be given for PostgreSQL")
        if parsed.query:
            raise StoreError("SQLite URLs take no options: sqlite+aiosqlite:///path/to/file.db")
        kwargs: dict[str, Any] = (
            {"poolclass": StaticPool}
            if is_memory_sqlite(parsed)
            # The store holds one connection; the second serves migrations and
            # diagnostics beside it (they wait for its write lock like any other).
            else {"poolclass": AsyncAdaptedQueuePool, "pool_size": 2, "max_overflow": 0}
        )
        engine = create_async_engine(parsed.set(drivername=f"sqlite+{DRIVER}"), **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    if backend == "postgresql":
        if driver != "asyncpg":
            raise StoreError(
                f"PostgreSQL needs the asyncpg driver: postgresql+asyncpg://, not {driver}"
            )
        connect_args: dict[str, Any] = {}
        if schema is not None:
            if not _SCHEMA_NAME.match(schema):
                raise StoreError(f"invalid PostgreSQL schema name {schema!r}")
            connect_args["server_settings"] = {"search_path": schema}
        return create_async_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    raise StoreError(
        f"unsupported database {backend!r}: use sqlite+aiosqlite:// or postgresql+asyncpg://"
    )
