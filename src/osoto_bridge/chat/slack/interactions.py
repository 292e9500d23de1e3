"""The interaction listeners: the ``/osoto`` slash command, button presses, the link form.

Each is acknowledged at once and its work claimed once and run on the job queue
(see `handlers` for when work happens).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from osoto_bridge.chat.base import (
    ChatAddress,
    ChatError,
    InboundAction,
    InboundMessage,
    InboundSink,
    OutboundMessage,
)
from osoto_bridge.chat.slack.direct import CHOICE_ACTION, DirectMessages
from osoto_bridge.chat.slack.handlers import Ack, Send, answer_direct, mapping, tell
from osoto_bridge.chat.slack.inbound import PLATFORM
from osoto_bridge.chat.slack.jobs import JobQueue
from osoto_bridge.chat.slack.linkflow import LinkFlow
from osoto_bridge.chat.slack.outbound import action_name
from osoto_bridge.chat.slack.slash import (
    PRESSED_PREFIX,
    SlashCommand,
    SlashReplies,
    split_subcommand,
)
from osoto_bridge.chat.slack.texts import language_of, say
from osoto_bridge.chat.slack.users import UserDirectory
from osoto_bridge.osoto.key_detection import contains_api_key
from osoto_bridge.text import doc, render_slack_mrkdwn

__all__ = ["InteractionHandlers"]

logger = logging.getLogger("osoto_bridge.chat.slack.handlers")


class InteractionHandlers:
    """The adapter's answers to the slash command, button presses and the link form.

    Args:
        sink: The relay.
        users: The user directory.
        jobs: Where slow work runs after the acknowledgement.
        link_flow: The link modal.
        replies: Response URLs of slash commands awaiting the relay's answer.
        send: Posts a message (the adapter's `send`).
        whisper: Shows a line to one user in a channel (the adapter's `whisper`).
        direct: Trip commands in DMs.
    """

    def __init__(
        self,
        *,
        sink: InboundSink,
        users: UserDirectory,
        jobs: JobQueue,
        link_flow: LinkFlow,
        replies: SlashReplies,
        send: Send,
        whisper: Callable[[ChatAddress, str, str], Awaitable[None]] | None = None,
        direct: DirectMessages | None = None,
    ) -> None:
        self._sink = sink
        self._users = users
        self._jobs = jobs
        self._link_flow = link_flow
        self._replies = replies
        self._send = send
        self._whisper = whisper
        self._direct = direct

    async def slash_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """``/osoto …``: link and unlink here, everything else through the relay."""
        slash = SlashCommand.from_payload(command)
        address = ChatAddress(PLATFORM, slash.channel_id)
        user = await self._users.get(slash.user_id)
        if contains_api_key(slash.text):
            await tell(ack, say(language_of(user.locale), "key_in_command"))
            return
        if not await self._sink.first_time(PLATFORM, slash.message_id):
            await ack()
            return
        link = await self._sink.links.find(address)
        language = language_of(user.locale, link.language if link else None)
        name, _ = split_subcommand(slash.text)
        if name == "link":
            await self._open_link_form(ack, slash, language, link.language if link else None)
            return
        if name == "unlink":
            await self._unlink(ack, slash, language, linked=link is not None)
            return
        if link is None and not (slash.in_direct_message and self._direct is not None):
            await tell(ack, say(language, "not_linked"))
            return
        if name and not self._sink.commands.is_command(slash.text):
            unknown = self._sink.commands.unknown(language, f"/osoto {name}")
            await ack(text=render_slack_mrkdwn(unknown), response_type="ephemeral")
            return
        raw_text = "/" + (slash.text.strip().lstrip("/／").strip() or "help")
        message = InboundMessage(
            address=address,
            message_id=self._replies.expect(slash),
            author_id=slash.user_id,
            author_name=user.name,
            document=doc(raw_text),
            raw_text=raw_text,
            is_private=slash.in_direct_message,
            language_hint=user.locale,
        )
        await ack()
        direct = self._direct
        if link is None and direct is not None:  # in a DM: for a channel the user is in
            self._jobs.submit("dm command", lambda: answer_direct(direct, message, self._send))
            return
        self._jobs.submit("slash command", lambda: self._sink.on_message(message))

    async def _open_link_form(
        self, ack: Ack, slash: SlashCommand, language: str, link_language: str | None
    ) -> None:
        if slash.in_direct_message:
            await tell(ack, say(language, "link_in_channel"))
            return
        try:
            refusal = await self._link_flow.open(
                channel_id=slash.channel_id,
                user_id=slash.user_id,
                trigger_id=slash.trigger_id,
                link_language=link_language,
            )
        except ChatError as exc:
            logger.warning("could not open the link form: %s", exc)
            refusal = say(language, "link_failed", reason=str(exc))
        if refusal is not None:
            await tell(ack, refusal)
        else:
            await ack()

    async def _unlink(self, ack: Ack, slash: SlashCommand, language: str, *, linked: bool) -> None:
        user = await self._users.get(slash.user_id, fresh=True)
        if not user.is_admin:
            await tell(ack, say(language, "admins_only"))
            return
        address = ChatAddress(PLATFORM, slash.channel_id)
        if not linked or not await self._sink.links.unlink(address):
            await tell(ack, say(language, "nothing_to_unlink"))
            return
        await ack()
        logger.info("slack channel %s unlinked by %s", slash.channel_id, slash.user_id)
        notice = say(language, "unlinked", name=user.name)
        self._jobs.submit(
            "unlink notice", lambda: self._send(OutboundMessage(address, doc(notice)))
        )

    # -- buttons and forms ------------------------------------------------------------

    async def block_action(self, ack: Ack, body: dict[str, Any]) -> None:
        """A press on one of the bot's message buttons, handed to the relay once."""
        await ack()
        if body.get("view"):
            return  # an element inside the link modal: the form's submit handles it
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return
        action = mapping(actions[0])
        user_id = str(mapping(body.get("user")).get("id") or "")
        container = mapping(body.get("container"))
        channel = str(mapping(body.get("channel")).get("id") or container.get("channel_id") or "")
        if not user_id or not channel:
            return
        claim = f"action:{action.get('action_ts')}:{user_id}:{action.get('action_id')}"
        if not await self._sink.first_time(PLATFORM, claim):
            return
        direct = self._direct
        if direct is not None and action_name(str(action.get("action_id") or "")) == CHOICE_ACTION:
            value = str(action.get("value") or "")
            self._jobs.submit("dm choice", lambda: direct.chosen(user_id, value))
            return
        user = await self._users.get(user_id)
        address = ChatAddress(PLATFORM, channel)
        whisper = self._whisper
        message_id = str(container.get("message_ts") or "") or None
        response_url = str(body.get("response_url") or "")
        if response_url:
            # An answer to a slash command lives behind its response URL: an ephemeral
            # one has no ts chat.update knows, so only the URL can redraw it in place.
            if container.get("is_ephemeral") or message_id is None:
                message_id = f"{PRESSED_PREFIX}{action.get('action_ts')}:{user_id}"
            self._replies.pressed(message_id, response_url)

        async def notify(text: str) -> None:
            if whisper is not None:
                await whisper(address, user_id, text)

        pressed = InboundAction(
            address=address,
            user_id=user_id,
            user_name=user.name,
            action_id=action_name(str(action.get("action_id") or "")),
            value=str(action.get("value") or ""),
            message_id=message_id,
            language_hint=user.locale,
            notify=notify if whisper is not None else None,
        )
        if direct is not None and channel.startswith("D"):
            pressed = direct.for_action(pressed)  # in a DM: for the channel it asked about
        self._jobs.submit("button", lambda: self._sink.on_action(pressed))

    async def key_form(self, ack: Ack, body: dict[str, Any]) -> None:
        """Step one of the link form was submitted."""
        await ack(**await self._link_flow.key_submitted(body))

    async def channel_form(self, ack: Ack, body: dict[str, Any]) -> None:
        """Step two of the link form was submitted."""
        await ack(**await self._link_flow.channel_submitted(body))
