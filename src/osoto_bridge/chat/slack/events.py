"""The Events API listeners: messages, the bot's own copies, mentions, DMs, the Home tab.

A relayed message is handed to the relay before Slack gets its answer (see
`handlers` for when work happens); a mention's command and a DM's are claimed once
and run on the job queue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest

from osoto_bridge.chat.base import ChatAddress, InboundMessage, InboundSink, OutboundMessage
from osoto_bridge.chat.slack.copies import read_seen_copy
from osoto_bridge.chat.slack.direct import DIRECT_PREFIX, DirectMessages
from osoto_bridge.chat.slack.handlers import Ack, BotIdentity, Send, answer_direct
from osoto_bridge.chat.slack.home import MAX_LINKS, dm_help, home_view
from osoto_bridge.chat.slack.inbound import (
    PLATFORM,
    SlackMessage,
    mention_command,
    mentioned_users,
    read_message_event,
    to_inbound,
)
from osoto_bridge.chat.slack.jobs import JobQueue
from osoto_bridge.chat.slack.memory import RecentSlackMessages
from osoto_bridge.chat.slack.texts import language_of, say
from osoto_bridge.chat.slack.users import UserDirectory
from osoto_bridge.text import doc

__all__ = ["EventHandlers"]

LINK_WORDS = frozenset({"link", "unlink"})


class EventHandlers:
    """The adapter's answers to message events, mentions, DMs and the Home tab.

    Args:
        sink: The relay.
        users: The user directory.
        memory: Recent messages (thread roots, quotes).
        jobs: Where slow work runs after the acknowledgement.
        identity: The bot's own ids.
        send: Posts a message (the adapter's `send`).
        publish_home: Shows a user's Home tab (the adapter's `publish_home`).
        direct: Trip commands in DMs; without it a DM is answered with what the app does.
    """

    def __init__(
        self,
        *,
        sink: InboundSink,
        users: UserDirectory,
        memory: RecentSlackMessages,
        jobs: JobQueue,
        identity: BotIdentity,
        send: Send,
        publish_home: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
        direct: DirectMessages | None = None,
    ) -> None:
        self._sink = sink
        self._users = users
        self._memory = memory
        self._jobs = jobs
        self._identity = identity
        self._send = send
        self._publish_home = publish_home
        self._direct = direct

    async def message_event(
        self, event: dict[str, Any], body: dict[str, Any], request: AsyncBoltRequest
    ) -> None:
        """A ``message`` event: relayed (inline, before the answer) unless a command.

        The bot's own copies come back too (as Slack shows every app its messages):
        never relayed, they tell the sink the id of a copy whose send response was
        lost (`copy_seen`)."""
        if await self._own_copy(event):
            return
        message = read_message_event(event)
        if message is None:
            return
        if message.edit_of is None and self._command_in(message) is not None:
            return  # the app_mention event of the same message answers it
        if message.channel_type == "im":
            await self._direct_message(message, body)
            return
        event_id = str(
            body.get("event_id")
            or f"message:{message.channel}:{message.ts}:{message.edit_marker or ''}"
        )
        # The line and the event's mark in one write (shared with the events that
        # arrive meanwhile), committed before Slack gets its 200. Only a redelivery
        # can have been handled: the mark is read for those alone.
        async with self._sink.batch(PLATFORM, [event_id] if _maybe_redelivered(request) else ()):
            if await self._sink.handled_before(PLATFORM, event_id):
                return
            inbound = await self._inbound(message)
            await self._sink.on_message(inbound)
            await self._sink.mark_handled(PLATFORM, event_id)

    async def metadata_posted(self, event: dict[str, Any]) -> None:
        """``message_metadata_posted``: another echo of a copy (where subscribed)."""
        await self._own_copy(event)

    async def _own_copy(self, event: dict[str, Any]) -> bool:
        """Hand the sink a copy of the bot's own that no send returned; whether it was one."""
        copy = read_seen_copy(event, self._identity.bot_id)
        if copy is None:
            return False
        channel = copy.address.chat_id
        if self._memory.get(channel, copy.message_id) is None:  # no send returned it (yet)
            await self._sink.copy_seen(copy)
            thread = event.get("thread_ts")
            self._memory.remember(
                channel,
                copy.message_id,
                root=thread if isinstance(thread, str) else copy.message_id,
                author=str(event.get("username") or "Osoto"),
                text=str(event.get("text") or ""),
            )
        return True

    async def _direct_message(self, message: SlackMessage, body: dict[str, Any]) -> None:
        """A DM with the app: a trip command runs for a linked channel its author is in
        (`DirectMessages`); anything else is answered with what the app does and where."""
        if message.edit_of is not None:
            return
        event_id = str(body.get("event_id") or f"im:{message.channel}:{message.ts}")
        if not await self._sink.first_time(PLATFORM, event_id):
            return
        address = ChatAddress(PLATFORM, message.channel)
        text = message.text.strip().lstrip("/／").strip()
        direct = self._direct
        if direct is None or not text or not self._sink.commands.is_command(text):
            links = await self._sink.links.on_platform(PLATFORM)
            answer = OutboundMessage(address, dm_help(links))
            self._jobs.submit("dm answer", lambda: self._send(answer))
            return
        user = await self._users.get(message.user)
        command = InboundMessage(
            address=address,
            message_id=DIRECT_PREFIX + message.ts,
            author_id=message.user,
            author_name=user.name,
            document=doc("/" + text),
            raw_text="/" + text,
            is_private=True,
            language_hint=user.locale,
        )
        self._jobs.submit("dm command", lambda: answer_direct(direct, command, self._send))

    async def app_home_opened(self, ack: Ack, event: dict[str, Any]) -> None:
        """The Home tab was opened: publish the links and the commands."""
        await ack()
        user_id = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not user_id or self._publish_home is None:
            return
        publish = self._publish_home
        user = await self._users.get(user_id)
        language = language_of(user.locale, None)
        links = await self._sink.links.on_platform(PLATFORM)
        health = {link.id: await self._sink.links.health(link) for link in links[:MAX_LINKS]}
        view = home_view(self._sink.commands, language, links, health)
        self._jobs.submit("home tab", lambda: publish(user_id, view))

    def _command_in(self, message: SlackMessage) -> str | None:
        return mention_command(
            message.text,
            self._identity.user_id,
            is_command=self._sink.commands.is_command,
            also=LINK_WORDS,
        )

    async def _inbound(self, message: SlackMessage) -> InboundMessage:
        author = await self._users.get(message.user)
        names = await self._users.names(mentioned_users(message.text))
        parent = (
            self._memory.get(message.channel, message.thread_ts)
            if message.thread_ts is not None and message.is_reply
            else None
        )
        inbound = to_inbound(
            message,
            author_name=author.name,
            names=names,
            locale=author.locale,
            reply_author=parent.author if parent else None,
            reply_text=parent.text if parent else None,
        )
        self._memory.remember(
            message.channel,
            message.ts,
            root=message.root,
            author=author.name,
            text=inbound.document.plain_text(),
        )
        return inbound

    async def app_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        """``@Osoto where tuesday``: claimed once, answered in the message's thread."""
        message = read_message_event(event)
        if message is None:
            return
        command = self._command_in(message)
        if command is None:
            return
        event_id = str(body.get("event_id") or f"mention:{message.channel}:{message.ts}")
        if not await self._sink.first_time(PLATFORM, event_id):
            return
        inbound = await self._inbound(message)
        address = inbound.address
        link = await self._sink.links.find(address)
        author = await self._users.get(message.user)
        language = language_of(author.locale, link.language if link else None)
        if command.split()[0] in ("/link", "/unlink"):
            self._reply_in_thread(address, message.ts, say(language, "link_by_form"))
        elif link is None:
            self._reply_in_thread(address, message.ts, say(language, "not_linked"))
        else:
            command_message = dataclasses.replace(inbound, raw_text=command)
            self._jobs.submit("mention command", lambda: self._sink.on_message(command_message))

    def _reply_in_thread(self, address: ChatAddress, ts: str, text: str) -> None:
        reply = OutboundMessage(address, doc(text), reply_to=ts)
        self._jobs.submit("mention reply", lambda: self._send(reply))

    async def other_event(self, ack: Ack) -> None:
        """Events the bridge has no use for are acknowledged, so Slack does not retry."""
        await ack()


def _maybe_redelivered(request: AsyncBoltRequest) -> bool:
    """Whether Slack may have sent this event before: a retry over HTTP says so
    (``X-Slack-Retry-Num``); Socket Mode's envelope says it but Bolt does not pass it
    on, so there any event may be one."""
    return request.mode != "http" or bool(request.headers.get("x-slack-retry-num"))
