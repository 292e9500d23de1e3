"""A direct route for the bridge's hottest request: polling a channel with a cursor.

FastAPI's routing and parameter machinery costs more than the poll itself (one
indexed range query whose rows are stored as finished JSON), so the middleware
first offers `GET …/channels/{channelId}/messages` to this module. It serves only
the plain case (well-formed `limit` and `cursor`, access granted); anything else,
including every error, falls through to the FastAPI route, which stays the single
source of truth for validation and error messages.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from osoto_bridge.sandbox import messaging, trips
from osoto_bridge.sandbox.auth import Principal
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import ApiError

_MESSAGES = re.compile(r"/api/v1/trips/([^/]+)/channels/([^/]+)/messages")
_DEFAULT_LIMIT = 50
_MAX_LIMIT = 100
_MAX_CURSOR = 2048


def _query(raw: bytes) -> tuple[int, str | None] | None:
    limit, cursor = _DEFAULT_LIMIT, None
    seen: set[str] = set()
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return None
        seen.add(name)
        if name == "limit":
            if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= _MAX_LIMIT:
                return None
            limit = int(value)
        elif name == "cursor":
            if len(value) > _MAX_CURSOR:
                return None
            cursor = value
    return limit, cursor


def poll_messages(
    ctx: Context, principal: Principal, scope: MutableMapping[str, Any]
) -> bytes | None:
    """The response body for a plain message poll, or None to let FastAPI handle it."""
    if scope["method"] != "GET":
        return None
    match = _MESSAGES.fullmatch(scope["path"])
    if match is None:
        return None
    query = _query(scope["query_string"])
    if query is None:
        return None
    trip_id, channel_id = match.groups()
    try:
        trips.require_trip(ctx, principal, trip_id, "messages:read")
        if not messaging.channel_exists(ctx, trip_id, channel_id):
            return None
        return messaging.list_messages(ctx, channel_id, *query)
    except ApiError:
        return None
