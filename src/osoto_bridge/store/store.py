"""`Store`: the bridge's persistent state, opened from a database URL.

Two ways to open it, both the same call:

```python
store = await Store.open(url, secret_keys=[key])      # close with: await store.close()
async with Store.open(url, secret_keys=[key]) as store:  # closed on exit
    ...
```

Every method is one transaction. On SQLite the store serialises its transactions in
the event loop (one writer anyway); on PostgreSQL they run concurrently and the
atomic ones rely on unique constraints, never on "select, then insert".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Sequence
from types import TracebackType
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from osoto_bridge.store._announce import AnnounceMixin
from osoto_bridge.store._base import StoreState, atomic
from osoto_bridge.store._batches import BatchesMixin
from osoto_bridge.store._budgets import BudgetsMixin
from osoto_bridge.store._chat_paces import ChatPacesMixin
from osoto_bridge.store._intake import IntakeMixin
from osoto_bridge.store._leases import LeasesMixin
from osoto_bridge.store._links import LinksMixin
from osoto_bridge.store._messages import MessagesMixin
from osoto_bridge.store._ops import OpsMixin
from osoto_bridge.store._outbox import OutboxMixin
from osoto_bridge.store._posts import PostsMixin
from osoto_bridge.store._state import StateMixin
from osoto_bridge.store.crypto import KeyCipher
from osoto_bridge.store.engine import build_engine, safe_url
from osoto_bridge.store.errors import SchemaVersionError, StoreError
from osoto_bridge.store.migrations import CODE_VERSION, migrate, read_version

__all__ = ["Store", "StoreOpener"]

logger = logging.getLogger("osoto_bridge.store")

_PG_SCHEMA_LOCK_ID = 0x05070B1E


class Store(
    LinksMixin,
    MessagesMixin,
    OutboxMixin,
    PostsMixin,
    BatchesMixin,
    IntakeMixin,
    StateMixin,
    OpsMixin,
    AnnounceMixin,
    LeasesMixin,
    BudgetsMixin,
    ChatPacesMixin,
):
    """The bridge's state: links and keys, cursors, message map, outbox, dedup, offsets.

    Build it with `Store.open(...)`; the constructor is for the opener only.
    """

    CODE_VERSION: ClassVar[int] = CODE_VERSION

    def __init__(
        self, engine: AsyncEngine, *, cipher: KeyCipher, clock: Callable[[], float], url: str
    ) -> None:
        super().__init__(engine, cipher=cipher, clock=clock)
        self._safe_url = url

    def __repr__(self) -> str:
        return f"Store({self._safe_url!r}, state={self._state.value})"

    @staticmethod
    def open(
        url: str,
        *,
        secret_keys: Sequence[str],
        clock: Callable[[], float] = time.time,
        migrate: bool = True,
        schema: str | None = None,
    ) -> StoreOpener:
        """Open a store: `await` it, or use it as `async with`.

        Args:
            url: `sqlite+aiosqlite:///path/to/bridge.db`, `sqlite+aiosqlite://`
                (in memory) or `postgresql+asyncpg://user:pass@host/db`.
            secret_keys: Fernet keys, primary first; see `generate_secret_key()`.
            clock: epoch seconds; tests pass a fake one.
            migrate: bring the schema up to date first (the default). When False the
                schema must already be current.
            schema: PostgreSQL only: keep the tables in this schema (created if missing).

        Raises:
            SecretError: a malformed secret key.
            SchemaVersionError: the database is newer than the code, or (migrate=False)
                older.
            StoreError: the database cannot be reached or the URL is unsupported.
        """
        return StoreOpener(
            url, secret_keys=secret_keys, clock=clock, migrate=migrate, schema=schema
        )

    async def _start(self, *, run_migrations: bool, schema: str | None) -> None:
        try:
            if schema is not None:
                async with self._engine.begin() as conn:
                    # Serialised: concurrent CREATE SCHEMA IF NOT EXISTS can still collide.
                    await conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_SCHEMA_LOCK_ID}
                    )
                    await conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            if run_migrations:
                version = await migrate(self._engine)
            else:
                version = await self.schema_version()
                if version != CODE_VERSION:
                    relation = "newer" if version > CODE_VERSION else "older"
                    raise SchemaVersionError(
                        f"the database schema is at version {version}, {relation} than this "
                        f"code (version {CODE_VERSION}); open it with migrate=True"
                    )
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot open the store at {self._safe_url}: {type(exc).__name__}"
            ) from exc
        except OSError as exc:
            raise StoreError(f"cannot reach the database at {self._safe_url}: {exc}") from exc
        self._state = StoreState.OPEN
        logger.info("store open at %s (schema version %d)", self._safe_url, version)

    async def close(self) -> None:
        """Release the database connections. Safe to call twice."""
        if self._state is StoreState.CLOSED:
            return
        self._state = StoreState.CLOSED
        await self._drain()
        await self._release_held()
        await self._engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def engine(self) -> AsyncEngine:
        """The SQLAlchemy engine (for tests and diagnostics; not for other rooms' tables)."""
        return self._engine

    @atomic
    async def schema_version(self) -> int:
        """Return the database's schema version (0 when empty)."""
        async with self._tx() as conn:
            return await read_version(conn)


class StoreOpener:
    """What `Store.open` returns: awaitable, and an async context manager."""

    def __init__(
        self,
        url: str,
        *,
        secret_keys: Sequence[str],
        clock: Callable[[], float],
        migrate: bool,
        schema: str | None,
    ) -> None:
        self._url = url
        self._secret_keys = secret_keys
        self._clock = clock
        self._migrate = migrate
        self._schema = schema
        self._store: Store | None = None

    def __repr__(self) -> str:
        return f"StoreOpener({safe_url(self._url)!r})"

    async def _open(self) -> Store:
        cipher = KeyCipher(self._secret_keys)
        engine = build_engine(self._url, schema=self._schema)
        store = Store(engine, cipher=cipher, clock=self._clock, url=safe_url(self._url))
        try:
            await store._start(run_migrations=self._migrate, schema=self._schema)
        except BaseException:
            # Half-open: give the connections back before reporting.
            await store.close()
            raise
        return store

    def __await__(self) -> Generator[object, None, Store]:
        return self._open().__await__()

    async def __aenter__(self) -> Store:
        self._store = await self._open()
        return self._store

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None
