"""What the adapter does with each kind of request Slack sends (bolt's listeners).

Handlers stay thin: read the payload (``inbound``, ``slash``), ask a service (the
relay's sink, the link flow), answer. Two rules decide *when* work happens:

- A relayed message is handed to the relay before Slack gets its answer: the relay
  writes it to its outbox with the event's "handled" mark, in one transaction
  (`InboundSink.batch`, shared by the events arriving meanwhile), so once Slack has
  a 200 the message cannot be lost. A redelivery (``X-Slack-Retry-Num``) of a
  handled event is skipped; one of an event whose write failed (an error answers
  500) is handled again, and the outbox's idempotency keys keep even a redelivery
  that races its first delivery from posting twice.
- A command, a button press or a form step is acknowledged at once and run on the
  adapter's job queue. These may be slow (a trip snapshot, a key check), and are
  not idempotent, so their event is first claimed in the store
  (``InboundSink.first_time``): a redelivery is acknowledged and dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from osoto_bridge.chat.base import (
    ChatAddress,
    ChatError,
    InboundAction,
    InboundMessage,
    InboundSink,
    OutboundMessage,
)
from osoto_bridge.chat.slack.copies import read_seen_copy
from osoto_bridge.chat.slack.direct import CHOICE_ACTION, DIRECT_PREFIX, DirectMessages
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
from osoto_bridge.chat.slack.linkflow import LinkFlow
from osoto_bridge.chat.slack.memory import RecentSlackMessages
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

__all__ = ["BotIdentity", "SlackHandlers"]

logger = logging.getLogger(__name__)

LINK_WORDS = frozenset({"link", "unlink"})


class Ack(Protocol):
    """bolt's ``ack``: answers Slack's request (an ephemeral text, a modal action …)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Awaitable[Any]: ...


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in its workspace (from ``auth.test``)."""

    user_id: str
    bot_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


async def _tell(ack: Ack, text: str) -> None:
    """Answer a slash command with a line only its asker sees."""
    await ack(text=render_slack_mrkdwn(doc(text)), response_type="ephemeral")


class SlackHandlers:
    """The adapter's answers to events, slash commands, button presses and forms.

    Args:
        sink: The relay.
        users: The user directory.
        memory: Recent messages (thread roots, quotes).
        jobs: Where slow work runs after the acknowledgement.
        link_flow: The link modal.
        replies: Response URLs of slash commands awaiting the relay's answer.
        identity: The bot's own ids.
        send: Posts a message (the adapter's `send`).
        direct: Trip commands in DMs; without it a DM is answered with what the app does.
    """

    def __init__(
        self,
        *,
        sink: InboundSink,
        users: UserDirectory,
        memory: RecentSlackMessages,
        jobs: JobQueue,
        link_flow: LinkFlow,
        replies: SlashReplies,
        identity: BotIdentity,
        send: Callable[[OutboundMessage], Awaitable[list[str]]],
        whisper: Callable[[ChatAddress, str, str], Awaitable[None]] | None = None,
        publish_home: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
        direct: DirectMessages | None = None,
    ) -> None:
        self._sink = sink
        self._users = users
        self._memory = memory
        self._jobs = jobs
        self._link_flow = link_flow
        self._replies = replies
        self._identity = identity
        self._send = send
        self._whisper = whisper
        self._publish_home = publish_home
        self._direct = direct

    # -- messages ---------------------------------------------------------------------

    async def message_event(self, event: dict[str, Any], body: dict[str, Any]) -> None:
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
        # arrive meanwhile), committed before Slack gets its 200.
        async with self._sink.batch(PLATFORM, [event_id]):
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
        self._jobs.submit("dm command", lambda: self._direct_command(direct, command))

    async def _direct_command(self, direct: DirectMessages, command: InboundMessage) -> None:
        shown = await direct.command(command)
        if shown is not None:
            await self._send(OutboundMessage(command.address, shown, reply_to=command.message_id))

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

    # -- the slash command ------------------------------------------------------------

    async def slash_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """``/osoto …``: link and unlink here, everything else through the relay."""
        slash = SlashCommand.from_payload(command)
        address = ChatAddress(PLATFORM, slash.channel_id)
        user = await self._users.get(slash.user_id)
        if contains_api_key(slash.text):
            await _tell(ack, say(language_of(user.locale), "key_in_command"))
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
            await _tell(ack, say(language, "not_linked"))
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
            self._jobs.submit("dm command", lambda: self._direct_command(direct, message))
            return
        self._jobs.submit("slash command", lambda: self._sink.on_message(message))

    async def _open_link_form(
        self, ack: Ack, slash: SlashCommand, language: str, link_language: str | None
    ) -> None:
        if slash.in_direct_message:
            await _tell(ack, say(language, "link_in_channel"))
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
            await _tell(ack, refusal)
        else:
            await ack()

    async def _unlink(self, ack: Ack, slash: SlashCommand, language: str, *, linked: bool) -> None:
        user = await self._users.get(slash.user_id, fresh=True)
        if not user.is_admin:
            await _tell(ack, say(language, "admins_only"))
            return
        address = ChatAddress(PLATFORM, slash.channel_id)
        if not linked or not await self._sink.links.unlink(address):
            await _tell(ack, say(language, "nothing_to_unlink"))
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
        action = _mapping(actions[0])
        user_id = str(_mapping(body.get("user")).get("id") or "")
        container = _mapping(body.get("container"))
        channel = str(_mapping(body.get("channel")).get("id") or container.get("channel_id") or "")
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

    async def other_event(self, ack: Ack) -> None:
        """Events the bridge has no use for are acknowledged, so Slack does not retry."""
        await ack()
