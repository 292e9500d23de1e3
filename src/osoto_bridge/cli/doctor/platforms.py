"""The checks that live next to the code they check: the Osoto client's, and each chat
adapter's own ``diagnose`` (imported only when that platform is configured, so a
Telegram-only bridge never loads Slack's libraries)."""

from __future__ import annotations

from osoto_bridge.cli.doctor.context import Context, secret
from osoto_bridge.finding import Finding


async def check_osoto(ctx: Context) -> list[Finding]:
    """The Osoto URL answers as the API, whether or not any chat is linked."""
    from osoto_bridge.osoto.diagnose import diagnose

    return await diagnose(ctx.http, ctx.settings.osoto_base_url)


async def check_telegram(ctx: Context) -> list[Finding]:
    """Telegram's own checks, when a bot token is set."""
    settings = ctx.settings
    if settings.telegram_token is None:
        return []
    from osoto_bridge.chat.telegram.diagnose import diagnose

    return await diagnose(
        ctx.http,
        token=secret(settings.telegram_token),
        api_url=settings.telegram_api_url,
        webhook_url=settings.telegram_webhook_url,
    )


async def check_slack(ctx: Context) -> list[Finding]:
    """Slack's own checks, when a bot token is set."""
    settings = ctx.settings
    if settings.slack_bot_token is None:
        return []
    from osoto_bridge.chat.slack.diagnose import diagnose

    return await diagnose(
        ctx.http,
        bot_token=secret(settings.slack_bot_token),
        app_token=secret(settings.slack_app_token),
        signing_secret=secret(settings.slack_signing_secret),
        api_url=settings.slack_api_url,
    )
