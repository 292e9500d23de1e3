"""Trips, their members, trip access checks and share tokens."""

from __future__ import annotations

from typing import Any

from osoto_bridge.sandbox import cursors, people
from osoto_bridge.sandbox.auth import Principal
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import Detail, forbidden, not_found, validation_error
from osoto_bridge.sandbox.ids import new_id, new_share_token

ROLES = ("owner", "editor", "viewer")
_TRIP_COLUMNS = "id, created, group_id, title, start_date, end_date, status"


def _trip_doc(row: Any) -> dict[str, Any]:
    return {
        "_id": row[0],
        "_creationTime": row[1],
        "groupId": row[2],
        "title": row[3],
        "startDate": row[4],
        "endDate": row[5],
        "status": row[6],
    }


def check_date_order(start: str, end: str, prefix: str = "") -> None:
    """Refuse an end date before the start date (both already valid dates)."""
    if end < start:
        raise validation_error(
            [Detail(prefix + "endDate", f"must not be before startDate ({start})")]
        )


def get_trip(ctx: Context, trip_id: str) -> dict[str, Any] | None:
    """Return the trip, or None."""
    row = ctx.conn.execute(f"SELECT {_TRIP_COLUMNS} FROM trips WHERE id = ?", (trip_id,)).fetchone()
    return None if row is None else _trip_doc(row)


def create_trip(
    ctx: Context,
    *,
    group_id: str,
    title: str,
    start_date: str,
    end_date: str,
    status: str,
    created_by: str | None,
) -> dict[str, Any]:
    """Create a trip in a group, make the group's members its members, open `general`.

    The creator and the group's owner become owners; the other members editors.
    """
    owner = people.group_owner(ctx, group_id)
    if owner is None:
        raise not_found(f"group {group_id}")
    check_date_order(start_date, end_date)
    trip_id = new_id()
    ctx.conn.execute(
        "INSERT INTO trips (id, group_id, title, start_date, end_date, status, created_by,"
        " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (trip_id, group_id, title, start_date, end_date, status, created_by, ctx.now_ms()),
    )
    owners = {owner, created_by or owner}
    members = [*people.group_member_ids(ctx, group_id)]
    if created_by is not None and created_by not in members:
        members.append(created_by)
    for user_id in members:
        add_member(ctx, trip_id, user_id, "owner" if user_id in owners else "editor")
    ctx.conn.execute(
        "INSERT INTO channels (id, trip_id, name, created) VALUES (?, ?, 'general', ?)",
        (new_id(), trip_id, ctx.now_ms()),
    )
    trip = get_trip(ctx, trip_id)
    assert trip is not None
    return trip


def update_trip(ctx: Context, trip: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a PATCH (already validated field by field) and return the new trip."""
    merged = {**trip, **changes}
    check_date_order(merged["startDate"], merged["endDate"])
    ctx.conn.execute(
        "UPDATE trips SET title = ?, start_date = ?, end_date = ?, status = ? WHERE id = ?",
        (merged["title"], merged["startDate"], merged["endDate"], merged["status"], trip["_id"]),
    )
    return merged


def add_member(ctx: Context, trip_id: str, user_id: str, role: str) -> None:
    """Make `user_id` a member of the trip with `role`, or change their role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    ctx.conn.execute(
        "INSERT INTO trip_members (trip_id, user_id, role) VALUES (?, ?, ?)"
        " ON CONFLICT (trip_id, user_id) DO UPDATE SET role = excluded.role",
        (trip_id, user_id, role),
    )


def member_role(ctx: Context, trip_id: str, user_id: str) -> str | None:
    """The user's role on the trip, or None when not a member."""
    row = ctx.conn.execute(
        "SELECT role FROM trip_members WHERE trip_id = ? AND user_id = ?", (trip_id, user_id)
    ).fetchone()
    return None if row is None else str(row[0])


def require_trip(
    ctx: Context, principal: Principal, trip_id: str, scope: str, *, change: bool = False
) -> dict[str, Any]:
    """Return the trip after checking the key's scope and the user's access.

    Raises FORBIDDEN when the key lacks `scope` for this trip, the user is not a
    member, or (for `change`) the user is only a viewer; NOT_FOUND when no such trip.
    """
    if not principal.can(scope, trip_id):
        raise forbidden(f"this API key lacks the {scope} scope for this trip")
    trip = get_trip(ctx, trip_id)
    if trip is None:
        raise not_found(f"trip {trip_id}")
    role = member_role(ctx, trip_id, principal.user_id)
    if role is None:
        raise forbidden("you are not a member of this trip")
    if change and role == "viewer":
        raise forbidden("viewers cannot change this trip")
    return trip


def list_trips(
    ctx: Context, principal: Principal, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None, bool]:
    """Trips the key may read, in creation order, one page at a time."""
    after = 0
    if cursor is not None:
        (after_value,) = cursors.decode(cursor, "trips", principal.user_id, (int,))
        after = int(after_value)
    rows = ctx.conn.execute(
        f"SELECT t.seq, {', '.join('t.' + c.strip() for c in _TRIP_COLUMNS.split(','))}"
        " FROM trip_members m JOIN trips t ON t.id = m.trip_id"
        " WHERE m.user_id = ? AND t.seq > ? ORDER BY t.seq",
        (principal.user_id, after),
    ).fetchall()
    allowed = principal.readable_trip_ids("trips:read")
    rows = [r for r in rows if allowed is None or r[1] in allowed]
    page = rows[:limit]
    has_more = len(rows) > limit
    next_cursor = cursors.encode("trips", principal.user_id, page[-1][0]) if has_more else None
    return [_trip_doc(r[1:]) for r in page], next_cursor, has_more


def members(ctx: Context, trip_id: str, after: int = 0) -> list[tuple[int, dict[str, Any]]]:
    """Members (with role and contact details) joined after `after`, in join order.

    Each comes with its join sequence number, the key of the members list's cursor.
    """
    rows = ctx.conn.execute(
        "SELECT m.seq, u.id, u.name, m.role, u.email, u.phone FROM trip_members m"
        " JOIN users u ON u.id = m.user_id WHERE m.trip_id = ? AND m.seq > ? ORDER BY m.seq",
        (trip_id, after),
    ).fetchall()
    result = []
    for seq, user_id, name, role, email, phone in rows:
        member: dict[str, Any] = {"userId": user_id, "name": name, "role": role}
        if email is not None:
            member["email"] = email
        if phone is not None:
            member["phone"] = phone
        result.append((seq, member))
    return result


def share_token(ctx: Context, trip_id: str) -> tuple[str, bool]:
    """Return the trip's share token, creating it if needed; the flag says it is new."""
    row = ctx.conn.execute(
        "SELECT token FROM share_tokens WHERE trip_id = ?", (trip_id,)
    ).fetchone()
    if row is not None:
        return str(row[0]), False
    token = new_share_token()
    ctx.conn.execute(
        "INSERT INTO share_tokens (token, trip_id, created) VALUES (?, ?, ?)",
        (token, trip_id, ctx.now_ms()),
    )
    return token, True


def revoke_share_token(ctx: Context, trip_id: str) -> bool:
    """Revoke the trip's share token; False when there was none."""
    cursor = ctx.conn.execute("DELETE FROM share_tokens WHERE trip_id = ?", (trip_id,))
    return cursor.rowcount > 0


def trip_for_token(ctx: Context, token: str) -> dict[str, Any]:
    """The trip a share token opens, or NOT_FOUND."""
    row = ctx.conn.execute("SELECT trip_id FROM share_tokens WHERE token = ?", (token,)).fetchone()
    trip = None if row is None else get_trip(ctx, row[0])
    if trip is None:
        raise not_found("share token")
    return trip
