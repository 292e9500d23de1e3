"""The typed errors of the Osoto client.

Everything the client raises on purpose is an `OsotoError` (a `BridgeError`, see
`osoto_bridge.errors` for the whole tree)::

    OsotoError
    ├── TransportError            the network failed (connect, timeout, reset, lost response)
    ├── UnexpectedResponse        a 2xx body we could not read
    └── ApiError                  the API answered with an error (status, code, message,
        │                         request_id, details)
        ├── Unauthorized          401 UNAUTHORIZED: missing or unknown key
        ├── Forbidden             403 FORBIDDEN: scope or trip access
        ├── NotFound              404 NOT_FOUND
        ├── ValidationError       400 VALIDATION_ERROR: `details` names each bad field
        ├── IdempotencyConflict   409 IDEMPOTENCY_CONFLICT: key reused with another body
        ├── RateLimited           429 RATE_LIMITED: `retry_after` seconds
        └── ServerError           5xx: the server's own fault (retried)

The wire is translated into this tree in one place, `raise_for_response` here (for
answers) and the client session's send (for the network), always with
`raise ... from exc` so the httpx cause stays attached. The mapping goes by the
error code first and falls back on the HTTP status, so a proxy's bare 502 page is
still a `ServerError`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import httpx

from osoto_bridge.errors import BridgeError
from osoto_bridge.osoto.models import ErrorDetail

__all__ = [
    "ApiError",
    "Forbidden",
    "IdempotencyConflict",
    "NotFound",
    "OsotoError",
    "RateLimited",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "ValidationError",
    "parse_retry_after",
    "raise_for_response",
]


class OsotoError(BridgeError):
    """Base of every error the Osoto client raises."""


class TransportError(OsotoError):
    """The request did not get an answer: connection refused, timeout, reset.

    After a timeout the server may still have acted on the request; mutating calls
    carry an Idempotency-Key, so retrying them is safe.
    """

    kind: ClassVar[str] = "osoto_transport"

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.timeout = timeout


class UnexpectedResponse(OsotoError):
    """A successful answer whose body does not look like what the endpoint returns."""

    def __init__(self, message: str, *, status: int, request_id: str | None) -> None:
        super().__init__(f"{message} (status {status}, request {request_id})")
        self.message = message
        self.status = status
        self.request_id = request_id


class ApiError(OsotoError):
    """The API answered with an error envelope (or at least an error status).

    Attributes:
        status: The HTTP status code.
        code: The wire error code (`VALIDATION_ERROR`, ...), or None if absent.
        message: The server's human-readable message.
        request_id: The `requestId` (or `X-Request-Id` header) to quote to support.
        details: Per-field problems, mostly for validation errors.
    """

    kind: ClassVar[str] = "osoto_refused"

    default_code: ClassVar[str | None] = None

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        *,
        request_id: str | None = None,
        details: list[ErrorDetail] | None = None,
    ) -> None:
        super().__init__(f"{status} {code or 'ERROR'}: {message} (request {request_id})")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details = details or []


class Unauthorized(ApiError):
    """401: the API key is missing, unknown or revoked."""

    kind: ClassVar[str] = "osoto_unauthorized"

    default_code = "UNAUTHORIZED"


class Forbidden(ApiError):
    """403: the key lacks the scope, or the user lacks access to the trip."""

    default_code = "FORBIDDEN"


class NotFound(ApiError):
    """404: the resource does not exist (or is not visible to this key)."""

    default_code = "NOT_FOUND"


class ValidationError(ApiError):
    """400: a field is missing or invalid; `details` lists them."""

    default_code = "VALIDATION_ERROR"


class IdempotencyConflict(ApiError):
    """409: the Idempotency-Key was already used with a different request body."""

    default_code = "IDEMPOTENCY_CONFLICT"


class RateLimited(ApiError):
    """429: the key's budget for the current window is spent.

    Attributes:
        retry_after: Seconds until the window resets, from `Retry-After` (None if absent).
    """

    kind: ClassVar[str] = "osoto_rate_limited"

    default_code = "RATE_LIMITED"

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        *,
        request_id: str | None = None,
        details: list[ErrorDetail] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, request_id=request_id, details=details)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed; retried with backoff."""

    kind: ClassVar[str] = "osoto_server"


_BY_CODE: dict[str, type[ApiError]] = {
    cls.default_code: cls
    for cls in (
        Unauthorized,
        Forbidden,
        NotFound,
        ValidationError,
        IdempotencyConflict,
        RateLimited,
    )
    if cls.default_code is not None
}
_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    400: ValidationError,
    409: IdempotencyConflict,
    429: RateLimited,
}


def parse_retry_after(value: str | None) -> float | None:
    """Read a `Retry-After` header given in seconds; None when absent or not a number.

    Args:
        value: The header value.

    Returns:
        Non-negative seconds, or None.
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return error
    return {}


def _details(raw: Any) -> list[ErrorDetail]:
    if not isinstance(raw, list):
        return []
    return [ErrorDetail.model_validate(d) for d in raw if isinstance(d, dict)]


def raise_for_response(response: httpx.Response) -> None:
    """Raise the `ApiError` subclass matching an error answer; do nothing on success.

    This is the one place where error answers become exceptions.

    Args:
        response: A received response.

    Raises:
        ApiError: The mapped subclass when the status is 4xx or 5xx.
    """
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        error = _error_body(response)
        status = response.status_code
        raw_code = error.get("code")
        code = raw_code if isinstance(raw_code, str) else None
        cls = _BY_CODE.get(code or "") or _BY_STATUS.get(status)
        if cls is None:
            cls = ServerError if status >= 500 else ApiError
        raw_message = error.get("message")
        message = raw_message if isinstance(raw_message, str) else response.reason_phrase
        raw_request_id = error.get("requestId")
        request_id = (
            raw_request_id if isinstance(raw_request_id, str) else None
        ) or response.headers.get("X-Request-Id")
        details = _details(error.get("details"))
        if cls is RateLimited:
            raise RateLimited(
                status,
                code,
                message,
                request_id=request_id,
                details=details,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            ) from exc
        raise cls(status, code, message, request_id=request_id, details=details) from exc
