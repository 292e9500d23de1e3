"""Migration 2: an outbox entry's parent in typed columns, not one prefixed string.

Version 1 kept the parent of an outbox entry in one `parent_id` string in two
encodings: an Osoto message id, or `chat-message:<id>` for a message of the entry's
source chat that was itself still waiting in the outbox. Version 2 holds each kind in
its own column (at most one is set):

- `parent_osoto_message_id`: an Osoto message;
- `parent_chat_message_id`: a message of the source chat, resolved through the
  message map when the entry is posted;
- `parent_outbox_id`: another outbox entry still on its way (posted first, in order).

It also indexes the outbox by source chat message, for that look-up.

Frozen: this module describes the step as it shipped and never changes with later code.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["upgrade"]

_CHAT_PREFIX = "chat-message:"


async def upgrade(conn: AsyncConnection) -> None:
    """Split `outbox.parent_id` into the three typed parent columns."""
    for column, kind in (
        ("parent_osoto_message_id", "VARCHAR"),
        ("parent_chat_message_id", "VARCHAR"),
        ("parent_outbox_id", "BIGINT" if conn.dialect.name == "postgresql" else "INTEGER"),
    ):
        await conn.execute(sa.text(f"ALTER TABLE outbox ADD COLUMN {column} {kind}"))
    prefix = len(_CHAT_PREFIX)
    await conn.execute(
        sa.text(
            "UPDATE outbox SET parent_chat_message_id = SUBSTR(parent_id, :start) "
            "WHERE parent_id LIKE :pattern"
        ),
        {"start": prefix + 1, "pattern": _CHAT_PREFIX + "%"},
    )
    await conn.execute(
        sa.text(
            "UPDATE outbox SET parent_osoto_message_id = parent_id "
            "WHERE parent_id IS NOT NULL AND parent_id NOT LIKE :pattern"
        ),
        {"pattern": _CHAT_PREFIX + "%"},
    )
    await conn.execute(sa.text("ALTER TABLE outbox DROP COLUMN parent_id"))
    # A reply to a line still in the outbox looks its entry up by the chat message.
    await conn.execute(
        sa.text(
            "CREATE INDEX ix_outbox_source "
            "ON outbox (source_platform, source_chat_id, source_message_id)"
        )
    )
