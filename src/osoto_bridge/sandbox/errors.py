"""The sandbox's error type and the wire envelope it renders to.

Every failure the API reports is an `ApiError`; the app turns it into
`{"error": {"code", "message", "requestId", "details"}}` in exactly one place
(`osoto_bridge.sandbox.app`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

STATUS_BY_CODE: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "IDEMPOTENCY_CONFLICT": 409,
    "RATE_LIMITED": 429,
    "INTERNAL": 500,
}


@dataclass(frozen=True)
class Detail:
    """One bad field: its dotted path in the request and why it was refused."""

    path: str
    reason: str

    def to_wire(self) -> dict[str, str]:
        """Return the JSON form."""
        return {"path": self.path, "reason": self.reason}


@dataclass
class ApiError(Exception):
    """A failure reported to the caller with a contract error code."""

    code: str
    message: str
    details: Sequence[Detail] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def status(self) -> int:
        """The HTTP status that goes with the code."""
        return STATUS_BY_CODE[self.code]

    def item_error(self) -> dict[str, Any]:
        """Return the `error` object used inside batch and sync item results."""
        return {
            "code": self.code,
            "message": self.message,
            "details": [d.to_wire() for d in self.details],
        }


def validation_error(details: Sequence[Detail], message: str | None = None) -> ApiError:
    """Build a VALIDATION_ERROR naming every bad field."""
    if message is None:
        message = "Invalid request: " + "; ".join(f"{d.path}: {d.reason}" for d in details)
    return ApiError("VALIDATION_ERROR", message, tuple(details))


def not_found(what: str) -> ApiError:
    """Build a NOT_FOUND error for the named resource."""
    return ApiError("NOT_FOUND", f"{what} not found")


def forbidden(message: str) -> ApiError:
    """Build a FORBIDDEN error."""
    return ApiError("FORBIDDEN", message)


def envelope_bytes(
    code: str, message: str, request_id: str, details: Sequence[Detail] = ()
) -> bytes:
    """Render the error envelope as JSON bytes."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "requestId": request_id,
            "details": [d.to_wire() for d in details],
        }
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def details_from_pydantic(errors: Sequence[Any]) -> list[Detail]:
    """Translate pydantic/FastAPI validation errors into envelope details.

    `loc` becomes a dotted path without its leading location (`body.title` →
    `title`); the reason is pydantic's message made a little plainer.
    """
    details: list[Detail] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if len(loc) > 1 and loc[0] in _LOCATIONS:
            loc = loc[1:]
        kind = error.get("type", "")
        if kind == "json_invalid":
            path = "body"
            reason = "malformed JSON: " + str(error.get("ctx", {}).get("error", "cannot parse"))
        else:
            path = ".".join(loc) or "body"
            if kind == "missing":
                reason = "required"
            elif kind == "extra_forbidden":
                reason = "unknown field"
            elif kind in ("model_attributes_type", "dict_type", "model_type"):
                reason = "must be a JSON object"
            else:
                reason = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        details.append(Detail(path, reason))
    return details
