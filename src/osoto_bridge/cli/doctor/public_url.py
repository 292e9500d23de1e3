"""The public URL check: the address `/share` hands out reaches this bridge.

`OSOTO_BRIDGE_PUBLIC_URL` is where people's phones open the shared trip's page and
where their calendar apps fetch its feed; the doctor asks that address for the
bridge's `/healthz`, as a phone would reach it (through any proxy in between).
"""

from __future__ import annotations

import httpx

from osoto_bridge.cli.doctor.context import Context
from osoto_bridge.finding import Finding

NAME = "public URL"
_SET_IT = (
    "set OSOTO_BRIDGE_PUBLIC_URL to the address people reach the bridge's HTTP server at "
    "(see docs/configuration.md)"
)


async def check_public_url(ctx: Context) -> list[Finding]:
    """The public URL is set and answers as this bridge's web app."""
    public = ctx.settings.public_url
    if public is None:
        return [Finding(NAME, "warn", "not set: /share cannot hand out the trip's page", _SET_IT)]
    url = public + "/healthz"
    fix = (
        "start the bridge (`osoto-bridge run`) and make sure the address reaches its HTTP "
        "server (OSOTO_BRIDGE_HTTP_HOST / OSOTO_BRIDGE_HTTP_PORT, any proxy in between)"
    )
    try:
        response = await ctx.http.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        return [Finding(NAME, "fail", f"{url}: no answer ({type(exc).__name__})", fix)]
    try:
        healthy = response.status_code == 200 and response.json().get("status") == "ok"
    except ValueError:
        healthy = False
    if not healthy:
        detail = f"{url} answered {response.status_code}, not the bridge's /healthz"
        return [Finding(NAME, "fail", detail, fix)]
    return [Finding(NAME, "ok", f"{public} answers; /share hands out pages under it")]
