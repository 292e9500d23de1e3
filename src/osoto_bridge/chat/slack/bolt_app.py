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

from osoto_bridge.chat.slack.events import EventHandlers
from osoto_bridge.chat.slack.handlers import BotIdentity
from osoto_bridge.chat.slack.interactions import InteractionHandlers
from osoto_bridge.chat.slack.slash import SLASH_COMMAND
from osoto_bridge.chat.slack.views import CHANNEL_VIEW, KEY_VIEW

__all__ = ["build_bolt_app"]

BOLT_LOGGER = "osoto_bridge.chat.slack.bolt"


def build_bolt_app(
    events: EventHandlers,
    interactions: InteractionHandlers,
    *,
    client: AsyncWebClient,
    bot_token: str,
    identity: BotIdentity,
    signing_secret: str | None,
) -> AsyncApp:
    """An `AsyncApp` whose listeners are ``events`` and ``interactions``.

    Args:
        events: The adapter's Events API listeners (messages, mentions, DMs, Home).
        interactions: Its slash command, button and form listeners.
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
    app.event("message")(events.message_event)
    app.event("message_metadata_posted")(events.metadata_posted)
    app.event("app_mention")(events.app_mention)
    app.event("app_home_opened")(events.app_home_opened)
    app.command(SLASH_COMMAND)(interactions.slash_command)
    app.action(re.compile(".+"))(interactions.block_action)
    app.view_submission(KEY_VIEW)(interactions.key_form)
    app.view_submission(CHANNEL_VIEW)(interactions.channel_form)
    app.event(re.compile(".+"))(events.other_event)
    return app
