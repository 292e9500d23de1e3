"""A `MessageRef` in the message map's columns, and a line on its way resolved.

A map row names its Osoto side in one of two typed columns (migration 6): the Osoto
message (`osoto_message_id`) or, for a chat line still on its way there, its outbox
entry (`outbox_entry_id`, a `PendingPost`); exactly one is set.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store.models import MessageRef, PendingPost
from osoto_bridge.store.tables import outbox

__all__ = ["ref_columns", "ref_from", "ref_is", "refs_in_chat", "resolved", "sent_posts"]


def ref_columns(ref: MessageRef) -> dict[str, Any]:
    """The map's columns that hold ``ref`` (one set, the other NULL)."""
    if isinstance(ref, PendingPost):
        return {"osoto_message_id": None, "outbox_entry_id": ref.entry_id}
    return {"osoto_message_id": ref, "outbox_entry_id": None}


def ref_is(table: sa.Table, ref: MessageRef) -> sa.ColumnElement[bool]:
    """The condition that a row of ``table`` (the map or an alias) is of ``ref``."""
    if isinstance(ref, PendingPost):
        return table.c.outbox_entry_id == ref.entry_id
    return table.c.osoto_message_id == ref


def refs_in_chat(
    table: sa.Table, refs: Iterable[MessageRef], platform: str, chat_id: str
) -> tuple[sa.Select[Any] | sa.CompoundSelect[Any], dict[str, Any]]:
    """The refs (both columns) of ``table``'s rows in one chat that are of ``refs``:
    the statement (built once per shape, `_refs_in_chat_query`) and its parameters.

    One select per side asked for, each read through its own unique index (an OR of
    the two would read every row of the chat), joined by a UNION (also distinct).
    """
    refs = list(refs)
    osoto_ids = [ref for ref in refs if isinstance(ref, str)]
    entry_ids = [ref.entry_id for ref in refs if isinstance(ref, PendingPost)]
    params: dict[str, Any] = {"p_platform": platform, "p_chat_id": chat_id}
    if osoto_ids:
        params["p_osoto_ids"] = osoto_ids
    if entry_ids:
        params["p_entry_ids"] = entry_ids
    return _refs_in_chat_query(table, bool(osoto_ids), bool(entry_ids)), params


@functools.cache
def _refs_in_chat_query(
    table: sa.Table, by_osoto_id: bool, by_entry: bool
) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    sides = [
        (table.c.osoto_message_id, "p_osoto_ids", by_osoto_id),
        (table.c.outbox_entry_id, "p_entry_ids", by_entry),
    ]
    selects = [
        sa.select(table.c.osoto_message_id, table.c.outbox_entry_id).where(
            table.c.platform == sa.bindparam("p_platform", type_=sa.String),
            table.c.chat_id == sa.bindparam("p_chat_id", type_=sa.String),
            column.in_(sa.bindparam(name, expanding=True)),
        )
        for column, name, wanted in sides
        if wanted
    ]
    if len(selects) == 1:
        return selects[0].distinct()
    return sa.union(*selects)


def ref_from(row: Any) -> MessageRef:
    """The `MessageRef` a row read with both columns names."""
    if row.osoto_message_id is not None:
        return str(row.osoto_message_id)
    return PendingPost(int(row.outbox_entry_id))


async def sent_posts(conn: AsyncConnection, refs: Iterable[MessageRef]) -> dict[MessageRef, str]:
    """The Osoto id of each `PendingPost` of ``refs`` posted alone (locked).

    A line posted in a merged post (`batch_id`) keeps its entry: the post's id names
    several lines, and a chat that got them one by one must still tell which it has
    (`Store.delivered_among`).

    Locked (PostgreSQL; nothing on SQLite, whose writers take turns anyway): a
    post's completion locks its entry's row before it moves the copies recorded
    under the entry, so recording a copy and the move never interleave and leave a
    copy stranded under the entry (docs/benchmarks.md, "Replicas"). The rows are
    locked whatever their status (a filter on status would skip the lock), in id
    order (two writers never wait for each other), and read again once the post's
    transaction let go of them.
    """
    pending = sorted({ref.entry_id for ref in refs if isinstance(ref, PendingPost)})
    if not pending:
        return {}
    rows = await conn.execute(
        sa.select(outbox.c.id, outbox.c.status, outbox.c.osoto_message_id, outbox.c.batch_id)
        .where(outbox.c.id.in_(pending))
        .order_by(outbox.c.id)
        .with_for_update()
    )
    return {
        PendingPost(int(row.id)): str(row.osoto_message_id)
        for row in rows
        if row.status == "sent" and row.osoto_message_id is not None and row.batch_id is None
    }


async def resolved(conn: AsyncConnection, ref: MessageRef) -> MessageRef:
    """The Osoto id of a line posted alone whose post has completed; else ``ref``.

    Whichever comes first, a chat's copy recorded under the line's entry or the
    post's completion (which moves such copies to the Osoto id), the map ends up
    under the Osoto id, and a lookup by either finds it.
    """
    if not isinstance(ref, PendingPost):
        return ref
    return (await sent_posts(conn, [ref])).get(ref, ref)
