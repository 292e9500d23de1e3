"""Building the chat adapters from the bridge's settings: the CLI wires them.

Adapters read no `Settings` themselves (docs/architecture.md, "Dependency order"):
each takes plain arguments, and this module maps the settings onto them. The
platform libraries are imported only when their adapter is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from osoto_bridge.chat.base import SharedChatPace
from osoto_bridge.config import Settings, SettingsError
from osoto_bridge.util import RateShare

if TYPE_CHECKING:
    from osoto_bridge.chat.slack import SlackChat
    from osoto_bridge.chat.telegram import TelegramChat

__all__ = ["build_slack_adapter", "build_telegram_adapter"]


def _secret(value: SecretStr | None) -> str | None:
    text = value.get_secret_value().strip() if value is not None else ""
    return text or None


def build_telegram_adapter(
    settings: Settings,
    *,
    poll_at_start: bool = True,
    share: RateShare | None = None,
    chat_pace: SharedChatPace | None = None,
) -> TelegramChat:
    """The Telegram adapter the settings describe.

    Args:
        settings: needs ``telegram_token``; ``telegram_api_url`` points at another
            Bot API server (the token is appended), ``telegram_webhook_url`` turns on
            webhook mode (serve `webhook_route` on the bridge's HTTP server).
        poll_at_start: long polling begins with the adapter; False when the
            replicas lease the one poller.
        share: this replica's part of the bot's rate (replicas; the whole if None).
        chat_pace: the chats' paces shared by the replicas (None: one process).

    Raises:
        ValueError: no Telegram token is configured.
    """
    from osoto_bridge.chat.telegram import FloodControl, TelegramChat

    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise ValueError("OSOTO_BRIDGE_TELEGRAM_TOKEN is not set")
    return TelegramChat(
        token=settings.telegram_token.get_secret_value(),
        base_url=settings.telegram_api_url or None,
        webhook_url=settings.telegram_webhook_url or None,
        poll_at_start=poll_at_start,
        flood=(
            FloodControl(share=share, shared=chat_pace)
            if share is not None or chat_pace is not None
            else None
        ),
    )


def build_slack_adapter(
    settings: Settings,
    *,
    share: RateShare | None = None,
    chat_pace: SharedChatPace | None = None,
) -> SlackChat:
    """The Slack adapter the settings describe.

    Socket Mode when ``slack_app_token`` is set, HTTP events otherwise (which need
    ``slack_signing_secret``). ``share``: this replica's part of the workspace's
    posting rate (replicas; the whole if None); ``chat_pace``: the channels' paces
    shared by the replicas (None: one process).

    Raises:
        SettingsError: no bot token, or neither a signing secret nor an app token.
    """
    from osoto_bridge.chat.slack import SlackChat

    bot_token = _secret(settings.slack_bot_token)
    if bot_token is None:
        raise SettingsError("OSOTO_BRIDGE_SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)")
    app_token = _secret(settings.slack_app_token)
    signing_secret = _secret(settings.slack_signing_secret)
    if app_token is None and signing_secret is None:
        raise SettingsError(
            "Slack needs OSOTO_BRIDGE_SLACK_SIGNING_SECRET for HTTP events at /slack/events, "
            "or OSOTO_BRIDGE_SLACK_APP_TOKEN (xapp-…) for Socket Mode"
        )
    return SlackChat(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=settings.slack_api_url,
        rate_share=share,
        chat_pace=chat_pace,
    )
