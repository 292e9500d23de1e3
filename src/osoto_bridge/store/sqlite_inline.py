"""SQLite on the standard library's `sqlite3`, with what cannot block run inline.

A store transaction through SQLAlchemy makes nine driver calls (make a cursor,
execute, fetch, close the cursor, commit …). A driver that runs each on a thread
(aiosqlite) pays a thread hop for each: 0.2 ms of wake-ups on an idle 2-core machine
and tens of milliseconds on a busy one, while the SQLite work itself takes
microseconds (`bench/store_calls.py`: a `find_link` took 3.0 ms that way).

So the store's SQLite driver is this module: one `sqlite3` connection, used on the
event loop's thread for everything that cannot wait, and one helper thread of its
own for what can: waiting for another process's write lock (`BEGIN IMMEDIATE`, up to
the busy timeout) and the disk (`COMMIT` syncs the write-ahead log). Everything
inside a transaction the store has begun (its lock is held, nothing is synced until
the commit) runs inline. The connection is never used from both threads at once:
the store serialises its transactions, and the loop awaits each hop.

`SqliteConnection` is an asyncio driver in the shape SQLAlchemy's async dialects
adapt (aiosqlite's): coroutines that finish without suspending when their call ran
inline, and suspend on `run_in_executor` when it went to the thread. SQLAlchemy drives
it as a dialect of its own (`InlineSQLiteDialect`: its pysqlite dialect, marked async,
with its asyncio adapters around this driver). Only public APIs: `sqlite3`,
`concurrent.futures`, SQLAlchemy's dialect registry and its asyncio connector.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import pool
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection, AsyncAdapt_dbapi_module
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteExecutionContext
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util import await_

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["DRIVER", "InlineSQLiteDialect", "SqliteConnection", "SqliteCursor", "inline_of"]

DRIVER = "osoto_inline"
"""The dialect's driver name: ``sqlite+osoto_inline://`` (`build_engine` maps the
documented ``sqlite+aiosqlite://`` URLs onto it)."""

_T = TypeVar("_T")

# Statements that may wait for a lock or the disk even inside a transaction.
_BLOCKING_STATEMENTS = ("BEGIN", "COMMIT", "END", "PRAGMA", "VACUUM")


class SqliteCursor:
    """A `sqlite3.Cursor` whose calls run inline, or on the connection's thread."""

    def __init__(self, connection: SqliteConnection) -> None:
        self._connection = connection
        self._cursor: sqlite3.Cursor = connection.sqlite.cursor()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = None) -> SqliteCursor:
        connection = self._connection
        parameters = () if parameters is None else parameters
        head = sql.lstrip()[:8].upper()
        if head.startswith("BEGIN") and not connection.sqlite.in_transaction:
            await connection.begin(self._cursor, sql, parameters)
        elif connection.sqlite.in_transaction and not head.startswith(_BLOCKING_STATEMENTS):
            self._cursor.execute(sql, parameters)
        else:
            await connection.blocking(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> SqliteCursor:
        if self._connection.sqlite.in_transaction:
            self._cursor.executemany(sql, parameters)
        else:
            await self._connection.blocking(self._cursor.executemany, sql, parameters)
        return self

    async def _fetch(self, fetch: Callable[..., _T], *args: Any) -> _T:
        # Outside a transaction a fetch may step a statement that waits on a lock.
        if self._connection.sqlite.in_transaction:
            return fetch(*args)
        return await self._connection.blocking(fetch, *args)

    async def fetchone(self) -> Any:
        return await self._fetch(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if size is None:
            return await self._fetch(self._cursor.fetchmany)
        return await self._fetch(self._cursor.fetchmany, size)

    async def fetchall(self) -> list[Any]:
        return await self._fetch(self._cursor.fetchall)

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *sizes: Any) -> None:
        pass  # DB-API: may do nothing

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass

    async def nextset(self) -> None:
        return None  # sqlite3 runs one statement at a time

    async def __aenter__(self) -> SqliteCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._cursor.close()


class SqliteConnection:
    """One `sqlite3` connection and the one thread its blocking calls run on.

    Attributes:
        sqlite: the `sqlite3.Connection` (``check_same_thread`` off: two threads
            use it, never at once).
        hops: calls handed to the thread (for tests and benchmarks).
    """

    def __init__(self, database: str, **kwargs: Any) -> None:
        kwargs["check_same_thread"] = False
        self.sqlite: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        # An idle executor thread never keeps the interpreter alive: its exit hook
        # wakes and joins it (and `close` shuts it down).
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osoto-sqlite")
        self.hops = 0
        self._changes_at_begin = -1

    @property
    def isolation_level(self) -> str | None:
        return self.sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.sqlite.isolation_level = value  # type: ignore[assignment]  # sqlite3 checks it

    @property
    def in_transaction(self) -> bool:
        return self.sqlite.in_transaction

    async def blocking(self, call: Callable[..., _T], *args: Any) -> _T:
        """Run ``call`` on the connection's thread; the loop goes on meanwhile."""
        self.hops += 1
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    async def begin(self, cursor: sqlite3.Cursor, sql: str, parameters: Any) -> None:
        """``BEGIN …`` inline when the write lock is free, else on the thread.

        Another process (the `links` CLI) rarely holds the write lock: then the
        `BEGIN` waits out the busy timeout on the thread, as any blocking call.
        """
        connection = self.sqlite
        timeout = connection.execute("PRAGMA busy_timeout").fetchone()[0]
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        if not connection.in_transaction:
            await self.blocking(cursor.execute, sql, parameters)
        self._changes_at_begin = connection.total_changes

    def cursor(self) -> SqliteCursor:
        return SqliteCursor(self)

    async def commit(self) -> None:
        connection = self.sqlite
        if not connection.in_transaction or connection.total_changes == self._changes_at_begin:
            connection.commit()  # a transaction that wrote no row has nothing to sync
        else:
            await self.blocking(connection.commit)

    async def rollback(self) -> None:
        self.sqlite.rollback()  # never waits: it drops what the transaction wrote

    async def close(self) -> None:
        self.sqlite.close()
        self._thread.shutdown(wait=False)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.sqlite.create_function(*args, **kwargs)


class SqliteAdapted(AsyncAdapt_dbapi_connection):
    """SQLAlchemy's DB-API face of a `SqliteConnection` (its asyncio adapter)."""

    __slots__ = ()

    @property
    def isolation_level(self) -> str | None:
        return self.driver_connection.isolation_level  # type: ignore[no-any-return]

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.driver_connection.isolation_level = value

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.driver_connection.create_function(*args, **kwargs)


class _DBAPI(AsyncAdapt_dbapi_module):
    """The dialect's DB-API module: `sqlite3`'s names, our connection."""

    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        self.paramstyle = "qmark"
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, database: str, **kwargs: Any) -> SqliteAdapted:
        async def open_connection() -> Any:  # SQLAlchemy's AsyncIODBAPIConnection shape
            return SqliteConnection(database, **kwargs)

        return SqliteAdapted(self, await_(open_connection()))


class InlineExecutionContext(SQLiteExecutionContext):
    """Server-side cursors (`AsyncConnection.stream`) are the adapter's own kind."""

    def create_server_side_cursor(self) -> Any:
        return self.root_connection.connection.dbapi_connection.cursor(server_side=True)  # type: ignore[union-attr]


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """SQLAlchemy's pysqlite dialect over `SqliteConnection`, for the async engine."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True
    supports_server_side_cursors = True
    execution_ctx_cls = InlineExecutionContext

    @classmethod
    def import_dbapi(cls) -> Any:
        return _DBAPI()

    def get_driver_connection(self, connection: Any) -> Any:
        return connection.driver_connection  # the SqliteConnection under the adapter

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # `build_engine` names the pool; this is the default for other callers.
        if url.database in (None, "", ":memory:"):
            return pool.StaticPool
        return pool.AsyncAdaptedQueuePool


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")


def inline_of(conn: AsyncConnection | None) -> SqliteConnection | None:
    """The `SqliteConnection` under an SQLAlchemy connection, if that is what it runs
    on (for tests and benchmarks that count its `hops`)."""
    if conn is None or conn.closed:
        return None
    driver = conn.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    return driver if isinstance(driver, SqliteConnection) else None
