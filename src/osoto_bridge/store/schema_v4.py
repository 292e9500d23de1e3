"""Migration 4: replicas and their work leases (PostgreSQL replicas; unused on SQLite).

Frozen like `schema_v1`: it describes what version 4 added, never later changes.

* `replicas`: one row per running replica, its heartbeat: `expires_at` is pushed
  forward by every lease round, so the live replicas are those whose row has not
  expired. How many are live sets each one's fair share of the units.
* `leases`: one row per unit of work (all channels of one API key, or a single job
  such as the Telegram long poller): who holds it and until when. A holder NULL or
  an `expires_at` in the past means the unit is free to take.

Times are the database server's (`now()`), never a replica's clock: replicas whose
clocks disagree still agree on who holds what.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

WHEN = sa.DateTime(timezone=True)


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "replicas",
        metadata,
        sa.Column("replica_id", sa.String(200), primary_key=True),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
    )
    sa.Table(
        "leases",
        metadata,
        sa.Column("unit", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("acquired_at", WHEN, nullable=True),
        sa.Index("ix_leases_holder", "holder"),
    )
    return metadata


async def upgrade(conn: AsyncConnection) -> None:
    """Create the replica and lease tables."""
    metadata = _metadata()
    await conn.run_sync(metadata.create_all)
