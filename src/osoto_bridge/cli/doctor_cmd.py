"""`osoto-bridge doctor`: check everything the bridge needs, and say how to fix what fails.

Checks, in order (a check that cannot run because an earlier one failed is skipped):

- settings: they load; a secret key is set; a chat platform is configured; Slack has
  a way to receive events;
- database: reachable, schema current (``osoto-bridge migrate`` otherwise);
- secrets: every stored API key decrypts with OSOTO_BRIDGE_SECRET_KEY;
- Telegram (when configured): ``getMe`` accepts the token, privacy mode is off, the
  webhook (in webhook mode) reports no delivery error;
- Slack (when configured): ``auth.test`` accepts the bot token, the token has the
  scopes the bridge uses;
- each link: its key is valid, reaches the trip and channel, and still has the
  scopes it was linked with.

Prints one table and, under it, a fix for each problem. Exit status 1 when any
check failed (warnings alone exit 0). Nothing is written anywhere: the write scopes
are probed with empty bodies Osoto refuses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from sqlalchemy.engine import make_url

from osoto_bridge.cli.common import (
    add_config_argument,
    run_command,
    settings_secrets,
    setup_logging,
)
from osoto_bridge.config import Settings, SettingsError, load_settings
from osoto_bridge.osoto import LimiterRegistry, OsotoClient, RetryPolicy
from osoto_bridge.osoto.key_inspection import LinkError, inspect_key
from osoto_bridge.store import Link, SecretError, Store, StoreError, database_version
from osoto_bridge.store.engine import safe_url

Status = Literal["ok", "warn", "fail", "skip"]

TELEGRAM_API_URL = "https://api.telegram.org/bot"
SLACK_API_URL = "https://slack.com/api/"  # slack_sdk's default (not imported: slow)
# What the Slack adapter calls: post (under the Osoto author's name), read channel
# messages, the slash command, channel and user details.
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
RELINK = "link the chat again with a new key (/link in the chat, or `osoto-bridge links add`)"


@dataclass(frozen=True)
class Finding:
    """The outcome of one check."""

    check: str
    status: Status
    detail: str
    fix: str = ""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "doctor",
        help="check settings, database, Telegram, Slack and every link; say how to fix",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_argument(parser)
    parser.add_argument(
        "--no-links",
        action="store_true",
        help="skip the per-link key checks (about 6 Osoto requests per link)",
    )
    parser.set_defaults(handler=lambda args: run_command(lambda: _doctor(args)))


async def _doctor(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(os.environ, args.config)
    except SettingsError as exc:
        findings = [Finding("settings", "fail", str(exc), "correct the setting named above")]
    else:
        # Only warnings reach the terminal, and never with a token in them.
        setup_logging("WARNING", secrets=settings_secrets(settings))
        findings = await diagnose(settings, check_links=not args.no_links)
    sys.stdout.write(render(findings))
    return 1 if any(f.status == "fail" for f in findings) else 0


async def diagnose(
    settings: Settings,
    *,
    check_links: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Finding]:
    """Run every check against ``settings``; see the module docstring.

    Args:
        settings: the bridge's settings.
        check_links: also check each link's key against Osoto.
        transport: an httpx transport for every HTTP call (tests).
    """
    findings = check_settings(settings)
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(10.0)) as http:
        store_findings, store = await _check_store(settings)
        findings.extend(store_findings)
        try:
            if settings.telegram_token is not None:
                findings.extend(await check_telegram(http, settings))
            if settings.slack_bot_token is not None:
                findings.extend(await check_slack(http, settings))
            if store is not None and check_links:
                findings.extend(await check_links_of(store, http, settings))
        finally:
            if store is not None:
                await store.close()
    return findings


def check_settings(settings: Settings) -> list[Finding]:
    findings = []
    platforms = [
        name
        for name, on in (
            ("telegram", settings.telegram_token is not None),
            ("slack", settings.slack_bot_token is not None),
            ("console", settings.console),
        )
        if on
    ]
    detail = f"Osoto at {settings.osoto_base_url}; platforms: {', '.join(platforms) or 'none'}"
    if platforms:
        findings.append(Finding("settings", "ok", detail))
    else:
        findings.append(
            Finding(
                "settings",
                "fail",
                detail,
                "set OSOTO_BRIDGE_TELEGRAM_TOKEN and/or OSOTO_BRIDGE_SLACK_BOT_TOKEN "
                "(see docs/telegram.md, docs/slack.md)",
            )
        )
    try:
        settings.secret_keys()
    except SettingsError as exc:
        findings.append(Finding("secret key", "fail", "not set", str(exc)))
    if settings.slack_bot_token is not None:
        findings.extend(_slack_settings(settings))
    webhook = settings.telegram_webhook_url
    if settings.telegram_token is not None and webhook and not webhook.startswith("https://"):
        findings.append(
            Finding(
                "telegram webhook",
                "fail",
                f"{webhook} is not https",
                "Telegram delivers webhooks over HTTPS only: put the bridge behind a TLS "
                "proxy and give its https:// URL, or unset it to use long polling",
            )
        )
    return findings


def _slack_settings(settings: Settings) -> list[Finding]:
    findings = []
    bot = _secret(settings.slack_bot_token)
    app = _secret(settings.slack_app_token)
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
    elif not app and not _secret(settings.slack_signing_secret):
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


async def _check_store(settings: Settings) -> tuple[list[Finding], Store | None]:
    url = settings.database_url
    where = safe_url(url)
    path = _missing_sqlite_file(url)
    if path is not None:
        return [
            Finding(
                "database",
                "fail",
                f"no database file at {path}",
                "run `osoto-bridge migrate` to create it (or start the bridge), "
                "or correct OSOTO_BRIDGE_DATABASE_URL",
            )
        ], None
    try:
        version = await database_version(url)
    except StoreError as exc:
        return [
            Finding(
                "database",
                "fail",
                str(exc),
                "check OSOTO_BRIDGE_DATABASE_URL and that the database server is up",
            )
        ], None
    findings = [Finding("database", "ok", f"{where} reachable")]
    code = Store.CODE_VERSION
    if version < code:
        findings.append(
            Finding(
                "migrations",
                "fail",
                f"schema version {version}, this version needs {code}",
                "run `osoto-bridge migrate` (the bridge also migrates when it starts)",
            )
        )
        return findings, None
    if version > code:
        findings.append(
            Finding(
                "migrations",
                "fail",
                f"schema version {version} is newer than this osoto-bridge ({code})",
                "upgrade osoto-bridge to the version that last wrote this database",
            )
        )
        return findings, None
    findings.append(Finding("migrations", "ok", f"schema version {version}, current"))
    try:
        keys = settings.secret_keys()
    except SettingsError:
        return findings, None
    try:
        store = await Store.open(url, secret_keys=keys, migrate=False)
    except StoreError as exc:
        findings.append(Finding("secrets", "fail", str(exc), "check OSOTO_BRIDGE_SECRET_KEY"))
        return findings, None
    try:
        count = await store.verify_secrets()
    except SecretError as exc:
        findings.append(
            Finding(
                "secrets",
                "fail",
                str(exc),
                "put the secret key that encrypted these keys back in "
                "OSOTO_BRIDGE_SECRET_KEY (comma-separated, newest first), or relink them",
            )
        )
        await store.close()
        return findings, None
    findings.append(Finding("secrets", "ok", f"{count} stored API key(s) decrypt"))
    return findings, store


async def check_telegram(http: httpx.AsyncClient, settings: Settings) -> list[Finding]:
    base = (settings.telegram_api_url or TELEGRAM_API_URL) + _secret(settings.telegram_token)
    try:
        me = await _telegram_call(http, base, "getMe")
    except _Refused as exc:
        fix = (
            "check that this machine reaches the Bot API (OSOTO_BRIDGE_TELEGRAM_API_URL)"
            if exc.network
            else "copy the token again from @BotFather (/token)"
        )
        return [Finding("telegram", "fail", f"getMe: {exc}", fix)]
    findings = [Finding("telegram", "ok", f"bot @{me.get('username', '?')} (getMe)")]
    if me.get("can_read_all_group_messages"):
        findings.append(Finding("telegram privacy", "ok", "privacy mode off: reads group chats"))
    else:
        findings.append(
            Finding(
                "telegram privacy",
                "fail",
                "privacy mode is on: the bot sees only commands in groups where it is no admin",
                "in @BotFather send /setprivacy, pick the bot, choose Disable; then remove the "
                "bot from each group and add it again",
            )
        )
    if settings.telegram_webhook_url:
        findings.append(await _telegram_webhook(http, base, settings.telegram_webhook_url))
    return findings


async def _telegram_webhook(http: httpx.AsyncClient, base: str, wanted: str) -> Finding:
    try:
        info = await _telegram_call(http, base, "getWebhookInfo")
    except _Refused as exc:
        return Finding("telegram webhook", "warn", f"getWebhookInfo: {exc}")
    current = str(info.get("url") or "")
    if current != wanted:
        return Finding(
            "telegram webhook",
            "warn",
            f"Telegram has {current or 'no webhook'}, the settings say {wanted}",
            "start the bridge: it sets the webhook on start",
        )
    error = info.get("last_error_message")
    if error:
        return Finding(
            "telegram webhook",
            "fail",
            f"last delivery failed: {error}",
            "make the webhook URL reach the bridge's /telegram/webhook over valid HTTPS",
        )
    return Finding("telegram webhook", "ok", f"{wanted}, no delivery errors")


async def check_slack(http: httpx.AsyncClient, settings: Settings) -> list[Finding]:
    base = settings.slack_api_url or SLACK_API_URL
    url = (base if base.endswith("/") else base + "/") + "auth.test"
    headers = {"Authorization": f"Bearer {_secret(settings.slack_bot_token)}"}
    try:
        response = await http.post(url, headers=headers)
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
    granted = {scope.strip() for scope in header.split(",") if scope.strip()}
    missing = [scope for scope in SLACK_REQUIRED_SCOPES if scope not in granted]
    optional = [scope for scope in SLACK_OPTIONAL_SCOPES if scope not in granted]
    fix = "add the scopes under OAuth & Permissions (or recreate the app from "
    fix += "deploy/slack-app-manifest.yaml) and reinstall the app"
    if missing:
        findings.append(Finding("slack scopes", "fail", "missing " + ", ".join(missing), fix))
    elif optional:
        detail = "missing " + ", ".join(optional) + " (private channels, joining, mentions)"
        findings.append(Finding("slack scopes", "warn", detail, fix))
    else:
        findings.append(Finding("slack scopes", "ok", "all the scopes the bridge uses"))
    return findings


async def check_links_of(
    store: Store, http: httpx.AsyncClient, settings: Settings
) -> list[Finding]:
    links = await store.list_links()
    if not links:
        return [Finding("links", "warn", "no chat is linked yet", "see docs/linking.md")]
    limiters = LimiterRegistry()
    retry = RetryPolicy(max_attempts=2, deadline=20.0, max_rate_limited=1)
    findings = []
    for link in links:
        findings.append(await _check_link(store, link, http, settings, limiters, retry))
    return findings


async def _check_link(
    store: Store,
    link: Link,
    http: httpx.AsyncClient,
    settings: Settings,
    limiters: LimiterRegistry,
    retry: RetryPolicy,
) -> Finding:
    name = f"link {link.id}"
    where = f"{link.platform}:{link.chat_id} → {link.trip_title} #{link.channel_name}"
    if not link.enabled:
        return Finding(name, "skip", f"{where} (disabled)")
    api_key = await store.api_key_for(link)
    client = OsotoClient(
        api_key, settings.osoto_base_url, http=http, limiters=limiters, retry=retry
    )
    try:
        report = await inspect_key(client, trip_id=link.trip_id, channel=link.channel_id)
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


def _missing_scopes(link: Link, working: Sequence[str]) -> list[str]:
    have = {scope.rsplit(":", 1)[0] for scope in working}
    had = {scope.rsplit(":", 1)[0] for scope in link.scopes} | {"messages:read"}
    return sorted(had - have)


def _missing_sqlite_file(url: str) -> str | None:
    """The SQLite file ``url`` names, if it does not exist (opening would create it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if os.path.exists(parsed.database) else parsed.database


class _Refused(Exception):
    """A Telegram call that did not answer ``ok``; the message says how."""

    def __init__(self, message: str, *, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


async def _telegram_call(http: httpx.AsyncClient, base: str, method: str) -> dict[str, Any]:
    try:
        response = await http.get(f"{base}/{method}")
        body = response.json()
    except httpx.HTTPError as exc:
        raise _Refused(f"{type(exc).__name__} reaching the Bot API", network=True) from None
    except ValueError:
        raise _Refused(f"HTTP {response.status_code}, not JSON") from None
    if not isinstance(body, dict) or not body.get("ok"):
        description = body.get("description", "") if isinstance(body, dict) else ""
        raise _Refused(f"HTTP {response.status_code} {description}".strip())
    result = body.get("result")
    return result if isinstance(result, dict) else {}


def _secret(value: Any) -> str:
    return "" if value is None else str(value.get_secret_value()).strip()


_MARK: dict[Status, str] = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def render(findings: Sequence[Finding]) -> str:
    """The findings as a table, then a numbered fix for each problem."""
    width = max([len("CHECK"), *(len(f.check) for f in findings)])
    lines = [f"{'CHECK':<{width}}  STATUS  DETAIL"]
    lines += [f"{f.check:<{width}}  {_MARK[f.status]:<6}  {f.detail}" for f in findings]
    problems = [f for f in findings if f.status in ("fail", "warn") and f.fix]
    if problems:
        lines += ["", "How to fix:"]
        lines += [f"  {n}. {f.check}: {f.fix}" for n, f in enumerate(problems, start=1)]
    failed = sum(1 for f in findings if f.status == "fail")
    warned = sum(1 for f in findings if f.status == "warn")
    lines += ["", f"{failed} failed, {warned} warning(s), {len(findings)} check(s)"]
    return "\n".join(lines) + "\n"
