"""Building the Slack adapter from the bridge's settings (the CLI's one call)."""

from __future__ import annotations

from pydantic import SecretStr

from osoto_bridge.chat.slack.adapter import SlackChat
from osoto_bridge.config import Settings, SettingsError

__all__ = ["build_slack_adapter"]


def build_slack_adapter(settings: Settings) -> SlackChat:
    """The Slack adapter the settings describe.

    Socket Mode when ``slack_app_token`` is set, HTTP events otherwise (which need
    ``slack_signing_secret``).

    Raises:
        SettingsError: no bot token, or neither a signing secret nor an app token.
    """

    def secret(value: SecretStr | None) -> str | None:
        text = value.get_secret_value().strip() if value is not None else ""
        return text or None

    bot_token = secret(settings.slack_bot_token)
    if bot_token is None:
        raise SettingsError("OSOTO_BRIDGE_SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)")
    app_token = secret(settings.slack_app_token)
    signing_secret = secret(settings.slack_signing_secret)
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
    )
