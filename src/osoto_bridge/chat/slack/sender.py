"""`SlackSender`: what the Slack adapter sends, and how it reaches Slack's Web API.

A message is rendered to mrkdwn posts (split at 3,000 characters, buttons as Block
Kit) and posted under the Osoto author's name (``chat:write.customize``) in its
thread, each post tagged as a copy of its Osoto message (`copies`); an answer to a
slash command goes through its response URL. Edits redraw in place (``chat.update``
or the response URL), and a whisper, the Home tab and deletes are one call each.
Every call runs inside the adapter's ``using``: refused (`ChatUnavailable`) when
the adapter is not running, waited for by its stop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from osoto_bridge.chat.base import (
    COPY_OF,
    EPHEMERAL,
    ChatAddress,
    ChatError,
    ChatGone,
    ChatUnavailable,
    OutboundMessage,
)
from osoto_bridge.chat.slack.copies import copy_metadata
from osoto_bridge.chat.slack.direct import DIRECT_PREFIX
from osoto_bridge.chat.slack.memory import RecentSlackMessages
from osoto_bridge.chat.slack.outbound import SlackPost, clean_username, render_posts
from osoto_bridge.chat.slack.slash import PRESSED_PREFIX, SLASH_PREFIX, SlashReplies
from osoto_bridge.chat.slack.webapi import SlackRefused, SlackWebApi
from osoto_bridge.text import doc

__all__ = ["EPHEMERAL_META", "SlackSender"]

logger = logging.getLogger("osoto_bridge.chat.slack.adapter")

EPHEMERAL_META = EPHEMERAL
"""`OutboundMessage.meta[EPHEMERAL] == "true"` shows a slash command's answer only to
its asker (the relay sets it from `CommandReply.ephemeral`)."""


class SlackSender:
    """Posts, answers, edits and deletes the adapter's messages.

    Args:
        using: The running adapter's Web API, for one call (`SlackChat`'s gate).
        memory: Recent messages: a reply's thread root; each post is remembered.
        replies: Response URLs of slash commands and pressed buttons.
    """

    def __init__(
        self,
        using: Callable[[], AbstractAsyncContextManager[SlackWebApi]],
        *,
        memory: RecentSlackMessages,
        replies: SlashReplies,
    ) -> None:
        self._using = using
        self._memory = memory
        self._replies = replies

    async def send(self, message: OutboundMessage) -> list[str]:
        async with self._using() as api:
            return await self._send(api, message)

    async def _send(self, api: SlackWebApi, message: OutboundMessage) -> list[str]:
        reply_to = message.reply_to
        if reply_to is not None and reply_to.startswith(SLASH_PREFIX):
            return await self._answer_slash(api, message, reply_to)
        if reply_to is not None and reply_to.startswith(DIRECT_PREFIX):
            reply_to = None  # a DM's answers are not threaded
        channel = message.address.chat_id
        thread = self._memory.root_of(channel, reply_to) if reply_to else None
        ids: list[str] = []
        copy_of = message.meta.get(COPY_OF)
        for part, post in enumerate(render_posts(message.document)):
            tag = copy_metadata(copy_of, part) if copy_of else None
            ts = await self._post(
                api, channel, post, thread=thread, username=message.username, metadata=tag
            )
            ids.append(ts)
            self._memory.remember(
                channel,
                ts,
                root=thread or ts,
                author=message.username or "Osoto",
                text=message.document.plain_text(),
            )
        return ids

    async def _post(
        self,
        api: SlackWebApi,
        channel: str,
        post: SlackPost,
        *,
        thread: str | None,
        username: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        body: dict[str, object] = {"text": post.text, "unfurl_links": False, "unfurl_media": False}
        if post.blocks:
            body["blocks"] = list(post.blocks)
        if metadata is not None:
            body["metadata"] = metadata
        if thread is not None:
            body["thread_ts"] = thread
        if username:
            body["username"] = clean_username(username)
        try:
            data = await api.post(channel, **body)
        except SlackRefused as exc:
            if exc.code not in ("thread_not_found", "invalid_thread_ts") or thread is None:
                raise
            # The thread's first message is gone: the message still belongs in the channel.
            body.pop("thread_ts")
            data = await api.post(channel, **body)
        ts = data.get("ts")
        if not isinstance(ts, str):
            raise ChatUnavailable("chat.postMessage answered without a ts")
        return ts

    async def _answer_slash(
        self, api: SlackWebApi, message: OutboundMessage, reply_to: str
    ) -> list[str]:
        command = self._replies.get(reply_to)
        if command is None:
            # The response URL expired: answer in the channel instead.
            return await self._send(
                api,
                OutboundMessage(message.address, message.document, username=message.username),
            )
        visibility = "ephemeral" if message.meta.get(EPHEMERAL_META) == "true" else "in_channel"
        for post in render_posts(message.document):
            payload: dict[str, object] = {"response_type": visibility, "text": post.text}
            if post.blocks:
                payload["blocks"] = list(post.blocks)
            await api.respond(command.response_url, payload)
        return []

    async def announce(self, address: ChatAddress, text: str) -> None:
        try:
            await self.send(OutboundMessage(address, doc(text)))
        except ChatError as exc:
            logger.warning("could not post a notice in Slack channel %s: %s", address.chat_id, exc)

    async def edit(self, address: ChatAddress, message_id: str, message: OutboundMessage) -> bool:
        """Replace a bot message's text and blocks; False when the content needs more
        than one message or Slack refuses (the caller posts anew).

        A message in the channel is redrawn with ``chat.update``; an answer to a slash
        command (ephemeral, or one ``chat.update`` refuses) through the response URL
        its button press came with (``replace_original``).
        """
        posts = render_posts(message.document)
        if len(posts) != 1:
            return False
        (post,) = posts
        redraw_url = self._replies.redraw_url(message_id)
        if message_id.startswith(PRESSED_PREFIX):
            return redraw_url is not None and await self._replace(redraw_url, post)
        try:
            async with self._using() as api:
                # An empty list clears the old blocks (and with them the pressed buttons).
                await api.call(
                    "chat.update",
                    channel=address.chat_id,
                    ts=message_id,
                    text=post.text,
                    blocks=list(post.blocks),
                )
        except SlackRefused as exc:
            if redraw_url is not None:
                return await self._replace(redraw_url, post)
            logger.info("could not update Slack message %s: %s", message_id, exc)
            return False
        return True

    async def _replace(self, response_url: str, post: SlackPost) -> bool:
        """Redraw the message a response URL belongs to (``replace_original``)."""
        payload: dict[str, object] = {
            "replace_original": True,
            "text": post.text,
            "blocks": list(post.blocks),
        }
        try:
            async with self._using() as api:
                await api.respond(response_url, payload)
        except ChatError as exc:
            logger.info("could not redraw a Slack answer through its response URL: %s", exc)
            return False
        return True

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Show ``view`` as ``user_id``'s Home tab of the app (``views.publish``)."""
        try:
            async with self._using() as api:
                await api.call("views.publish", user_id=user_id, view=view)
        except ChatError as exc:
            logger.info("could not publish the Home tab for %s: %s", user_id, exc)

    async def whisper(self, address: ChatAddress, user_id: str, text: str) -> None:
        """Show ``text`` to ``user_id`` alone in the channel (``chat.postEphemeral``)."""
        try:
            async with self._using() as api:
                await api.call(
                    "chat.postEphemeral", channel=address.chat_id, user=user_id, text=text
                )
        except ChatError as exc:
            logger.info("could not show an ephemeral line in %s: %s", address.chat_id, exc)

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        try:
            async with self._using() as api:
                await api.call("chat.delete", channel=address.chat_id, ts=message_id)
        except (SlackRefused, ChatGone) as exc:
            # A bot token may delete only the bot's own messages (cant_delete_message).
            logger.info("could not delete Slack message %s: %s", message_id, exc)
            return False
        return True
