"""Channels and messages.

Messages carry a global, monotonically increasing `seq`; a message cursor is the
`seq` of the last message returned, so a poll is one indexed range query and a
stored cursor later yields exactly the newer messages.
"""

from __future__ import annotations

from typing import Any

from osoto_bridge.sandbox import cursors
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import Detail, not_found, validation_error
from osoto_bridge.sandbox.ids import new_id
from osoto_bridge.sandbox.wire import dumps, page_json

MAX_CHANNEL_NAME = 80


def _channel_doc(row: Any) -> dict[str, Any]:
    return {"_id": row[0], "_creationTime": row[1], "tripId": row[2], "name": row[3]}


def create_channel(ctx: Context, trip_id: str, name: str) -> dict[str, Any]:
    """Open a channel on a trip; names are unique per trip."""
    name = name.strip()
    if not name or len(name) > MAX_CHANNEL_NAME:
        raise validation_error([Detail("name", f"must be 1 to {MAX_CHANNEL_NAME} characters")])
    taken = ctx.conn.execute(
        "SELECT 1 FROM channels WHERE trip_id = ? AND name = ?", (trip_id, name)
    ).fetchone()
    if taken:
        raise validation_error([Detail("name", f"the trip already has a channel named {name}")])
    channel_id = new_id()
    ctx.conn.execute(
        "INSERT INTO channels (id, trip_id, name, created) VALUES (?, ?, ?, ?)",
        (channel_id, trip_id, name, ctx.now_ms()),
    )
    return get_channel(ctx, trip_id, channel_id)


def get_channel(ctx: Context, trip_id: str, channel_id: str) -> dict[str, Any]:
    """The channel of this trip, or NOT_FOUND."""
    row = ctx.conn.execute(
        "SELECT id, created, trip_id, name FROM channels WHERE id = ? AND trip_id = ?",
        (channel_id, trip_id),
    ).fetchone()
    if row is None:
        raise not_found(f"channel {channel_id}")
    return _channel_doc(row)


def channel_exists(ctx: Context, trip_id: str, channel_id: str) -> bool:
    """Whether the trip has this channel (the poll path's cheap check)."""
    row = ctx.conn.execute(
        "SELECT 1 FROM channels WHERE id = ? AND trip_id = ?", (channel_id, trip_id)
    ).fetchone()
    return row is not None


def list_channels(
    ctx: Context, trip_id: str, limit: int, cursor: str | None
) -> tuple[list[str], str | None, bool]:
    """The trip's channels in creation order."""
    after = 0
    if cursor is not None:
        after = int(cursors.decode(cursor, "channels", trip_id, (int,))[0])
    rows = ctx.conn.execute(
        "SELECT seq, id, created, trip_id, name FROM channels WHERE trip_id = ? AND seq > ?"
        " ORDER BY seq LIMIT ?",
        (trip_id, after, limit + 1),
    ).fetchall()
    has_more = len(rows) > limit
    page = rows[:limit]
    next_cursor = cursors.encode("channels", trip_id, page[-1][0]) if has_more else None
    return [dumps(_channel_doc(r[1:])) for r in page], next_cursor, has_more


def post_message(
    ctx: Context,
    trip_id: str,
    channel_id: str,
    author_id: str,
    content: str,
    parent_id: str | None,
) -> dict[str, Any]:
    """Store a message (content already validated) and return its wire form."""
    get_channel(ctx, trip_id, channel_id)
    author = ctx.conn.execute("SELECT name FROM users WHERE id = ?", (author_id,)).fetchone()
    if author is None:
        raise not_found(f"user {author_id}")
    if parent_id is not None:
        parent = ctx.conn.execute(
            "SELECT 1 FROM messages WHERE id = ? AND channel_id = ?", (parent_id, channel_id)
        ).fetchone()
        if parent is None:
            raise validation_error([Detail("parentId", "no such message in this channel")])
    message: dict[str, Any] = {
        "_id": new_id(),
        "_creationTime": ctx.now_ms(),
        "tripId": trip_id,
        "channelId": channel_id,
        "authorId": author_id,
        "authorName": author[0],
        "content": content,
    }
    if parent_id is not None:
        message["parentId"] = parent_id
    ctx.conn.execute(
        "INSERT INTO messages (id, channel_id, doc) VALUES (?, ?, ?)",
        (message["_id"], channel_id, dumps(message)),
    )
    return message


def list_messages(ctx: Context, channel_id: str, limit: int, cursor: str | None) -> bytes:
    """One page of messages, oldest first, as the finished JSON envelope.

    `nextCursor` is never null: it points after the last message returned (or
    stays where it was when there was nothing new).
    """
    after = 0
    if cursor is not None:
        after = int(cursors.decode(cursor, "messages", channel_id, (int,))[0])
    rows = ctx.conn.execute(
        "SELECT seq, doc FROM messages WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (channel_id, after, limit + 1),
    ).fetchall()
    has_more = len(rows) > limit
    page = rows[:limit]
    last = page[-1][0] if page else after
    return page_json([r[1] for r in page], cursors.encode("messages", channel_id, last), has_more)
