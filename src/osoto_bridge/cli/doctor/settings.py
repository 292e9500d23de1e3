"""The settings checks: a platform is configured and the secret key is usable.

The secret key is checked on its own (set, and each comma-separated part a valid
key), so a malformed key is reported even when the database is down.
"""

from __future__ import annotations

from osoto_bridge.cli.doctor.context import Context
from osoto_bridge.config import SettingsError
from osoto_bridge.finding import Finding
from osoto_bridge.store import SecretError
from osoto_bridge.store.crypto import KeyCipher

NEW_KEY = "create one with `osoto-bridge secret-key` and put it in OSOTO_BRIDGE_SECRET_KEY"


async def check_settings(ctx: Context) -> list[Finding]:
    """The platforms configured, and the secret key."""
    settings = ctx.settings
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
        findings = [Finding("settings", "ok", detail)]
    else:
        findings = [
            Finding(
                "settings",
                "fail",
                detail,
                "set OSOTO_BRIDGE_TELEGRAM_TOKEN and/or OSOTO_BRIDGE_SLACK_BOT_TOKEN "
                "(see docs/telegram.md, docs/slack.md)",
            )
        ]
    findings.append(secret_key_finding(ctx))
    return findings


def secret_key_finding(ctx: Context) -> Finding:
    """Is OSOTO_BRIDGE_SECRET_KEY set, and is every part of it a valid key?"""
    try:
        keys = ctx.settings.secret_keys()
    except SettingsError:
        return Finding(
            "secret key",
            "fail",
            "OSOTO_BRIDGE_SECRET_KEY is not set (it encrypts API keys)",
            NEW_KEY,
        )
    try:
        KeyCipher(keys)
    except SecretError:
        # KeyCipher's message names the key's position; say it in the setting's words.
        bad = [n for n, key in enumerate(keys, start=1) if not _valid(key)]
        which = ", ".join(f"#{n}" for n in bad) or "#1"
        return Finding(
            "secret key",
            "fail",
            f"OSOTO_BRIDGE_SECRET_KEY: key {which} of {len(keys)} is not a valid key "
            "(44 url-safe base64 characters)",
            f"{NEW_KEY} (to keep reading stored keys, keep the old valid key after it, "
            "comma-separated)",
        )
    return Finding("secret key", "ok", f"{len(keys)} key(s), newest first")


def _valid(key: str) -> bool:
    try:
        KeyCipher([key])
    except SecretError:
        return False
    return True
