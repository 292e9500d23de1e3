"""Failures as MCP tool errors: Osoto's code, message and requestId, and the fix.

An agent reads a tool error and decides what to do next, so each one carries the
machine-readable part in `structuredContent.error` (`code`, `message`, `requestId`,
`status`, `details`) and a one-line text saying the same for a model that only reads
text. Every Osoto failure and every bad argument is translated here, in one place.
"""

from __future__ import annotations

from typing import Any

import pydantic
from mcp import types

from osoto_bridge.errors import BridgeError
from osoto_bridge.osoto import (
    ApiError,
    Forbidden,
    NotFound,
    OsotoError,
    TransportError,
    UnexpectedResponse,
    ValidationError,
)

__all__ = ["BadArgument", "argument_error", "bad_argument", "osoto_error", "tool_error"]

_HINTS: dict[type[ApiError], str] = {
    Forbidden: "the API key lacks the scope for this (trips:read, trips:write, "
    "messages:read, messages:write, possibly limited to one trip)",
    NotFound: "check the id (list_trips, list_legs, ... show the ids)",
    ValidationError: "fix the fields named in details",
}


class BadArgument(BridgeError):
    """Arguments that fit the schema but not the call (raised before Osoto is asked).

    Args:
        path: The argument at fault.
        reason: What is wrong with it and how to fix it.
    """

    kind = "mcp_argument"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def bad_argument(exc: BadArgument) -> types.CallToolResult:
    """The tool error of a `BadArgument` (`INVALID_ARGUMENT`, nothing sent)."""
    details = [{"path": exc.path, "reason": exc.reason}]
    return tool_error({"code": "INVALID_ARGUMENT", "message": str(exc), "details": details})


def tool_error(error: dict[str, Any]) -> types.CallToolResult:
    """A tool error whose structured content is `{"error": error}`.

    Args:
        error: At least `code` and `message`.

    Returns:
        The result to answer the call with.
    """
    line = f"{error['code']}: {error['message']}"
    if error.get("requestId"):
        line += f" (requestId {error['requestId']})"
    if error.get("hint"):
        line += f"; {error['hint']}"
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=line)],
        structuredContent={"error": error},
        isError=True,
    )


def osoto_error(exc: OsotoError) -> types.CallToolResult:
    """Translate an Osoto client failure into a tool error.

    Args:
        exc: What the client raised.

    Returns:
        The tool error, with Osoto's code, message and requestId where it gave them.
    """
    error: dict[str, Any]
    if isinstance(exc, ApiError):
        error = {
            "code": exc.code or f"HTTP_{exc.status}",
            "message": exc.message,
            "status": exc.status,
            "requestId": exc.request_id,
        }
        if exc.details:
            error["details"] = [d.model_dump(exclude_none=True) for d in exc.details]
        hint = next((h for kind, h in _HINTS.items() if isinstance(exc, kind)), None)
        if hint:
            error["hint"] = hint
    elif isinstance(exc, UnexpectedResponse):
        error = {
            "code": "UNEXPECTED_RESPONSE",
            "message": exc.message,
            "status": exc.status,
            "requestId": exc.request_id,
        }
    elif isinstance(exc, TransportError):
        error = {
            "code": "TRANSPORT_ERROR",
            "message": exc.message,
            "hint": "Osoto could not be reached; retrying with the same idempotencyKey is safe",
        }
    else:
        error = {"code": "OSOTO_ERROR", "message": str(exc)}
    return tool_error(error)


def argument_error(exc: pydantic.ValidationError) -> types.CallToolResult:
    """Translate a rejected set of arguments into a tool error naming each bad field.

    Args:
        exc: The validation failure of the tool's argument model.

    Returns:
        The tool error (`INVALID_ARGUMENT`); nothing was sent to Osoto.
    """
    details = [
        {"path": ".".join(str(p) for p in err["loc"]) or "(arguments)", "reason": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]
    message = "; ".join(f"{d['path']}: {d['reason']}" for d in details)
    return tool_error({"code": "INVALID_ARGUMENT", "message": message, "details": details})
