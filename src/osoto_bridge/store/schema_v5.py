"""Migration 5: coalesced lines (one chat message carries several, one post holds several).

Frozen like `schema_v1`: it describes what version 5 changed, never later changes.

* `message_map`: a chat message may now carry several Osoto lines (a lane merged
  them, `relay/coalesce.py`): the chat side's unique rule becomes (platform, chat,
  chat message, Osoto message) instead of (platform, chat, chat message). SQLite
  cannot drop a constraint, so there the table is rebuilt (same columns, rows and
  ids); PostgreSQL swaps the constraint in place.
* `outbox.batch_id`: the lead entry of the merged Osoto post an entry was cut into,
  written before the post, so a retry after a crash replays the same post (same
  lines, same Idempotency-Key).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP: sa.Double[float] = sa.Double()

_COLUMNS = (
    "id, osoto_message_id, trip_id, channel_id, platform, chat_id, thread_id, "
    "chat_message_id, part, origin, created_at"
)


def _message_map(name: str) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("osoto_message_id", sa.String, nullable=False),
        sa.Column("trip_id", sa.String, nullable=False),
        sa.Column("channel_id", sa.String, nullable=False),
        sa.Column("platform", sa.String, nullable=False),
        sa.Column("chat_id", sa.String, nullable=False),
        sa.Column("thread_id", sa.String, nullable=True),
        sa.Column("chat_message_id", sa.String, nullable=False),
        sa.Column("part", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint(
            "platform",
            "chat_id",
            "chat_message_id",
            "osoto_message_id",
            name="uq_message_map_chat_line",
        ),
        sa.UniqueConstraint(
            "osoto_message_id", "platform", "chat_id", "part", name="uq_message_map_parts"
        ),
    )


async def upgrade(conn: AsyncConnection) -> None:
    """Let one chat message map to several lines; give the outbox its batch column."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("ALTER TABLE message_map DROP CONSTRAINT uq_message_map_chat"))
        await conn.execute(
            sa.text(
                "ALTER TABLE message_map ADD CONSTRAINT uq_message_map_chat_line "
                "UNIQUE (platform, chat_id, chat_message_id, osoto_message_id)"
            )
        )
        await conn.execute(sa.text("ALTER TABLE outbox ADD COLUMN batch_id BIGINT"))
    else:
        rebuilt = _message_map("message_map_v4")
        await conn.run_sync(lambda sync_conn: rebuilt.create(sync_conn))
        await conn.execute(
            sa.text(f"INSERT INTO message_map_v4 ({_COLUMNS}) SELECT {_COLUMNS} FROM message_map")
        )
        await conn.execute(sa.text("DROP TABLE message_map"))
        await conn.execute(sa.text("ALTER TABLE message_map_v4 RENAME TO message_map"))
        await conn.execute(sa.text("ALTER TABLE outbox ADD COLUMN batch_id INTEGER"))
