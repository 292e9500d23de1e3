"""What every part of the store shares: the engine, the clock, the cipher, transactions."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from osoto_bridge.store._refs import ref_columns
from osoto_bridge.store.crypto import KeyCipher
from osoto_bridge.store.errors import StoreError
from osoto_bridge.store.models import Direction, Link, MessageOrigin, MessageRef
from osoto_bridge.store.tables import link_activity, links, message_map
from osoto_bridge.util import Turns

__all__ = ["StoreBase", "StoreState", "atomic"]

logger = logging.getLogger("osoto_bridge.store")

_S = TypeVar("_S", bound="StoreBase")
_P = ParamSpec("_P")
_T = TypeVar("_T")


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """An INSERT into ``table`` that supports `on_conflict_do_nothing/do_update`."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


@functools.cache
def _activity_statement(dialect: str, column: str, if_linked: bool) -> Any:
    """`StoreBase._activity_upsert`'s statement, on parameters ``p_link_id``, ``p_now``.

    Built once: it joins every post's and delivery's transaction, and building it
    (an INSERT from a SELECT with an EXISTS, an upsert) cost more than running it.
    """
    link_id = sa.bindparam("p_link_id", type_=sa.Integer)
    now = sa.bindparam("p_now", type_=sa.Float)
    insert = dialect_insert(dialect, link_activity)
    if if_linked:
        source = sa.select(link_id, now).where(sa.exists().where(links.c.id == link_id))
        stmt = insert.from_select(["link_id", column], source)
    else:
        stmt = insert.values({"link_id": link_id, column: now})
    return stmt.on_conflict_do_update(index_elements=[link_activity.c.link_id], set_={column: now})


@functools.cache
def map_rows_insert(dialect: str) -> Any:
    """Message map rows, executed with the rows as parameters (one statement, built
    once). No conflict target: either unique rule (chat message, or part) means the
    row is known, and a known row stays as it is."""
    return dialect_insert(dialect, message_map).on_conflict_do_nothing()


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's own message, not SQLAlchemy's (which appends SQL and parameters).
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).splitlines()
    return lines[0][:200] if lines else "no detail"


def atomic(
    method: Callable[Concatenate[_S, _P], Awaitable[_T]],
) -> Callable[Concatenate[_S, _P], Coroutine[Any, Any, _T]]:
    """Run a store method to its end even if its caller is cancelled.

    A transaction cut at an arbitrary await leaves the driver connection in an
    unknown state: SQLAlchemy then throws the connection away, which on PostgreSQL
    costs a reconnect and on in-memory SQLite loses the whole database. So the work
    runs in a task of its own that the caller awaits through `asyncio.shield`: the
    caller still sees `CancelledError` at once, while the transaction commits or
    rolls back cleanly behind it. The store keeps these tasks and `close()` awaits them.
    """

    @functools.wraps(method)
    async def run(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        async def work() -> _T:
            try:
                return await method(self, *args, **kwargs)
            except SQLAlchemyError as exc:
                # The one place driver errors become the store's own (the methods
                # translate the integrity errors they expect before this).
                raise StoreError(
                    f"{method.__name__} failed: {type(exc).__name__}: {_reason(exc)}"
                ) from exc
            except OSError as exc:
                raise StoreError(f"{method.__name__} failed: cannot reach the database") from exc

        return await self._shielded(work())

    return run


MAX_COMMIT_GROUP = 32
"""Most operations one SQLite commit carries (the first of them waits for the last)."""


class _CommitGroup:
    """SQLite operations sharing one transaction and its commit."""

    def __init__(self) -> None:
        self.size = 0
        self._done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def commit(self, conn: AsyncConnection) -> None:
        try:
            await conn.commit()
        except BaseException as exc:
            self._done.set_exception(exc)
            self._done.exception()  # retrieved here: a group of one may not wait for it
            with contextlib.suppress(Exception):
                await conn.rollback()
            if not isinstance(exc, Exception):
                raise
        else:
            self._done.set_result(None)

    async def committed(self) -> None:
        await asyncio.shield(self._done)


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
        # The intake's operations go first (`_tx(first=True)`): behind the
        # bookkeeping of a thousand busy channels a Telegram page waited seconds for
        # its write, and Telegram's updates queued behind it (docs/benchmarks.md,
        # "The bulk at 1,000 trips").
        self._serial = Turns() if engine.dialect.name == "sqlite" else None
        # ... and that one connection stays checked out: taking it from the pool and
        # giving it back (with the pool's reset) cost as much as the query itself.
        self._held: AsyncConnection | None = None
        self._group: _CommitGroup | None = None
        self._queued = 0
        self._inflight: set[asyncio.Task[Any]] = set()
        self._operations = 0
        # The links by chat, as `cached_link` last read them (None: no link there).
        self._link_cache: dict[tuple[str, str, str], Link | None] = {}
        self._link_generation = 0

    @property
    def link_generation(self) -> int:
        """A number that changes whenever the links may have changed, as far as this
        store knows: each link change it made and each `forget_cached_links` (the
        relay's link sync). What read the links may keep them while it holds."""
        return self._link_generation

    @property
    def operations(self) -> int:
        """How many store operations (public method calls, each one transaction or
        read) this store ran since it opened: what `bench/` counts per line."""
        return self._operations

    async def _shielded(self, work: Coroutine[Any, Any, _T]) -> _T:
        if self._state is StoreState.CLOSED:
            work.close()  # never started: nothing to clean up, no "never awaited" warning
            raise StoreError("the store is closed")
        self._operations += 1
        task = asyncio.create_task(work, name="osoto_bridge.store.operation")
        self._inflight.add(task)
        task.add_done_callback(self._operation_done)
        return await asyncio.shield(task)

    def _operation_done(self, task: asyncio.Task[Any]) -> None:
        self._inflight.discard(task)
        # Retrieve the outcome: when the caller was cancelled nobody else will.
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.debug("store operation failed: %s", type(exc).__name__)

    async def _drain(self) -> None:
        """Wait for operations still running for callers that were cancelled."""
        while self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    @property
    def dialect(self) -> str:
        """The backend in use: `sqlite` or `postgresql`."""
        return self._engine.dialect.name

    @asynccontextmanager
    async def _tx(
        self, *, read_only: bool = False, first: bool = False
    ) -> AsyncIterator[AsyncConnection]:
        """Run one transaction: commit on success, roll back on any exception.

        ``read_only``: the operation writes nothing (on SQLite it then needs no
        savepoint of its own in a commit group: there is nothing of it to undo).
        ``first``: on SQLite, served before every queued operation that is not
        (what a platform hands in: until it is written nothing downstream starts,
        and the platform waits for its acknowledgment).

        The closed check is at the call (`atomic`), not here: an operation accepted
        before `close()` still finishes while `close()` drains.

        On SQLite the operations share commits (group commit): an operation that
        finds others queued behind it leaves the transaction open for them, and the
        last of the group commits. Each after the first runs in a savepoint of its
        own (the first fails alone: the whole transaction is rolled back), so a
        failure undoes only its own part, and none returns before the commit it rode on
        (a failed commit fails every operation of the group). A commit is a disk
        sync; one for a group rather than one each is what lets a burst of chat
        messages through at the disk's pace times the group's size.
        """
        if self._serial is None:
            async with self._engine.begin() as conn:
                yield conn
            return
        self._queued += 1
        try:
            await self._serial.acquire(first=first)
        finally:
            self._queued -= 1
        try:
            held = self._held
            if held is None or held.closed or held.invalidated:
                held = await self._engine.connect()
                self._held = held
            group = self._group
            if group is None:
                await held.begin()
                group = self._group = _CommitGroup()
            group.size += 1
            alone = group.size == 1  # the transaction holds nothing of anyone else yet
            try:
                if read_only or alone:
                    yield held
                else:
                    async with held.begin_nested():
                        yield held
            except BaseException:
                if alone and not read_only:
                    # Undone with the whole transaction, as without a group: no
                    # savepoint needed (they cost as much as a small write).
                    self._group = None
                    await held.rollback()
                raise
            finally:
                if self._group is group and (self._queued == 0 or group.size >= MAX_COMMIT_GROUP):
                    self._group = None
                    await group.commit(held)
        finally:
            self._serial.release()
        await group.committed()

    async def _release_held(self) -> None:
        """Give the held SQLite connection back to the pool (before disposing of it)."""
        conn, self._held = self._held, None
        if conn is not None and not conn.closed:
            await conn.close()

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT that supports `on_conflict_do_nothing/do_update` on this backend."""
        return dialect_insert(self.dialect, table)

    def _now(self) -> float:
        return float(self._clock())

    def _activity_upsert(
        self, link_id: int, direction: Direction, *, if_linked: bool
    ) -> tuple[Any, dict[str, Any]]:
        """Set a link's last in/out time to now (`in`: chat → Osoto): the statement
        (built once, `_activity_statement`) and its parameters.

        ``if_linked``: write nothing when the link is gone (the statement joins a
        delivery's transaction, which must not fail for want of a link) rather than
        fail on the foreign key.
        """
        column = "last_in_at" if direction == "in" else "last_out_at"
        stmt = _activity_statement(self.dialect, column, if_linked)
        return stmt, {"p_link_id": link_id, "p_now": self._now()}

    def _map_insert(
        self,
        *,
        message: MessageRef,
        trip_id: str,
        channel_id: str,
        platform: str,
        chat_id: str,
        thread_id: str | None,
        chat_message_ids: Sequence[str],
        origin: MessageOrigin,
    ) -> tuple[Any, list[dict[str, Any]]]:
        """Map a message (or a line on its way) to its chat messages; parts already
        known stay as they are: the statement (`map_rows_insert`) and its rows."""
        now = self._now()
        columns = ref_columns(message)
        rows = [
            {
                **columns,
                "trip_id": trip_id,
                "channel_id": channel_id,
                "platform": platform,
                "chat_id": chat_id,
                "thread_id": thread_id or None,
                "chat_message_id": chat_message_id,
                "part": part,
                "origin": origin,
                "created_at": now,
            }
            for part, chat_message_id in enumerate(chat_message_ids)
        ]
        return map_rows_insert(self.dialect), rows
