"""Migration 3: what the trip announces (per-link settings, sent identities, snapshots).

Frozen like `schema_v1`: it describes what version 3 added, never later changes.

* `notify_settings`: one row per link that changed a default (`/notify`, `/remind`,
  `/brief`); a link without a row uses the defaults of `NotifySettings`.
* `announcements`: the identity of every announcement claimed for a link (a digest,
  the reminder of one commitment at one start time, a briefing of one day). Its
  primary key is what makes "exactly once" hold across restarts and replicas.
* `plan_snapshots`: the last export of each trip the watch compared against.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP: sa.Double[float] = sa.Double()


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    # The referenced table, for the foreign keys only (it exists since version 1).
    sa.Table("links", metadata, sa.Column("id", ID, primary_key=True))
    sa.Table(
        "notify_settings",
        metadata,
        sa.Column("link_id", ID, sa.ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("changes", sa.Boolean, nullable=False),
        sa.Column("reminders", sa.Boolean, nullable=False),
        sa.Column("commitment_lead", sa.Integer, nullable=True),
        sa.Column("flight_lead", sa.Integer, nullable=True),
        sa.Column("stay_mornings", sa.Boolean, nullable=False),
        sa.Column("brief_at", sa.String(5), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    sa.Table(
        "announcements",
        metadata,
        sa.Column("link_id", ID, sa.ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("identity", sa.String(255), primary_key=True),
        sa.Column("sent_at", TIMESTAMP, nullable=False),
        sa.Index("ix_announcements_sent_at", "sent_at"),
    )
    sa.Table(
        "plan_snapshots",
        metadata,
        sa.Column("trip_id", sa.String, primary_key=True),
        sa.Column("snapshot", sa.Text, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    return metadata


async def upgrade(conn: AsyncConnection) -> None:
    """Create the announcement tables (the `links` stand-in already exists)."""
    metadata = _metadata()
    tables = [metadata.tables[n] for n in ("notify_settings", "announcements", "plan_snapshots")]
    await conn.run_sync(lambda sync_conn: metadata.create_all(sync_conn, tables=tables))
