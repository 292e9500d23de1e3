"""What operators need from the store: state for metrics, and a copy of every row.

`copy_into` moves a bridge from one database to another (SQLite → PostgreSQL, or a
new SQLite file): every table, rows as they are (encrypted keys stay encrypted, ids
are kept so links, outbox entries and activity still point at each other), in one
read transaction on the source and one write transaction on the target, so the
target holds all of it or nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store.errors import StoreError
from osoto_bridge.store.tables import (
    api_keys,
    cursors,
    link_activity,
    links,
    message_map,
    offsets,
    outbox,
    seen_events,
)

__all__ = ["COPIED_TABLES", "OpsMixin", "OutboxStats"]

logger = logging.getLogger("osoto_bridge.store.ops")

# Parents before children (foreign keys); the schema version is the target's own.
COPIED_TABLES: tuple[sa.Table, ...] = (
    api_keys,
    links,
    cursors,
    message_map,
    outbox,
    seen_events,
    offsets,
    link_activity,
)
_SERIAL_TABLES = (api_keys, links, message_map, outbox)


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """The outbox at a glance.

    Attributes:
        pending: entries waiting to be posted (due or backing off).
        failed: entries Osoto refused for good, kept for the operator.
        oldest_pending_at: creation time (epoch) of the oldest pending entry.
    """

    pending: int
    failed: int
    oldest_pending_at: float | None


class OpsMixin(StoreBase):
    """Read-outs for metrics and health, and the whole-database copy."""

    @atomic
    async def outbox_stats(self) -> OutboxStats:
        """Count pending and failed entries, and date the oldest pending one."""
        query = sa.select(
            outbox.c.status, sa.func.count(), sa.func.min(outbox.c.created_at)
        ).group_by(outbox.c.status)
        async with self._tx() as conn:
            rows = (await conn.execute(query)).all()
        by_status = {str(row[0]): (int(row[1]), row[2]) for row in rows}
        pending, oldest = by_status.get("pending", (0, None))
        return OutboxStats(
            pending=pending,
            failed=by_status.get("failed", (0, None))[0],
            oldest_pending_at=None if oldest is None else float(oldest),
        )

    @atomic
    async def cursor_updates(self) -> dict[tuple[str, str], float]:
        """When each channel's cursor last moved, by (trip id, channel id)."""
        query = sa.select(cursors.c.trip_id, cursors.c.channel_id, cursors.c.updated_at)
        async with self._tx() as conn:
            rows = (await conn.execute(query)).all()
        return {(str(row[0]), str(row[1])): float(row[2]) for row in rows}

    @atomic
    async def row_counts(self) -> dict[str, int]:
        """How many rows each table of the bridge's state holds."""
        async with self._tx() as conn:
            return await _counts(conn)

    @atomic
    async def copy_into(self, target: OpsMixin, *, batch_size: int = 500) -> dict[str, int]:
        """Copy every row of this store into ``target``, which must be empty.

        Both stores must be open at the same schema version. Rows are copied as they
        are: API keys stay encrypted (``target`` needs the same secret keys to use
        them) and ids are kept.

        Args:
            target: an open, empty store (another database).
            batch_size: rows per INSERT.

        Returns:
            Rows copied, by table name.

        Raises:
            StoreError: the target already holds state, or a database failed; the
                target is then left as it was.
        """
        copied: dict[str, int] = {}
        async with self._tx() as source, target._tx() as sink:
            already = {name: n for name, n in (await _counts(sink)).items() if n}
            if already:
                listing = ", ".join(f"{n} {name}" for name, n in sorted(already.items()))
                raise StoreError(
                    f"the target database already holds bridge state ({listing}): "
                    "copy into an empty database"
                )
            for table in COPIED_TABLES:
                copied[table.name] = await _copy_table(source, sink, table, batch_size)
            if sink.dialect.name == "postgresql":
                await _reset_sequences(sink)
        logger.info(
            "copied the store: %s",
            ", ".join(f"{n} {name}" for name, n in copied.items()),
        )
        return copied


async def _counts(conn: AsyncConnection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in COPIED_TABLES:
        counts[table.name] = int(
            await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        )
    return counts


async def _copy_table(
    source: AsyncConnection, sink: AsyncConnection, table: sa.Table, batch_size: int
) -> int:
    order = [column for column in table.primary_key.columns]
    result = await source.stream(sa.select(table).order_by(*order))
    total = 0
    async for batch in result.mappings().partitions(batch_size):
        rows: list[dict[str, Any]] = [dict(row) for row in batch]
        await sink.execute(sa.insert(table), rows)
        total += len(rows)
    return total


async def _reset_sequences(sink: AsyncConnection) -> None:
    # Rows came with their ids, so PostgreSQL's sequences never advanced: move each
    # past the largest id, or the next insert would collide with a copied row.
    for table in _SERIAL_TABLES:
        await sink.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"
            )
        )
