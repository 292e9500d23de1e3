"""The OpenAPI document, made to say what the sandbox really does.

FastAPI documents a 422 for every validated operation and knows nothing of the
middleware; this module rewrites the generated document: 400 instead of 422, the
bearer scheme on authenticated operations, and the `Idempotency-Key` header on
mutations.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from osoto_bridge.sandbox.docmodels import ErrorEnvelope
from osoto_bridge.sandbox.idempotency import MAX_KEY_LENGTH

_PUBLIC_PREFIX = "/api/v1/shared/"
_MUTATING = ("post", "patch", "delete")
_ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
_IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Replays the cached response for a retry (cached 24 h).",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


def _rewrite(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    envelope = ErrorEnvelope.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )
    for name, definition in envelope.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas["ErrorEnvelope"] = envelope
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "osk_… API key"}
    }
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            if responses.pop("422", None) is not None and "400" not in responses:
                responses["400"] = {
                    "description": "VALIDATION_ERROR: a field is missing or invalid",
                    "content": {"application/json": {"schema": _ERROR_REF}},
                }
            if path.startswith(_PUBLIC_PREFIX):
                operation["security"] = []
                continue
            operation["security"] = [{"bearerAuth": []}]
            if method in _MUTATING:
                operation.setdefault("parameters", []).append(dict(_IDEMPOTENCY_HEADER))
    return document


def install(app: FastAPI) -> None:
    """Make `app.openapi()` return the rewritten document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _rewrite(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
