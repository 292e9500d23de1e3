"""Share views: read-only, no Authorization, safe projection only."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Response

from osoto_bridge.sandbox import content, trips
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.docmodels import SharedExport, SharedTrip, doc
from osoto_bridge.sandbox.projection import public_member, strip_sensitive
from osoto_bridge.sandbox.routes.common import errors, json_response
from osoto_bridge.sandbox.routes.trips import export_json


def router(ctx: Context) -> APIRouter:
    """Build the share routes over the sandbox's state."""
    api = APIRouter()

    def safe_export(token: str) -> dict[str, Any]:
        trip = trips.trip_for_token(ctx, token)
        snapshot: dict[str, Any] = strip_sensitive(json.loads(export_json(ctx, trip)))
        snapshot["members"] = [public_member(m) for m in snapshot["members"]]
        return snapshot

    @api.get(
        "/shared/trips/{token}",
        response_model=None,
        responses={200: doc(SharedTrip, "The trip and its legs, safe projection"), **errors(404)},
    )
    async def shared_trip(token: str) -> Response:
        """Read-only share view (no Authorization header)."""
        trip = trips.trip_for_token(ctx, token)
        legs = [
            strip_sensitive(d) for d in content.all_docs(ctx, content.KINDS["leg"], trip["_id"])
        ]
        return json_response({**trip, "legs": legs})

    @api.get(
        "/shared/trips/{token}/export",
        response_model=None,
        responses={200: doc(SharedExport, "The export, safe projection"), **errors(404)},
    )
    async def shared_export(token: str) -> Response:
        """The export snapshot in the safe projection (no Authorization header)."""
        return json_response(safe_export(token))

    return api
