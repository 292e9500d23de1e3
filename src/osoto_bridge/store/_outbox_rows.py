"""An outbox row and its `OutboxEntry`: the columns read, the typed parent's columns.

A parent is one of three kinds (`OsotoParent`, `ChatParent`, `PendingParent`), each
in its own column (migration 2); exactly one is set, or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from osoto_bridge.store.models import (
    ChatParent,
    OsotoParent,
    OutboxEntry,
    Parent,
    PendingParent,
)
from osoto_bridge.store.tables import outbox

__all__ = ["entry_columns", "entry_from_mapping", "entry_from_row", "parent_columns"]

_PARENT_COLUMNS = ("parent_osoto_message_id", "parent_chat_message_id", "parent_outbox_id")
_FIELDS = (
    *(f for f in OutboxEntry.__dataclass_fields__ if f != "parent"),
    *_PARENT_COLUMNS,
)


def _parent_from(m: Any) -> Parent | None:
    if m["parent_osoto_message_id"] is not None:
        return OsotoParent(m["parent_osoto_message_id"])
    if m["parent_outbox_id"] is not None:
        return PendingParent(int(m["parent_outbox_id"]))
    if m["parent_chat_message_id"] is not None:
        return ChatParent(m["parent_chat_message_id"])
    return None


def parent_columns(parent: Parent | None) -> dict[str, Any]:
    """The outbox columns that hold ``parent`` (one set, the others NULL)."""
    values: dict[str, Any] = dict.fromkeys(_PARENT_COLUMNS)
    match parent:
        case OsotoParent(message_id):
            values["parent_osoto_message_id"] = message_id
        case ChatParent(message_id):
            values["parent_chat_message_id"] = message_id
        case PendingParent(entry_id):
            values["parent_outbox_id"] = entry_id
        case None:
            pass
    return values


def entry_from_row(row: sa.Row[Any]) -> OutboxEntry:
    return entry_from_mapping(row._mapping)


def entry_from_mapping(m: Mapping[Any, Any]) -> OutboxEntry:
    """An entry from its columns' values (a row read, or the values just written)."""
    return OutboxEntry(
        id=int(m["id"]),
        idempotency_key=m["idempotency_key"],
        link_id=int(m["link_id"]),
        trip_id=m["trip_id"],
        channel_id=m["channel_id"],
        content=m["content"],
        parent=_parent_from(m),
        source_platform=m["source_platform"],
        source_chat_id=m["source_chat_id"],
        source_thread_id=m["source_thread_id"],
        source_message_id=m["source_message_id"],
        status=m["status"],
        attempts=int(m["attempts"]),
        next_attempt_at=float(m["next_attempt_at"]),
        last_error=m["last_error"],
        osoto_message_id=m["osoto_message_id"],
        created_at=float(m["created_at"]),
        batch_id=None if m["batch_id"] is None else int(m["batch_id"]),
    )


def entry_columns() -> list[sa.Column[Any]]:
    return [outbox.c[name] for name in _FIELDS]
