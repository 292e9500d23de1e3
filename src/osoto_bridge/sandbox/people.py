"""Users and groups, and the `GET /me` view of them."""

from __future__ import annotations

from typing import Any

from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import not_found
from osoto_bridge.sandbox.ids import new_id


def create_user(ctx: Context, name: str, email: str | None, phone: str | None) -> str:
    """Create a user and return its id."""
    if not name.strip():
        raise ValueError("a user needs a name")
    user_id = new_id()
    ctx.conn.execute(
        "INSERT INTO users (id, name, email, phone, created) VALUES (?, ?, ?, ?, ?)",
        (user_id, name, email, phone, ctx.now_ms()),
    )
    return user_id


def require_user(ctx: Context, user_id: str) -> dict[str, Any]:
    """Return the user's public fields, or raise NOT_FOUND."""
    row = ctx.conn.execute(
        "SELECT id, name, email, phone FROM users WHERE id = ?", (user_id,)
    ).fetchone()
    if row is None:
        raise not_found(f"user {user_id}")
    user: dict[str, Any] = {"_id": row[0], "name": row[1]}
    if row[2] is not None:
        user["email"] = row[2]
    if row[3] is not None:
        user["phone"] = row[3]
    return user


def create_group(ctx: Context, name: str, owner_id: str, member_ids: tuple[str, ...]) -> str:
    """Create a group owned by `owner_id` with the given members; return its id."""
    if not name.strip():
        raise ValueError("a group needs a name")
    for user_id in (owner_id, *member_ids):
        require_user(ctx, user_id)
    group_id = new_id()
    ctx.conn.execute(
        "INSERT INTO groups (id, name, owner_id, created) VALUES (?, ?, ?, ?)",
        (group_id, name, owner_id, ctx.now_ms()),
    )
    for user_id in dict.fromkeys((owner_id, *member_ids)):
        ctx.conn.execute(
            "INSERT INTO group_members (group_id, user_id) VALUES (?, ?)", (group_id, user_id)
        )
    return group_id


def group_member_ids(ctx: Context, group_id: str) -> list[str]:
    """Members of a group in the order they joined."""
    rows = ctx.conn.execute(
        "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY seq", (group_id,)
    ).fetchall()
    return [r[0] for r in rows]


def group_owner(ctx: Context, group_id: str) -> str | None:
    """The group's owner, or None when the group does not exist."""
    row = ctx.conn.execute("SELECT owner_id FROM groups WHERE id = ?", (group_id,)).fetchone()
    return None if row is None else str(row[0])


def me(ctx: Context, user_id: str) -> dict[str, Any]:
    """The `GET /me` body: the user, their groups, and the default group."""
    user = require_user(ctx, user_id)
    user.pop("phone", None)
    rows = ctx.conn.execute(
        "SELECT g.id, g.name FROM group_members m JOIN groups g ON g.id = m.group_id"
        " WHERE m.user_id = ? ORDER BY m.seq",
        (user_id,),
    ).fetchall()
    groups = [{"_id": r[0], "name": r[1]} for r in rows]
    return {
        "user": user,
        "groups": groups,
        "defaultGroupId": groups[0]["_id"] if groups else None,
    }
