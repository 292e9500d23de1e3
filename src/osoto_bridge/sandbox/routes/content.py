"""Legs, action items, map pins and commitments: the same five routes for each kind.

This module deliberately has no `from __future__ import annotations`: the route
handlers are built in a loop and FastAPI must see each kind's body model as a real
object in their annotations.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from osoto_bridge.sandbox import content, trips
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.db import transaction
from osoto_bridge.sandbox.docmodels import (
    ActionItem,
    BatchResult,
    Commitment,
    Deleted,
    Leg,
    MapPin,
    Page,
    doc,
)
from osoto_bridge.sandbox.models import BatchBody, RequestBody
from osoto_bridge.sandbox.routes.common import (
    AUTH_ERRORS,
    WRITE_ERRORS,
    Cursor,
    ListLimit,
    caller,
    errors,
    json_response,
    scope_first,
)
from osoto_bridge.sandbox.wire import page_json

# kind, URL segment, id parameter, has a batch endpoint, response model
_ROUTES = (
    ("leg", "legs", "legId", True, Leg),
    ("actionItem", "action-items", "itemId", True, ActionItem),
    ("mapPin", "map-pins", "pinId", True, MapPin),
    ("commitment", "commitments", "commitmentId", False, Commitment),
)


def _supplied(body: object) -> dict[str, Any]:
    assert isinstance(body, RequestBody)
    return body.supplied()


def _add_kind(
    api: APIRouter,
    ctx: Context,
    kind: content.Kind,
    segment: str,
    id_name: str,
    batch: bool,
    out: type,
) -> None:
    create_model = kind.create
    patch_model = kind.patch
    base = f"/trips/{{tripId}}/{segment}"
    item = f"{base}/{{{id_name}}}"
    ItemId = Annotated[str, Path(alias=id_name)]
    label = kind.label

    @api.get(
        base,
        operation_id=f"list_{kind.name}s",
        summary=f"List {label}s",
        response_model=None,
        responses={200: doc(Page[out], f"The trip's {label}s"), **errors(*AUTH_ERRORS)},  # type: ignore[valid-type]
    )
    async def list_items(
        request: Request, tripId: str, limit: ListLimit = 100, cursor: Cursor = None
    ) -> Response:
        trips.require_trip(ctx, caller(request), tripId, "trips:read")
        items, next_cursor, more = content.list_page(ctx, kind, tripId, limit, cursor)
        return json_response(page_json(items, next_cursor, more))

    @api.post(
        base,
        operation_id=f"create_{kind.name}",
        summary=f"Create a {label} (or diff-merge by clientRef)",
        status_code=201,
        response_model=None,
        responses={
            200: doc(out, f"The {label} with this clientRef, merged"),
            201: doc(out, f"The new {label}"),
            **errors(*WRITE_ERRORS),
        },
        dependencies=[scope_first("trips:write")],
    )
    async def create_item(
        request: Request,
        tripId: str,
        body: create_model,  # type: ignore[valid-type]
    ) -> Response:
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        with transaction(ctx.conn):
            status, document = content.upsert(ctx, kind, tripId, _supplied(body))
        return json_response(document, 201 if status == "created" else 200)

    @api.patch(
        item,
        operation_id=f"update_{kind.name}",
        summary=f"Update a {label}",
        response_model=None,
        responses={200: doc(out, f"The updated {label}"), **errors(*WRITE_ERRORS)},
        dependencies=[scope_first("trips:write")],
    )
    async def patch_item(
        request: Request,
        tripId: str,
        item_id: ItemId,
        body: patch_model,  # type: ignore[valid-type]
    ) -> Response:
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        with transaction(ctx.conn):
            document = content.patch(ctx, kind, tripId, item_id, _supplied(body))
        return json_response(document)

    @api.delete(
        item,
        operation_id=f"delete_{kind.name}",
        summary=f"Delete a {label}",
        response_model=None,
        responses={200: doc(Deleted, f"The {label} is gone"), **errors(*WRITE_ERRORS)},
    )
    async def delete_item(
        request: Request,
        tripId: str,
        item_id: ItemId,
    ) -> Response:
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        with transaction(ctx.conn):
            content.delete(ctx, kind, tripId, item_id)
        return json_response({"_id": item_id, "deleted": True})

    if not batch:
        return

    @api.post(
        f"{base}:batch",
        operation_id=f"batch_{kind.name}s",
        summary=f"Batch upsert up to 50 {label}s",
        response_model=None,
        responses={
            200: doc(BatchResult, "Every item succeeded"),
            207: doc(BatchResult, "Some items failed; see the per-item results"),
            **errors(*WRITE_ERRORS),
        },
        dependencies=[scope_first("trips:write")],
    )
    async def batch_items(request: Request, tripId: str, body: BatchBody) -> Response:
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        with transaction(ctx.conn):
            results = [
                content.upsert_item(ctx, kind, tripId, index, raw)
                for index, raw in enumerate(body.items)
            ]
        failed = any(r["status"] == "error" for r in results)
        return json_response({"results": results}, 207 if failed else 200)


def router(ctx: Context) -> APIRouter:
    """Build the content routes over the sandbox's state."""
    api = APIRouter()
    for kind_name, segment, id_name, batch, out in _ROUTES:
        _add_kind(api, ctx, content.KINDS[kind_name], segment, id_name, batch, out)
    return api
