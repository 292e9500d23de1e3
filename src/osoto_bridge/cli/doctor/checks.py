"""The doctor's checks, in the order the table shows them, and `diagnose` that runs them.

Adding a check is one line in `CHECKS`: an ``async def check(ctx) -> list[Finding]``
living next to the code it checks. Each check runs on its own: one that cannot
reach something reports it, and the next still runs (only the link checks need the
store the database check opened).
"""

from __future__ import annotations

import httpx

from osoto_bridge.cli.doctor.context import Check, Context
from osoto_bridge.cli.doctor.database import check_database
from osoto_bridge.cli.doctor.links import check_links
from osoto_bridge.cli.doctor.platforms import check_osoto, check_slack, check_telegram
from osoto_bridge.cli.doctor.public_url import check_public_url
from osoto_bridge.cli.doctor.settings import check_settings
from osoto_bridge.config import Settings
from osoto_bridge.finding import Finding

CHECKS: tuple[Check, ...] = (
    check_settings,
    check_database,
    check_osoto,
    check_telegram,
    check_slack,
    check_links,
    check_public_url,
)


async def diagnose(
    settings: Settings,
    *,
    check_links: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    checks: tuple[Check, ...] = CHECKS,
) -> list[Finding]:
    """Run every check against ``settings``; nothing is written anywhere.

    Args:
        settings: the bridge's settings.
        check_links: also check each link's key against Osoto.
        transport: an httpx transport for every HTTP call (tests).
        checks: the checks to run, in order (default `CHECKS`).
    """
    findings: list[Finding] = []
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(10.0)) as http:
        ctx = Context(settings=settings, http=http, check_links=check_links)
        try:
            for check in checks:
                findings.extend(await check(ctx))
        finally:
            if ctx.store is not None:
                await ctx.store.close()
    return findings
