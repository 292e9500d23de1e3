"""The ASGI app: routes, the error envelope, the OpenAPI document, the middleware."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from osoto_bridge.sandbox import openapi
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import (
    ApiError,
    Detail,
    details_from_pydantic,
    envelope_bytes,
    validation_error,
)
from osoto_bridge.sandbox.middleware import SandboxMiddleware
from osoto_bridge.sandbox.routes import content, messages, shared, trips

API_ROOT = "/api/v1"

_DESCRIPTION = (
    "A local, faithful server of the Osoto REST API. Every error is the envelope"
    ' {"error": {"code", "message", "requestId", "details"}}; bad input is always a 400.'
)


def _render(request: Request, error: ApiError, headers: dict[str, str] | None = None) -> Response:
    body = envelope_bytes(error.code, error.message, request.state.request_id, error.details)
    return Response(body, error.status, headers=headers, media_type="application/json")


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _render(request, exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    details = details_from_pydantic(errors)
    if any(e.get("type") == "json_invalid" for e in errors):
        return _render(request, validation_error(details, "Malformed JSON body"))
    return _render(request, validation_error(details))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        error = ApiError("NOT_FOUND", f"No route {request.method} {request.url.path}")
    elif exc.status_code == 405:
        error = ApiError("METHOD_NOT_ALLOWED", f"{request.method} is not allowed here")
    elif exc.status_code == 400:
        # Starlette's own parse failures (e.g. JSON nested too deeply to decode).
        error = validation_error([Detail("body", "cannot be parsed as JSON")], str(exc.detail))
    else:
        error = ApiError("INTERNAL", str(exc.detail))
    return _render(request, error, dict(exc.headers or {}))


def build_app(ctx: Context) -> FastAPI:
    """Assemble the sandbox's FastAPI app over its shared state."""
    app = FastAPI(
        title="Osoto API (sandbox)",
        version="1",
        description=_DESCRIPTION,
        docs_url=None,  # the Swagger UI would load its scripts from the internet
        redoc_url=None,
    )
    for module in (trips, content, messages, shared):
        app.include_router(module.router(ctx), prefix=API_ROOT)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(SandboxMiddleware, ctx=ctx)
    openapi.install(app)
    return app
