"""MCP resources: each trip's export, and a summary of the API for the agent.

`osoto://trips/{tripId}/export` is the trip snapshot as JSON (the wire's camelCase),
listed for every trip the key may read; `osoto://docs/api` is `api_summary.md`, the
short guide an agent reads before planning.
"""

from __future__ import annotations

import json
import logging
import re
from importlib import resources as package_files

from mcp import types
from mcp.shared.exceptions import McpError

from osoto_bridge.mcp.toolkit import ToolContext
from osoto_bridge.osoto import NotFound, OsotoError

__all__ = [
    "API_DOCS_URI",
    "EXPORT_TEMPLATE",
    "api_summary",
    "list_resources",
    "read_resource",
    "resource_templates",
]

logger = logging.getLogger(__name__)

API_DOCS_URI = "osoto://docs/api"
EXPORT_TEMPLATE = "osoto://trips/{tripId}/export"
_EXPORT = re.compile(r"^osoto://trips/([^/]+)/export$")
_JSON = "application/json"


def api_summary() -> str:
    """The API summary shipped with the package."""
    return package_files.files(__package__).joinpath("api_summary.md").read_text("utf-8")


def resource_templates() -> list[types.ResourceTemplate]:
    """The export template."""
    return [
        types.ResourceTemplate(
            uriTemplate=EXPORT_TEMPLATE,
            name="trip-export",
            title="Trip export",
            description="A trip's whole snapshot: trip, legs, pins, checklist, events, members.",
            mimeType=_JSON,
        )
    ]


async def list_resources(ctx: ToolContext) -> list[types.Resource]:
    """The API summary, and the export of each trip the key may read.

    Args:
        ctx: The server's client.

    Returns:
        The resources.
    """
    docs = types.Resource(
        uri=API_DOCS_URI,
        name="osoto-api",
        title="The Osoto API, in short",
        description="Scopes, limits, idempotency, errors and the trip's shape.",
        mimeType="text/markdown",
    )
    try:
        trips = await ctx.client.list_trips()
    except OsotoError as exc:
        # A key without trips:read still gets the guide; its trips are not listable.
        logger.info("trip exports not listed: %s", type(exc).__name__)
        trips = []
    return [docs] + [
        types.Resource(
            uri=EXPORT_TEMPLATE.replace("{tripId}", trip.id),
            name=f"trip-{trip.id}-export",
            title=f"{trip.title}: export",
            description=f"{trip.title} ({trip.start_date} to {trip.end_date}), whole snapshot.",
            mimeType=_JSON,
        )
        for trip in trips
    ]


async def read_resource(ctx: ToolContext, uri: str) -> tuple[str, str]:
    """Read a resource.

    Args:
        ctx: The server's client.
        uri: The resource's address.

    Returns:
        Its text and MIME type.

    Raises:
        McpError: For an unknown address, or when Osoto refuses the read (its code,
            message and requestId in the error's data).
    """
    if uri == API_DOCS_URI:
        return api_summary(), "text/markdown"
    match = _EXPORT.match(uri)
    if match is None:
        raise McpError(types.ErrorData(code=types.INVALID_PARAMS, message=f"no resource {uri}"))
    try:
        export = await ctx.client.export_trip(match.group(1))
    except OsotoError as exc:
        code = getattr(exc, "code", None) or type(exc).__name__
        data = {"code": code, "requestId": getattr(exc, "request_id", None)}
        message = f"{code}: {getattr(exc, 'message', str(exc))}"
        error_code = -32002 if isinstance(exc, NotFound) else types.INTERNAL_ERROR
        raise McpError(types.ErrorData(code=error_code, message=message, data=data)) from exc
    text = json.dumps(
        export.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False
    )
    return text, _JSON
