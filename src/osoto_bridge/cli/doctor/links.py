"""The link checks: each link's key still serves its trip channel with the scopes it
was linked with.

The key is inspected by the same code that vetted it when the chat was linked
(`inspect_key`, called in `_inspect` only), so the doctor and ``/link`` never
disagree on what a key can do.
"""

from __future__ import annotations

from collections.abc import Sequence

from osoto_bridge.cli.doctor.context import Context
from osoto_bridge.finding import Finding
from osoto_bridge.osoto import LimiterRegistry, OsotoClient, RetryPolicy
from osoto_bridge.osoto.key_inspection import KeyReport, LinkError, inspect_key
from osoto_bridge.store import Link

RELINK = "link the chat again with a new key (/link in the chat, or `osoto-bridge links add`)"


async def check_links(ctx: Context) -> list[Finding]:
    """One finding per link (skipped without an open store or with ``--no-links``)."""
    if ctx.store is None or not ctx.check_links:
        return []
    links = await ctx.store.list_links()
    if not links:
        return [Finding("links", "warn", "no chat is linked yet", "see docs/linking.md")]
    limiters = LimiterRegistry()
    retry = RetryPolicy(max_attempts=2, deadline=20.0, max_rate_limited=1)
    return [await _check_link(ctx, link, limiters, retry) for link in links]


async def _check_link(
    ctx: Context, link: Link, limiters: LimiterRegistry, retry: RetryPolicy
) -> Finding:
    assert ctx.store is not None
    name = f"link {link.id}"
    where = f"{link.platform}:{link.chat_id} → {link.trip_title} #{link.channel_name}"
    if not link.enabled:
        return Finding(name, "skip", f"{where} (disabled)")
    client = OsotoClient(
        await ctx.store.api_key_for(link),
        ctx.settings.osoto_base_url,
        http=ctx.http,
        limiters=limiters,
        retry=retry,
    )
    try:
        report = await _inspect(client, link)
    except LinkError as exc:
        return Finding(name, "fail", f"{where}: key {link.key_fingerprint}: {exc}", RELINK)
    missing = _missing_scopes(link, report.scopes)
    detail = f"{where}: key {link.key_fingerprint} of {report.user_name}"
    if "messages:read" in missing:
        return Finding(
            name, "fail", f"{detail} can no longer read the channel", f"{RELINK} (messages:read)"
        )
    if missing:
        return Finding(
            name,
            "warn",
            f"{detail} lost {', '.join(missing)}",
            f"{RELINK} with the scopes " + ", ".join(f"{s}:{link.trip_id}" for s in missing),
        )
    scopes = ", ".join(scope.rsplit(":", 1)[0] for scope in report.scopes)
    return Finding(name, "ok", f"{detail}; {scopes}")


async def _inspect(client: OsotoClient, link: Link) -> KeyReport:
    # The one call into key inspection (it may move rooms; only this line follows it).
    return await inspect_key(client, trip_id=link.trip_id, channel=link.channel_id)


def _missing_scopes(link: Link, working: Sequence[str]) -> list[str]:
    have = {scope.rsplit(":", 1)[0] for scope in working}
    had = {scope.rsplit(":", 1)[0] for scope in link.scopes} | {"messages:read"}
    return sorted(had - have)
