"""Helpers every route module shares: responses, the caller, documented errors."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Query, Request, Response

from osoto_bridge.sandbox.auth import Principal
from osoto_bridge.sandbox.errors import forbidden
from osoto_bridge.sandbox.wire import dumps

ERROR_ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"

_ERROR_TEXT = {
    400: "VALIDATION_ERROR: a field is missing or invalid",
    401: "UNAUTHORIZED: missing or unknown API key",
    403: "FORBIDDEN: the key lacks the scope or the user lacks access to the trip",
    404: "NOT_FOUND: no such resource",
    409: "IDEMPOTENCY_CONFLICT: the Idempotency-Key was used with a different request",
    429: "RATE_LIMITED: too many requests; see Retry-After",
}

ListLimit = Annotated[int, Query(ge=1, le=200, description="Max results (default 100, max 200)")]
MessageLimit = Annotated[int, Query(ge=1, le=100, description="Max results (default 50, max 100)")]
Cursor = Annotated[
    str | None,
    Query(max_length=2048, description="Pagination cursor from a previous response"),
]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses` entries for the given error statuses.

    They reference the ErrorEnvelope component (added by `sandbox.openapi`) rather
    than naming the model: FastAPI would otherwise build a validator per route and
    status, which makes building the app several times slower.
    """
    content = {"application/json": {"schema": {"$ref": ERROR_ENVELOPE_REF}}}
    return {s: {"description": _ERROR_TEXT[s], "content": content} for s in statuses}


AUTH_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (*AUTH_ERRORS, 409)


def caller(request: Request) -> Principal:
    """The authenticated caller (the middleware has put it there)."""
    return cast(Principal, request.state.principal)


def scope_first(scope: str) -> Any:
    """A route dependency that checks the key's scope before the body is read.

    FastAPI validates a body before the handler runs; without this, a key lacking
    the scope would learn "400, your body is wrong" instead of "403, you may not".
    Checking the scope first is what APIs commonly do, and it lets a client probe a
    write scope with an empty body without writing anything (the bridge's linking
    does). The handler still runs the full check (trip, membership, role).
    """

    def check(request: Request) -> None:
        trip_id = request.path_params.get("tripId")
        if trip_id is not None and not caller(request).can(scope, trip_id):
            raise forbidden(f"this API key lacks the {scope} scope for this trip")

    return Depends(check)


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response from a value or from already-serialised bytes."""
    content = body if isinstance(body, bytes) else dumps(body).encode()
    return Response(content=content, status_code=status, media_type="application/json")
