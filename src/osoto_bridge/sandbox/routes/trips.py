"""`/me`, `/trips`, trip export and sync, members and share tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from osoto_bridge.sandbox import content, cursors, people, trips
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.db import transaction
from osoto_bridge.sandbox.docmodels import (
    Export,
    Me,
    Member,
    Page,
    Revoked,
    ShareToken,
    SyncResult,
    Trip,
    doc,
)
from osoto_bridge.sandbox.errors import forbidden, not_found
from osoto_bridge.sandbox.models import SyncBody, TripCreate, TripPatch
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
from osoto_bridge.sandbox.wire import dumps, page_json

_SYNC_CATEGORIES = (("legs", "leg"), ("actionItems", "actionItem"), ("mapPins", "mapPin"))


class _DryRun(Exception):
    """Raised inside the sync transaction to roll a dry run back."""


def export_json(ctx: Context, trip: dict[str, Any]) -> bytes:
    """The export snapshot, assembled from the stored documents without re-parsing."""
    parts = ['{"trip":', dumps(trip)]
    for key, kind in (
        ("legs", "leg"),
        ("mapPins", "mapPin"),
        ("actionItems", "actionItem"),
        ("commitments", "commitment"),
    ):
        parts += [f',"{key}":[', ",".join(content.all_raw(ctx, content.KINDS[kind], trip["_id"]))]
        parts.append("]")
    members = [m for _, m in trips.members(ctx, trip["_id"])]
    parts += [',"members":', dumps(members), "}"]
    return "".join(parts).encode()


def _sync(ctx: Context, trip_id: str, body: SyncBody) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for key, kind_name in _SYNC_CATEGORIES:
        kind = content.KINDS[kind_name]
        items = getattr(body, key) or []
        results = [content.upsert_item(ctx, kind, trip_id, i, item) for i, item in enumerate(items)]
        report[key] = {
            "created": sum(r["status"] == "created" for r in results),
            "updated": sum(r["status"] == "updated" for r in results),
            "errors": sum(r["status"] == "error" for r in results),
            "results": results,
        }
    return report


def router(ctx: Context) -> APIRouter:
    """Build the routes of this module over the sandbox's state."""
    api = APIRouter()

    @api.get("/me", response_model=None, responses={200: doc(Me, "The caller"), **errors(401, 429)})
    async def get_me(request: Request) -> Response:
        """Return the authenticated user, their groups, and the default group id."""
        return json_response(people.me(ctx, caller(request).user_id))

    @api.get(
        "/trips",
        response_model=None,
        responses={200: doc(Page[Trip], "Trips the key may read"), **errors(*AUTH_ERRORS)},
    )
    async def list_trips(
        request: Request, limit: ListLimit = 100, cursor: Cursor = None
    ) -> Response:
        """List every trip the caller can access and the key may read."""
        items, next_cursor, more = trips.list_trips(ctx, caller(request), limit, cursor)
        return json_response(page_json([dumps(t) for t in items], next_cursor, more))

    @api.post(
        "/trips",
        status_code=201,
        response_model=None,
        responses={201: doc(Trip, "The new trip"), **errors(*WRITE_ERRORS)},
    )
    async def create_trip(request: Request, body: TripCreate) -> Response:
        """Create a trip (needs an unlimited trips:write scope)."""
        principal = caller(request)
        if not principal.unlimited("trips:write"):
            raise forbidden("creating a trip needs an unlimited trips:write scope")
        owner = people.group_owner(ctx, body.groupId)
        in_group = owner is not None and principal.user_id in people.group_member_ids(
            ctx, body.groupId
        )
        if not in_group:
            raise forbidden("you are not a member of this group")
        with transaction(ctx.conn):
            trip = trips.create_trip(
                ctx,
                group_id=body.groupId,
                title=body.title,
                start_date=body.startDate,
                end_date=body.endDate,
                status="active",
                created_by=principal.user_id,
            )
        return json_response(trip, 201)

    @api.get(
        "/trips/{tripId}",
        response_model=None,
        responses={200: doc(Trip, "The trip"), **errors(*AUTH_ERRORS)},
    )
    async def get_trip(request: Request, tripId: str) -> Response:
        """Get a trip's details."""
        return json_response(trips.require_trip(ctx, caller(request), tripId, "trips:read"))

    @api.patch(
        "/trips/{tripId}",
        response_model=None,
        responses={200: doc(Trip, "The updated trip"), **errors(*WRITE_ERRORS)},
        dependencies=[scope_first("trips:write")],
    )
    async def patch_trip(request: Request, tripId: str, body: TripPatch) -> Response:
        """Update a trip's title, dates or status."""
        trip = trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        return json_response(trips.update_trip(ctx, trip, body.supplied()))

    @api.delete(
        "/trips/{tripId}",
        response_model=None,
        responses={200: doc(Trip, "The archived trip"), **errors(*WRITE_ERRORS)},
    )
    async def archive_trip(request: Request, tripId: str) -> Response:
        """Archive a trip (sets its status to completed)."""
        trip = trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        return json_response(trips.update_trip(ctx, trip, {"status": "completed"}))

    @api.get(
        "/trips/{tripId}/export",
        response_model=None,
        responses={200: doc(Export, "The canonical trip snapshot"), **errors(*AUTH_ERRORS)},
    )
    async def export_trip(request: Request, tripId: str) -> Response:
        """Trip, legs, map pins, action items, commitments and members in one response."""
        trip = trips.require_trip(ctx, caller(request), tripId, "trips:read")
        return json_response(export_json(ctx, trip))

    @api.post(
        "/trips/{tripId}/sync",
        response_model=None,
        responses={
            200: doc(SyncResult, "Every item succeeded"),
            207: doc(SyncResult, "Some items failed; see the per-item results"),
            **errors(*WRITE_ERRORS),
        },
        dependencies=[scope_first("trips:write")],
    )
    async def sync_trip(
        request: Request,
        tripId: str,
        body: SyncBody,
        dryRun: Annotated[bool, Query(description="Preview without writing")] = False,
    ) -> Response:
        """Diff-based snapshot import of legs, action items and map pins."""
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        report: dict[str, Any] = {}
        try:
            with transaction(ctx.conn):
                report = _sync(ctx, tripId, body)
                if dryRun:
                    # Run for real inside the transaction, then roll back: the report
                    # is then exactly what a real run would say.
                    raise _DryRun
        except _DryRun:
            for category in report.values():
                for result in category["results"]:
                    if result["status"] == "created":
                        result.pop("id", None)
        failed = any(c["errors"] for c in report.values())
        return json_response({"dryRun": dryRun, **report}, 207 if failed else 200)

    @api.get(
        "/trips/{tripId}/members",
        response_model=None,
        responses={200: doc(Page[Member], "Members, roles, contacts"), **errors(*AUTH_ERRORS)},
    )
    async def list_members(
        request: Request, tripId: str, limit: ListLimit = 100, cursor: Cursor = None
    ) -> Response:
        """List the trip's members with their roles and contact details."""
        trips.require_trip(ctx, caller(request), tripId, "trips:read")
        after = 0
        if cursor is not None:
            after = int(cursors.decode(cursor, "members", tripId, (int,))[0])
        rows = trips.members(ctx, tripId, after)
        page = rows[:limit]
        more = len(rows) > limit
        next_cursor = cursors.encode("members", tripId, page[-1][0]) if more else None
        return json_response(page_json([dumps(m) for _, m in page], next_cursor, more))

    @api.post(
        "/trips/{tripId}/share-token",
        status_code=201,
        response_model=None,
        responses={
            200: doc(ShareToken, "The trip's existing share token"),
            201: doc(ShareToken, "A new share token"),
            **errors(*WRITE_ERRORS),
        },
    )
    async def create_share_token(request: Request, tripId: str) -> Response:
        """Create the trip's share token (or return the one it has)."""
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        token, created = trips.share_token(ctx, tripId)
        return json_response({"token": token, "tripId": tripId}, 201 if created else 200)

    @api.delete(
        "/trips/{tripId}/share-token",
        response_model=None,
        responses={200: doc(Revoked, "The token is revoked"), **errors(*WRITE_ERRORS)},
    )
    async def revoke_share_token(request: Request, tripId: str) -> Response:
        """Revoke the trip's share token."""
        trips.require_trip(ctx, caller(request), tripId, "trips:write", change=True)
        if not trips.revoke_share_token(ctx, tripId):
            raise not_found("share token")
        return json_response({"tripId": tripId, "revoked": True})

    return api
