"""Migration 7: shared pacing among PostgreSQL replicas (unused on SQLite).

Frozen like `schema_v1`: it describes what version 7 added, never later changes.

* `key_budgets`: one row per API key (by fingerprint), the epoch times of the
  requests the replicas made with it in the last minute (`sends`, a short array
  each reservation prunes). A replica reserves a request under the row's lock
  (`SELECT … FOR UPDATE`), so every replica's count of a key's minute is exact
  (`store/_budgets.py`).
* `replicas.pace_share`: the share of each platform's bot-wide rate (Telegram
  30/s, Slack 50/s) a replica paces itself to, recorded so the shares of the live
  replicas never add up to more than the whole.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

SENDS = sa.JSON().with_variant(postgresql.ARRAY(sa.Double()), "postgresql")


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "key_budgets",
        metadata,
        sa.Column("key_fingerprint", sa.String(64), primary_key=True),
        sa.Column("sends", SENDS, nullable=False),
    )
    return metadata


async def upgrade(conn: AsyncConnection) -> None:
    """Create the key budgets; give each replica its recorded pacing share."""
    await conn.run_sync(_metadata().create_all)
    await conn.execute(sa.text("ALTER TABLE replicas ADD COLUMN pace_share DOUBLE PRECISION"))
