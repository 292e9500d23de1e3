"""Numbered, transactional schema migrations (in the style of mautrix's async_db upgrades).

`MIGRATIONS[n - 1]` brings the database from version `n - 1` to `n`. Each runs in its
own transaction together with the bump of `store_schema_version`, so a crash leaves
the database at the last finished version, never half way. On PostgreSQL a
transaction-scoped advisory lock serialises replicas that start at the same moment;
on SQLite the store's `BEGIN IMMEDIATE` does the same. A database newer than the
code is refused: old code must not write into a schema it does not understand.

To add a migration: write `async def upgrade(conn)` (Core DDL or SQL that works on
both backends, branching on `conn.dialect.name` where it must), append it here with
the next number, and update `tables.py` to match.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from osoto_bridge.store import (
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
)
from osoto_bridge.store.errors import SchemaVersionError
from osoto_bridge.store.tables import schema_version

__all__ = ["CODE_VERSION", "MIGRATIONS", "Migration", "migrate", "read_version"]

logger = logging.getLogger("osoto_bridge.store.migrations")

# Any constant works; it only has to be the same in every replica.
_PG_LOCK_ID = 0x05070B1D


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema's history.

    Attributes:
        version: the version the database has after this step.
        description: one line for the log.
        upgrade: applies the step inside the caller's transaction.
    """

    version: int
    description: str
    upgrade: Callable[[AsyncConnection], Awaitable[None]]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "links, API keys, cursors, message map, outbox, events, offsets", schema_v1.upgrade
    ),
    Migration(2, "an outbox entry's parent in typed columns", schema_v2.upgrade),
    Migration(3, "notification settings, sent announcements, plan snapshots", schema_v3.upgrade),
    Migration(4, "replicas and their work leases", schema_v4.upgrade),
    Migration(
        5, "coalesced lines: a chat message of several lines, outbox batches", schema_v5.upgrade
    ),
    Migration(
        6, "a line on its way to Osoto mapped by its outbox entry (typed)", schema_v6.upgrade
    ),
    Migration(7, "replicas' shared pacing: key budgets, bot-rate shares", schema_v7.upgrade),
    Migration(8, "replicas' shared pacing: each chat's pace", schema_v8.upgrade),
)
CODE_VERSION = MIGRATIONS[-1].version


async def read_version(conn: AsyncConnection) -> int:
    """Return the database's schema version (0 for an empty database).

    Args:
        conn: a connection inside a transaction.
    """
    has_table = await conn.run_sync(
        lambda sync_conn: sa.inspect(sync_conn).has_table(schema_version.name)
    )
    if not has_table:
        return 0
    version = await conn.scalar(sa.select(sa.func.max(schema_version.c.version)))
    return int(version or 0)


async def _lock(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})


async def _write_version(conn: AsyncConnection, version: int) -> None:
    await conn.run_sync(lambda sync_conn: schema_version.create(sync_conn, checkfirst=True))
    await conn.execute(sa.delete(schema_version))
    await conn.execute(sa.insert(schema_version).values(version=version))


def _check_numbering(migrations: Sequence[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(f"migration #{expected} is numbered {migration.version}")


async def migrate(engine: AsyncEngine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the newest version, one transaction per step.

    Args:
        engine: the store's engine.
        migrations: the history to apply (tests pass their own).

    Returns:
        The version the database is at afterwards.

    Raises:
        SchemaVersionError: the database is newer than the newest migration.
    """
    _check_numbering(migrations)
    target = migrations[-1].version if migrations else 0
    while True:
        async with engine.begin() as conn:
            await _lock(conn)
            # Re-read under the lock: another replica may have migrated meanwhile.
            current = await read_version(conn)
            if current > target:
                raise SchemaVersionError(
                    f"the database schema is at version {current}, newer than this code "
                    f"(version {target}); upgrade osoto-bridge before using this database"
                )
            if current == target:
                return current
            step = migrations[current]
            logger.info(
                "migrating the store from version %d to %d: %s",
                current,
                step.version,
                step.description,
            )
            await step.upgrade(conn)
            await _write_version(conn, step.version)
