"""Migration 6: a line on its way to Osoto is named by its outbox entry, in a typed column.

Frozen like `schema_v1`: it describes what version 6 changed, never later changes.

Up to version 5 a chat's copy of a line not yet posted to Osoto was mapped under a
stand-in Osoto id, the string ``outbox:<entry id>``. Now the Osoto side of a
`message_map` row is one of two typed columns: `osoto_message_id` (now nullable), or
`outbox_entry_id` for a line on its way (`PendingPost`), exactly one of them set
(`ck_message_map_one_ref`). Each unique rule of the Osoto id is kept for the entry
too. Rows stored under a stand-in are converted: ``outbox:17`` becomes entry 17.

SQLite cannot make a column nullable or add a constraint in place: there the table
is rebuilt (same rows and ids), as migration 5 did; PostgreSQL alters it in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP: sa.Double[float] = sa.Double()

_KEPT = (
    "id, trip_id, channel_id, platform, chat_id, thread_id, chat_message_id, part, "
    "origin, created_at"
)

# SQLite: "outbox:" then digits only (what version 5 read as a stand-in); substr is
# 1-based, so the entry id starts at character 8.
_SQLITE_STAND_IN = (
    "(osoto_message_id LIKE 'outbox:%' AND length(osoto_message_id) > 7 "
    "AND substr(osoto_message_id, 8) NOT GLOB '*[^0-9]*')"
)


def _message_map(name: str) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("osoto_message_id", sa.String, nullable=True),
        sa.Column("trip_id", sa.String, nullable=False),
        sa.Column("channel_id", sa.String, nullable=False),
        sa.Column("platform", sa.String, nullable=False),
        sa.Column("chat_id", sa.String, nullable=False),
        sa.Column("thread_id", sa.String, nullable=True),
        sa.Column("chat_message_id", sa.String, nullable=False),
        sa.Column("part", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("outbox_entry_id", ID, nullable=True),
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
        sa.UniqueConstraint(
            "platform",
            "chat_id",
            "chat_message_id",
            "outbox_entry_id",
            name="uq_message_map_entry_line",
        ),
        sa.UniqueConstraint(
            "outbox_entry_id", "platform", "chat_id", "part", name="uq_message_map_entry_parts"
        ),
        sa.CheckConstraint(
            "(osoto_message_id IS NULL) <> (outbox_entry_id IS NULL)",
            name="ck_message_map_one_ref",
        ),
    )


async def upgrade(conn: AsyncConnection) -> None:
    """Give the message map its `outbox_entry_id` column and convert the stand-ins."""
    if conn.dialect.name == "postgresql":
        await _upgrade_postgresql(conn)
    else:
        await _upgrade_sqlite(conn)


async def _upgrade_postgresql(conn: AsyncConnection) -> None:
    for statement in (
        "ALTER TABLE message_map ALTER COLUMN osoto_message_id DROP NOT NULL",
        "ALTER TABLE message_map ADD COLUMN outbox_entry_id BIGINT",
        "UPDATE message_map SET outbox_entry_id = CAST(substr(osoto_message_id, 8) AS BIGINT), "
        "osoto_message_id = NULL WHERE osoto_message_id ~ '^outbox:[0-9]+$'",
        "ALTER TABLE message_map ADD CONSTRAINT uq_message_map_entry_line "
        "UNIQUE (platform, chat_id, chat_message_id, outbox_entry_id)",
        "ALTER TABLE message_map ADD CONSTRAINT uq_message_map_entry_parts "
        "UNIQUE (outbox_entry_id, platform, chat_id, part)",
        "ALTER TABLE message_map ADD CONSTRAINT ck_message_map_one_ref "
        "CHECK ((osoto_message_id IS NULL) <> (outbox_entry_id IS NULL))",
    ):
        await conn.execute(sa.text(statement))


async def _upgrade_sqlite(conn: AsyncConnection) -> None:
    rebuilt = _message_map("message_map_v5")
    await conn.run_sync(lambda sync_conn: rebuilt.create(sync_conn))
    await conn.execute(
        sa.text(
            f"INSERT INTO message_map_v5 ({_KEPT}, osoto_message_id, outbox_entry_id) "
            f"SELECT {_KEPT}, "
            f"CASE WHEN {_SQLITE_STAND_IN} THEN NULL ELSE osoto_message_id END, "
            f"CASE WHEN {_SQLITE_STAND_IN} THEN CAST(substr(osoto_message_id, 8) AS INTEGER) "
            "END FROM message_map"
        )
    )
    await conn.execute(sa.text("DROP TABLE message_map"))
    await conn.execute(sa.text("ALTER TABLE message_map_v5 RENAME TO message_map"))
