"""Migration 8: each chat's platform pace shared among PostgreSQL replicas.

Frozen like `schema_v1`: it describes what version 8 added, never later changes.

* `chat_paces`: one row per chat (``telegram:<chat id>``, ``slack:<channel>``), the
  tokens of its per-chat buckets (Telegram: a chat's 1 a second and a group's 20
  a minute; Slack: a channel's 1 a second) and the wall-clock time they were
  counted. A replica takes a send's tokens under the row's lock
  (`SELECT … FOR UPDATE`), so a chat's pace holds whichever replica sends into it
  (`store/_chat_paces.py`). Created on SQLite too (as `key_budgets` is), unused
  there: one process paces every chat itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

TOKENS = sa.JSON().with_variant(postgresql.ARRAY(sa.Double()), "postgresql")


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "chat_paces",
        metadata,
        sa.Column("chat_key", sa.String(200), primary_key=True),
        sa.Column("tokens", TOKENS, nullable=False),
        sa.Column("counted_at", sa.Double(), nullable=False),
    )
    return metadata


async def upgrade(conn: AsyncConnection) -> None:
    """Create the chats' shared paces."""
    await conn.run_sync(_metadata().create_all)
