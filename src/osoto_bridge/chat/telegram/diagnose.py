"""Telegram's part of `osoto-bridge doctor`: does the Bot API accept the token, can the
bot read group chats, and does the webhook (in webhook mode) deliver?

Plain httpx against the Bot API (three GET calls), so the check works without
starting python-telegram-bot and reads exactly what Telegram answers.
"""

from __future__ import annotations

from typing import Any

import httpx

from osoto_bridge.finding import Finding

__all__ = ["TELEGRAM_API_URL", "diagnose"]

TELEGRAM_API_URL = "https://api.telegram.org/bot"


class _Refused(Exception):
    """A Bot API call that did not answer ``ok``; the message says how."""

    def __init__(self, message: str, *, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


async def diagnose(
    http: httpx.AsyncClient, *, token: str, api_url: str | None, webhook_url: str | None
) -> list[Finding]:
    """Check the bot token, privacy mode and the webhook.

    Args:
        http: the client every call goes through.
        token: the bot token.
        api_url: the Bot API base ending in ``/bot`` (None: Telegram's own).
        webhook_url: the webhook URL the bridge sets (None: long polling).
    """
    findings = _settings(webhook_url)
    base = (api_url or TELEGRAM_API_URL) + token
    try:
        me = await _call(http, base, "getMe")
    except _Refused as exc:
        fix = (
            "check that this machine reaches the Bot API (OSOTO_BRIDGE_TELEGRAM_API_URL)"
            if exc.network
            else "copy the token again from @BotFather (/token)"
        )
        return [*findings, Finding("telegram", "fail", f"getMe: {exc}", fix)]
    findings.append(Finding("telegram", "ok", f"bot @{me.get('username', '?')} (getMe)"))
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
    if webhook_url and webhook_url.startswith("https://"):
        findings.append(await _webhook(http, base, webhook_url))
    return findings


def _settings(webhook_url: str | None) -> list[Finding]:
    if webhook_url and not webhook_url.startswith("https://"):
        return [
            Finding(
                "telegram webhook",
                "fail",
                f"{webhook_url} is not https",
                "Telegram delivers webhooks over HTTPS only: put the bridge behind a TLS "
                "proxy and give its https:// URL, or unset it to use long polling",
            )
        ]
    return []


async def _webhook(http: httpx.AsyncClient, base: str, wanted: str) -> Finding:
    try:
        info = await _call(http, base, "getWebhookInfo")
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


async def _call(http: httpx.AsyncClient, base: str, method: str) -> dict[str, Any]:
    try:
        response = await http.get(f"{base}/{method}")
        body = response.json()
    except httpx.HTTPError as exc:
        # `from None`: the request URL in the cause holds the token.
        raise _Refused(f"{type(exc).__name__} reaching the Bot API", network=True) from None
    except ValueError:
        raise _Refused(f"HTTP {response.status_code}, not JSON") from None
    if not isinstance(body, dict) or not body.get("ok"):
        description = body.get("description", "") if isinstance(body, dict) else ""
        raise _Refused(f"HTTP {response.status_code} {description}".strip())
    result = body.get("result")
    return result if isinstance(result, dict) else {}
