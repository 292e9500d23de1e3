"""The client's part of `osoto-bridge doctor`: does the configured URL answer as the
Osoto API does?

Checked with no key at all, so it runs before any chat is linked: ``GET /me``
without credentials must come back 401 with Osoto's error envelope
(``{"error": {"code": "UNAUTHORIZED", …}}``). Anything else means the URL is wrong
(a web page, another service, a missing ``/api/v1``) or the server is down.
"""

from __future__ import annotations

import httpx

from osoto_bridge.finding import Finding

__all__ = ["diagnose"]

_FIX_URL = "check OSOTO_BRIDGE_OSOTO_BASE_URL: the API's base URL, ending in /api/v1"


async def diagnose(http: httpx.AsyncClient, base_url: str) -> list[Finding]:
    """Check that ``base_url`` reaches an Osoto API.

    Args:
        http: the client the one request goes through (no key is sent).
        base_url: the API base, e.g. ``https://…/api/v1``.
    """
    url = base_url.rstrip("/") + "/me"
    try:
        response = await http.get(url)
    except httpx.HTTPError as exc:
        return [
            Finding(
                "osoto",
                "fail",
                f"cannot reach {base_url}: {type(exc).__name__}",
                f"check that the Osoto server is up and this machine reaches it; {_FIX_URL}",
            )
        ]
    if response.status_code == 401 and _is_error_envelope(response):
        return [Finding("osoto", "ok", f"{base_url} answers as the Osoto API")]
    return [
        Finding(
            "osoto",
            "fail",
            f"{base_url} does not answer as the Osoto API (GET /me: HTTP {response.status_code})",
            _FIX_URL,
        )
    ]


def _is_error_envelope(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and isinstance(error.get("code"), str)
