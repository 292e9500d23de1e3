"""Trip content: legs, action items, map pins and commitments.

All four live in one table of JSON documents with a few indexed columns (trip,
kind, clientRef, sort keys). This module knows what differs per kind (models,
defaults, merge, checks, order) and implements create/upsert/patch/delete/list
once, plus the per-item logic of batches and sync.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from osoto_bridge.sandbox import cursors, models, trips
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.db import transaction
from osoto_bridge.sandbox.errors import (
    ApiError,
    Detail,
    details_from_pydantic,
    not_found,
    validation_error,
)
from osoto_bridge.sandbox.ids import new_id
from osoto_bridge.sandbox.merge import check_leg, merge_flat, merge_leg
from osoto_bridge.sandbox.wire import dumps


@dataclass(frozen=True)
class Kind:
    """What one kind of trip content needs to be stored and changed."""

    name: str
    label: str
    create: type[models.RequestBody]
    patch: type[models.RequestBody]
    defaults: dict[str, Any]
    merge: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    sort: Callable[[dict[str, Any]], tuple[str, str]]
    check: Callable[[Context, str, dict[str, Any]], None]

    def adapter(self) -> TypeAdapter[BaseModel]:
        """Validator for one raw item of a batch or sync."""
        return _adapter(self.create)


_ADAPTERS: dict[type[BaseModel], TypeAdapter[BaseModel]] = {}


def _adapter(model: type[BaseModel]) -> TypeAdapter[BaseModel]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _no_sort(_doc: dict[str, Any]) -> tuple[str, str]:
    return ("", "")


def _leg_sort(doc: dict[str, Any]) -> tuple[str, str]:
    return (f"{doc['order']:08d}", "")


def _commitment_sort(doc: dict[str, Any]) -> tuple[str, str]:
    return (doc["startDate"], "" if doc.get("isAllDay") else doc.get("startTime", ""))


def _check_leg(_ctx: Context, _trip_id: str, doc: dict[str, Any]) -> None:
    check_leg(doc)


def _check_action_item(ctx: Context, trip_id: str, doc: dict[str, Any]) -> None:
    owner = doc.get("owner")
    if owner is not None and trips.member_role(ctx, trip_id, owner) is None:
        raise validation_error([Detail("owner", "must be the id of a member of this trip")])


def _check_commitment(ctx: Context, trip_id: str, doc: dict[str, Any]) -> None:
    problems = []
    for field, kind in (("legId", "leg"), ("mapPinId", "mapPin")):
        ref = doc.get(field)
        if ref is not None and _row(ctx, KINDS[kind], trip_id, ref) is None:
            problems.append(Detail(field, f"no such {KINDS[kind].label} on this trip"))
    if problems:
        raise validation_error(problems)


def _check_nothing(_ctx: Context, _trip_id: str, _doc: dict[str, Any]) -> None:
    return None


KINDS: dict[str, Kind] = {
    "leg": Kind(
        "leg",
        "leg",
        models.LegCreate,
        models.LegPatch,
        {},
        merge_leg,
        _leg_sort,
        _check_leg,
    ),
    "actionItem": Kind(
        "actionItem",
        "action item",
        models.ActionItemCreate,
        models.ActionItemPatch,
        {"done": False},
        merge_flat,
        _no_sort,
        _check_action_item,
    ),
    "mapPin": Kind(
        "mapPin",
        "map pin",
        models.MapPinCreate,
        models.MapPinPatch,
        {},
        merge_flat,
        _no_sort,
        _check_nothing,
    ),
    "commitment": Kind(
        "commitment",
        "commitment",
        models.CommitmentCreate,
        models.CommitmentPatch,
        {"isAllDay": False},
        merge_flat,
        _commitment_sort,
        _check_commitment,
    ),
}


def _row(ctx: Context, kind: Kind, trip_id: str, item_id: str) -> dict[str, Any] | None:
    row = ctx.conn.execute(
        "SELECT doc FROM content WHERE id = ? AND trip_id = ? AND kind = ?",
        (item_id, trip_id, kind.name),
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def get(ctx: Context, kind: Kind, trip_id: str, item_id: str) -> dict[str, Any]:
    """The item, or NOT_FOUND."""
    doc = _row(ctx, kind, trip_id, item_id)
    if doc is None:
        raise not_found(f"{kind.label} {item_id}")
    return doc


def _write(ctx: Context, kind: Kind, trip_id: str, doc: dict[str, Any], *, new: bool) -> None:
    sort1, sort2 = kind.sort(doc)
    if new:
        ctx.conn.execute(
            "INSERT INTO content (id, kind, trip_id, client_ref, sort1, sort2, doc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc["_id"], kind.name, trip_id, doc.get("clientRef"), sort1, sort2, dumps(doc)),
        )
    else:
        ctx.conn.execute(
            "UPDATE content SET client_ref = ?, sort1 = ?, sort2 = ?, doc = ? WHERE id = ?",
            (doc.get("clientRef"), sort1, sort2, dumps(doc), doc["_id"]),
        )


def _with_defaults(kind: Kind, doc: dict[str, Any]) -> dict[str, Any]:
    # A null for a defaulted flag (isAllDay, done) means "the default", never "absent".
    for key, value in kind.defaults.items():
        doc.setdefault(key, value)
    return doc


def upsert(
    ctx: Context, kind: Kind, trip_id: str, supplied: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Create the item, or diff-merge it into the one with the same clientRef.

    Returns `("created" | "updated", document)`.
    """
    ref = supplied.get("clientRef")
    existing = None
    if ref is not None:
        row = ctx.conn.execute(
            "SELECT doc FROM content WHERE trip_id = ? AND kind = ? AND client_ref = ?",
            (trip_id, kind.name, ref),
        ).fetchone()
        existing = None if row is None else dict(json.loads(row[0]))
    if existing is not None:
        doc = _with_defaults(kind, kind.merge(existing, supplied))
        kind.check(ctx, trip_id, doc)
        _write(ctx, kind, trip_id, doc, new=False)
        return "updated", doc
    base = {"_id": new_id(), "_creationTime": ctx.now_ms(), "tripId": trip_id, **kind.defaults}
    doc = _with_defaults(kind, kind.merge(base, supplied))
    kind.check(ctx, trip_id, doc)
    _write(ctx, kind, trip_id, doc, new=True)
    return "created", doc


def patch(
    ctx: Context, kind: Kind, trip_id: str, item_id: str, supplied: dict[str, Any]
) -> dict[str, Any]:
    """Diff-merge a PATCH body into the item."""
    doc = _with_defaults(kind, kind.merge(get(ctx, kind, trip_id, item_id), supplied))
    kind.check(ctx, trip_id, doc)
    _write(ctx, kind, trip_id, doc, new=False)
    return doc


def delete(ctx: Context, kind: Kind, trip_id: str, item_id: str) -> None:
    """Delete the item; commitments that pointed at a deleted leg or pin lose the link."""
    get(ctx, kind, trip_id, item_id)
    ctx.conn.execute("DELETE FROM content WHERE id = ?", (item_id,))
    link = {"leg": "legId", "mapPin": "mapPinId"}.get(kind.name)
    if link is None:
        return
    commitments = KINDS["commitment"]
    for doc in all_docs(ctx, commitments, trip_id):
        if doc.get(link) == item_id:
            del doc[link]
            _write(ctx, commitments, trip_id, doc, new=False)


def list_page(
    ctx: Context, kind: Kind, trip_id: str, limit: int, cursor: str | None
) -> tuple[list[str], str | None, bool]:
    """One page of the trip's items in the kind's order, as serialised documents."""
    position: tuple[Any, ...] = ("", "", 0)
    if cursor is not None:
        position = tuple(cursors.decode(cursor, kind.name, trip_id, (str, str, int)))
    rows = ctx.conn.execute(
        "SELECT sort1, sort2, seq, doc FROM content WHERE trip_id = ? AND kind = ?"
        " AND (sort1, sort2, seq) > (?, ?, ?) ORDER BY sort1, sort2, seq LIMIT ?",
        (trip_id, kind.name, *position, limit + 1),
    ).fetchall()
    has_more = len(rows) > limit
    page = rows[:limit]
    next_cursor = cursors.encode(kind.name, trip_id, *page[-1][:3]) if has_more else None
    return [r[3] for r in page], next_cursor, has_more


def all_raw(ctx: Context, kind: Kind, trip_id: str) -> list[str]:
    """Every item of the kind on the trip, serialised, in order."""
    rows = ctx.conn.execute(
        "SELECT doc FROM content WHERE trip_id = ? AND kind = ? ORDER BY sort1, sort2, seq",
        (trip_id, kind.name),
    ).fetchall()
    return [r[0] for r in rows]


def all_docs(ctx: Context, kind: Kind, trip_id: str) -> list[dict[str, Any]]:
    """Every item of the kind on the trip, parsed, in order."""
    return [dict(json.loads(raw)) for raw in all_raw(ctx, kind, trip_id)]


def upsert_item(ctx: Context, kind: Kind, trip_id: str, index: int, item: Any) -> dict[str, Any]:
    """Validate and upsert one batch/sync item; return its per-item result.

    Each item runs in its own savepoint, so a failing item leaves nothing behind.
    """
    try:
        body = kind.adapter().validate_python(item)
    except ValidationError as exc:
        error = validation_error(details_from_pydantic(exc.errors()))
        return {"index": index, "status": "error", "error": error.item_error()}
    try:
        with transaction(ctx.conn):
            status, doc = upsert(
                ctx, kind, trip_id, body.model_dump(by_alias=True, exclude_unset=True)
            )
    except ApiError as exc:
        return {"index": index, "status": "error", "error": exc.item_error()}
    return {"index": index, "status": status, "id": doc["_id"]}
