"""Building the Telegram adapter from the bridge's settings (for the CLI)."""

from __future__ import annotations

from osoto_bridge.chat.telegram.adapter import TelegramChat
from osoto_bridge.config import Settings


def build_telegram_adapter(settings: Settings) -> TelegramChat:
    """The Telegram adapter the settings describe.

    Args:
        settings: needs ``telegram_token``; ``telegram_api_url`` points at another
            Bot API server (the token is appended), ``telegram_webhook_url`` turns on
            webhook mode (serve `webhook_route` on the bridge's HTTP server).

    Raises:
        ValueError: no Telegram token is configured.
    """
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise ValueError("OSOTO_BRIDGE_TELEGRAM_TOKEN is not set")
    return TelegramChat(
        token=settings.telegram_token.get_secret_value(),
        base_url=settings.telegram_api_url or None,
        webhook_url=settings.telegram_webhook_url or None,
    )
