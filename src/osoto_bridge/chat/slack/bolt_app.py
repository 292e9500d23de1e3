"""The slack-bolt app: Slack's request checks, and our handlers as its listeners.

bolt does what every Slack app must: it checks each HTTP request's signature and
timestamp (refusing bad or stale ones with 401), answers Slack's URL verification
and SSL checks, and routes each payload to a listener (the bot's own events too:
the handlers learn lost copies' ids from them and relay none).
It runs with ``process_before_response``: a listener finishes before Slack gets
its answer, so nothing bolt starts outlives the request (no fire-and-forget); the
slow work is queued by the handlers instead.
"""

from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from osoto_bridge.chat.slack.handlers import BotIdentity, SlackHandlers
from osoto_bridge.chat.slack.slash import SLASH_COMMAND
from osoto_bridge.chat.slack.views import CHANNEL_VIEW, KEY_VIEW

__all__ = ["build_bolt_app"]

BOLT_LOGGER = "osoto_bridge.chat.slack.bolt"


def build_bolt_app(
    handlers: SlackHandlers,
    *,
    client: AsyncWebClient,
    bot_token: str,
    identity: BotIdentity,
    signing_secret: str | None,
) -> AsyncApp:
    """An `AsyncApp` whose listeners are ``handlers``.

    Args:
        handlers: The adapter's handlers.
        client: A token-less client with the right base URL and session (bolt hands
            listeners a copy carrying the token ``authorize`` returns).
        bot_token: The bot token.
        identity: The bot's ids, from ``auth.test`` at start (so bolt need not ask).
        signing_secret: The signing secret for HTTP events; None in Socket Mode,
            where requests come over the app's own authenticated connection.
    """

    async def authorize() -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=identity.enterprise_id,
            team_id=identity.team_id,
            bot_user_id=identity.user_id,
            bot_id=identity.bot_id,
            bot_token=bot_token,
        )

    app = AsyncApp(
        name="osoto-bridge",
        logger=logging.getLogger(BOLT_LOGGER),
        client=client,
        authorize=authorize,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        process_before_response=True,
        # The bot's own messages are wanted: they name the copies whose send response
        # was lost (`copies`). The handlers never relay a bot's message.
        ignoring_self_events_enabled=False,
    )
    app.event("message")(handlers.message_event)
    app.event("message_metadata_posted")(handlers.metadata_posted)
    app.event("app_mention")(handlers.app_mention)
    app.event("app_home_opened")(handlers.app_home_opened)
    app.command(SLASH_COMMAND)(handlers.slash_command)
    app.action(re.compile(".+"))(handlers.block_action)
    app.view_submission(KEY_VIEW)(handlers.key_form)
    app.view_submission(CHANNEL_VIEW)(handlers.channel_form)
    app.event(re.compile(".+"))(handlers.other_event)
    return app
