"""aiosqlite with the calls that cannot block run on the event loop's thread.

aiosqlite runs every call (make a cursor, execute, fetch, close the cursor, commit)
on its own thread and hands the result back through the event loop: one store
transaction through SQLAlchemy is nine such hops. A hop costs 0.2 ms of wake-ups
on an idle 2-core machine and tens of milliseconds on a busy one (the two threads
trade the GIL), while the SQLite work itself takes microseconds. Measured with
`bench/store_calls.py`: a `find_link` took 3.0 ms through plain aiosqlite.

What can block is waiting for another process's write lock (`BEGIN IMMEDIATE`,
up to the busy timeout) and the disk (`COMMIT` syncs the write-ahead log): those
stay on aiosqlite's thread. Everything inside a transaction the store has begun
(its lock is held, nothing is synced until the commit) runs inline.

This overrides aiosqlite's one queueing method, `Connection._execute`; the pinned
aiosqlite range in `pyproject.toml` and `tests/store/test_sqlite_inline.py` keep
that honest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiosqlite

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["InlineConnection", "connect_inline", "inline_of"]


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs what cannot block inline.

    Attributes:
        hops: calls handed to the connection's thread (for tests and benchmarks).
    """

    hops = 0
    _changes_at_begin = -1

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        connection = self._connection
        if connection is not None and self._running:
            if _runs_inline(connection, fn, args):
                return fn(*args, **kwargs)
            if _is_begin(fn, args) and not connection.in_transaction:
                if _begin_without_waiting(connection, fn, args):
                    self._changes_at_begin = connection.total_changes
                    return getattr(fn, "__self__", None)
                result = await self._hop(fn, *args, **kwargs)
                self._changes_at_begin = connection.total_changes
                return result
            if _is_commit(connection, fn) and connection.total_changes == self._changes_at_begin:
                # A transaction that wrote no row has nothing to sync.
                return fn()
        return await self._hop(fn, *args, **kwargs)

    async def _hop(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.hops += 1
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]


def _is_begin(fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
    owner = getattr(fn, "__self__", None)
    return (
        isinstance(owner, sqlite3.Cursor)
        and getattr(fn, "__name__", "") == "execute"
        and bool(args)
        and str(args[0]).lstrip()[:5].upper() == "BEGIN"
    )


def _is_commit(connection: sqlite3.Connection, fn: Callable[..., Any]) -> bool:
    return getattr(fn, "__self__", None) is connection and getattr(fn, "__name__", "") == "commit"


def _begin_without_waiting(
    connection: sqlite3.Connection, fn: Callable[..., Any], args: tuple[Any, ...]
) -> bool:
    """Try the `BEGIN` inline with the busy timeout off; False if the lock is taken.

    Another process (the `links` CLI) rarely holds the write lock: then the `BEGIN`
    goes to the thread, where it waits out the busy timeout as usual.
    """
    timeout = connection.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        fn(*args)
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return False
        raise
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    return True


def _runs_inline(
    connection: sqlite3.Connection, fn: Callable[..., Any], args: tuple[Any, ...]
) -> bool:
    """Whether ``fn`` cannot wait on a lock or the disk.

    Making a cursor and rolling back never can. Statements and fetches can only
    inside a transaction (the store's `BEGIN IMMEDIATE` holds the write lock, and
    nothing reaches the disk before the commit). A `BEGIN`, a `COMMIT`, a `PRAGMA`
    and any statement outside a transaction go to the thread.
    """
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__name__", "")
    if owner is connection:
        return name in ("cursor", "rollback")
    if not connection.in_transaction:
        return False
    if isinstance(owner, sqlite3.Cursor):
        if name in ("execute", "executemany"):
            sql = str(args[0]).lstrip()[:8].upper() if args else ""
            return not sql.startswith(("BEGIN", "COMMIT", "END", "PRAGMA", "VACUUM"))
        return name in ("fetchone", "fetchmany", "fetchall", "close")
    return False


async def connect_inline(database: str) -> InlineConnection:
    """Open ``database`` (a path or ``:memory:``) the way SQLAlchemy's dialect would.

    `check_same_thread` is off because the connection is used from two threads,
    never at once: the store serialises its transactions.
    """

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, check_same_thread=False)

    connection = InlineConnection(connector, iter_chunk_size=64)
    # A daemon thread, as SQLAlchemy makes aiosqlite's: an unclosed connection must
    # not keep the interpreter alive at exit.
    connection._thread.daemon = True
    await connection
    return connection


def inline_of(conn: AsyncConnection | None) -> InlineConnection | None:
    """The `InlineConnection` under an SQLAlchemy connection, if that is what it runs
    on (for tests and benchmarks that count its `hops`)."""
    if conn is None or conn.closed:
        return None
    driver = conn.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    inline = getattr(driver, "_connection", None)
    return inline if isinstance(inline, InlineConnection) else None
