"""Slack's part of `osoto-bridge doctor`: are the tokens of the right kind, is there a
way to receive events, does ``auth.test`` accept the bot token, and does the token
hold the scopes the adapter uses?

Plain httpx (one ``auth.test`` call): Slack lists the token's scopes in the
``X-OAuth-Scopes`` response header, which slack_sdk's client does not surface.
"""

from __future__ import annotations

import httpx

from osoto_bridge.finding import Finding

__all__ = ["SLACK_API_URL", "SLACK_OPTIONAL_SCOPES", "SLACK_REQUIRED_SCOPES", "diagnose"]

SLACK_API_URL = "https://slack.com/api/"  # slack_sdk's default
# What the adapter calls: post (under the Osoto author's name), read channel messages,
# the slash command, channel and user details.
SLACK_REQUIRED_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "chat:write.customize",
    "commands",
    "users:read",
)
# Private channels, joining a public channel from the link modal, "@Osoto where".
# Both lists follow deploy/slack-app-manifest.yaml.
SLACK_OPTIONAL_SCOPES = ("app_mentions:read", "channels:join", "groups:history", "groups:read")


async def diagnose(
    http: httpx.AsyncClient,
    *,
    bot_token: str,
    app_token: str,
    signing_secret: str,
    api_url: str | None,
) -> list[Finding]:
    """Check the tokens' kinds, the events path, the bot token and its scopes.

    Args:
        http: the client the ``auth.test`` call goes through.
        bot_token: the bot token (xoxb-…).
        app_token: the app-level token for Socket Mode ("" when unset).
        signing_secret: the signing secret for HTTP events ("" when unset).
        api_url: the Web API base (None: Slack's own).
    """
    findings = _tokens(bot_token, app_token, signing_secret)
    findings.extend(await _auth_test(http, bot_token, api_url or SLACK_API_URL))
    return findings


def _tokens(bot: str, app: str, signing_secret: str) -> list[Finding]:
    findings = []
    if not bot.startswith("xoxb-"):
        findings.append(
            Finding(
                "slack token",
                "fail",
                "OSOTO_BRIDGE_SLACK_BOT_TOKEN is not a bot token (xoxb-…)",
                "copy the Bot User OAuth Token from the app's OAuth & Permissions page",
            )
        )
    if app and not app.startswith("xapp-"):
        findings.append(
            Finding(
                "slack events",
                "fail",
                "OSOTO_BRIDGE_SLACK_APP_TOKEN is not an app-level token (xapp-…)",
                "create an app-level token with connections:write (Basic Information)",
            )
        )
    elif not app and not signing_secret:
        findings.append(
            Finding(
                "slack events",
                "fail",
                "neither a signing secret (HTTP events) nor an app token (Socket Mode)",
                "set OSOTO_BRIDGE_SLACK_SIGNING_SECRET (Basic Information → Signing Secret) "
                "or OSOTO_BRIDGE_SLACK_APP_TOKEN for Socket Mode",
            )
        )
    else:
        mode = "Socket Mode" if app else "HTTP events at /slack/events"
        findings.append(Finding("slack events", "ok", mode))
    return findings


async def _auth_test(http: httpx.AsyncClient, token: str, base: str) -> list[Finding]:
    url = (base if base.endswith("/") else base + "/") + "auth.test"
    try:
        response = await http.post(url, headers={"Authorization": f"Bearer {token}"})
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return [
            Finding(
                "slack",
                "fail",
                f"auth.test: {type(exc).__name__}",
                "check the network path to Slack or OSOTO_BRIDGE_SLACK_API_URL",
            )
        ]
    if not isinstance(body, dict) or not body.get("ok"):
        error = body.get("error", "unknown") if isinstance(body, dict) else "not JSON"
        return [
            Finding(
                "slack",
                "fail",
                f"auth.test refused the bot token: {error}",
                "copy the Bot User OAuth Token (xoxb-…) again; reinstall the app if it was revoked",
            )
        ]
    findings = [
        Finding("slack", "ok", f"bot {body.get('user', '?')} in team {body.get('team', '?')}")
    ]
    header = response.headers.get("x-oauth-scopes")
    if header is None:
        findings.append(
            Finding("slack scopes", "warn", "Slack did not list the token's scopes; not checked")
        )
        return findings
    findings.append(_scopes({s.strip() for s in header.split(",") if s.strip()}))
    return findings


def _scopes(granted: set[str]) -> Finding:
    missing = [scope for scope in SLACK_REQUIRED_SCOPES if scope not in granted]
    optional = [scope for scope in SLACK_OPTIONAL_SCOPES if scope not in granted]
    fix = "add the scopes under OAuth & Permissions (or recreate the app from "
    fix += "deploy/slack-app-manifest.yaml) and reinstall the app"
    if missing:
        return Finding("slack scopes", "fail", "missing " + ", ".join(missing), fix)
    if optional:
        detail = "missing " + ", ".join(optional) + " (private channels, joining, mentions)"
        return Finding("slack scopes", "warn", detail, fix)
    return Finding("slack scopes", "ok", "all the scopes the bridge uses")
