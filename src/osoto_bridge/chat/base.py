"""The small interface every chat platform adapter implements.

The relay and the command router see chats only through this module: an adapter turns
its platform's updates into `InboundMessage`/`InboundAction` values handed to an
`InboundSink`, and turns `OutboundMessage` values into platform messages, returning
their ids. Everything platform-specific (markup, flood limits, reply semantics) stays
behind it.

This is the port of the dependency order (docs/architecture.md): it imports only the
leaf rooms (text, store models), and says what an adapter may call back: the sink,
its `Linking` (the relay's `LinkService` implements it) and its `CommandCatalog` (the
commands implement it). Adapters import neither the relay nor the commands.

Errors an adapter raises from `send`:

    ChatError              (a BridgeError: see osoto_bridge.errors for the whole tree)
     ├── ChatGone          the chat no longer accepts the bot (blocked, kicked, archived)
     └── ChatUnavailable   a transient fault the adapter already retried; try later
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from osoto_bridge.errors import BridgeError
from osoto_bridge.store.models import Link
from osoto_bridge.text import Document

if TYPE_CHECKING:
    from osoto_bridge.osoto.key_inspection import KeyReport


class ChatError(BridgeError):
    """Base of the errors an adapter raises when it cannot deliver."""


class ChatGone(ChatError):
    """The chat refuses the bot for good: the link should be disabled, not retried."""

    kind: ClassVar[str] = "chat_gone"


class ChatUnavailable(ChatError):
    """A transient failure the adapter gave up retrying; the relay tries again later."""

    kind: ClassVar[str] = "chat_unavailable"


@dataclass(frozen=True)
class ChatAddress:
    """Where a message lives: a chat on a platform, and optionally a thread or topic."""

    platform: str
    chat_id: str
    thread_id: str | None = None


@dataclass(frozen=True)
class Capabilities:
    """What a platform can do, so the relay and the commands adapt their output.

    Attributes:
        max_length: the longest text one message may carry (visible characters).
        buttons: inline buttons are available for command replies.
        custom_username: a message can show the Osoto author as its sender, so no
            "Alice:" prefix is needed in the text (Slack's ``chat:write.customize``).
        threads: replies form threads rather than quoted replies.
        per_user_language: command answers follow the asker's own language (the
            platform knows each user's locale, as Slack does) before the chat's.
    """

    max_length: int
    buttons: bool = False
    custom_username: bool = False
    threads: bool = False
    per_user_language: bool = False


@dataclass(frozen=True)
class InboundMessage:
    """A message someone wrote in a chat, in platform-neutral form.

    Attributes:
        address: the chat (and topic/thread) it was written in.
        message_id: the platform's id of the message, unique within the chat.
        author_id: the platform's id of the author.
        author_name: the author's display name.
        document: the message text as a neutral rich-text document.
        reply_to_message_id: the platform id of the message it replies to, if any.
        reply_to_author: the author of that message, for the quote fallback.
        reply_to_text: the plain text of that message, for the quote fallback.
        edit_of: set when this is an edit: the platform id of the edited message.
        edit_marker: distinguishes successive edits of one message (e.g. edit date).
        is_private: written in a one-to-one chat with the bot.
        language_hint: the platform's language code for the author, if known.
        raw_text: the text as typed, used for command parsing and key detection.
        acting_for: the linked chat a private chat's command is for (a Slack DM with
            the app asking about a channel the author is in): the relay answers it with
            that chat's link, admin check and policy, in the private chat.
    """

    address: ChatAddress
    message_id: str
    author_id: str
    author_name: str
    document: Document
    raw_text: str
    reply_to_message_id: str | None = None
    reply_to_author: str | None = None
    reply_to_text: str | None = None
    edit_of: str | None = None
    edit_marker: str | None = None
    is_private: bool = False
    language_hint: str | None = None
    acting_for: ChatAddress | None = None


@dataclass(frozen=True)
class InboundAction:
    """A button someone pressed under one of the bot's messages.

    Attributes:
        message_id: the platform id of the message that carries the button.
        notify: shows a short line to the presser only (a Telegram toast, a Slack
            ephemeral message), where the adapter can; None where it cannot.
        acting_for: as `InboundMessage.acting_for`, for a button in a private chat.
    """

    address: ChatAddress
    user_id: str
    user_name: str
    action_id: str
    value: str
    message_id: str | None = None
    language_hint: str | None = None
    notify: Callable[[str], Awaitable[None]] | None = field(default=None, compare=False)
    acting_for: ChatAddress | None = None


EPHEMERAL = "ephemeral"
"""An `OutboundMessage.meta` key: "true" shows the message only to whoever asked,
where the platform can (a Slack slash command's answer)."""


COPY_OF = "copy_of"
"""An `OutboundMessage.meta` key: the Osoto message id the message is a copy of (the
relay sets it). An adapter whose platform shows the bot its own messages (Slack)
tags each post with it, so that a copy whose send response was lost is still
recognised when the platform echoes it (`InboundSink.copy_seen`)."""


@dataclass(frozen=True)
class SeenCopy:
    """A copy of an Osoto message the platform showed the bot (its own message's echo).

    Attributes:
        address: the chat (and thread) it is in.
        message_id: the platform id of the copy.
        osoto_message_id: the Osoto message it is a copy of (from its `COPY_OF` tag).
        part: which part of the message it is (0 for the first).
    """

    address: ChatAddress
    message_id: str
    osoto_message_id: str
    part: int = 0


@dataclass(frozen=True)
class OutboundMessage:
    """A message the bridge wants shown in a chat.

    Attributes:
        address: where to send it.
        document: the body; the adapter renders and splits it for its platform.
        reply_to: the platform id of the message this answers or continues.
        username: the sender name to show, where the platform allows it.
        silent: deliver without a notification where the platform supports it.
    """

    address: ChatAddress
    document: Document
    reply_to: str | None = None
    username: str | None = None
    silent: bool = False
    meta: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class LinkHealth:
    """How a link is doing, for an overview (Slack's Home tab): the ages in seconds of
    its last message each way (None: nothing yet) and the chat messages waiting to post."""

    since_to_chat: float | None
    since_to_osoto: float | None
    waiting: int


class Linking(Protocol):
    """The link flows an adapter runs itself (deep links, modals) call back through this.

    The relay's `LinkService` implements it. Each method raises `LinkError` (a
    one-line reason fit to show the admin) when the key cannot serve the link.
    """

    async def verify(
        self, api_key: str, *, trip_id: str | None = None, channel: str | None = None
    ) -> KeyReport:
        """Check what ``api_key`` can do for a trip channel, writing nothing."""
        ...

    async def link(
        self,
        address: ChatAddress,
        *,
        api_key: str,
        report: KeyReport,
        created_by: str | None = None,
        language: str = "en",
    ) -> Link:
        """Link ``address`` to the channel of ``report`` (replacing an older link)."""
        ...

    async def find(self, address: ChatAddress) -> Link | None:
        """The link of ``address``, if any."""
        ...

    async def on_platform(self, platform: str) -> list[Link]:
        """Every link of one platform (for an app's overview, e.g. Slack's Home tab)."""
        ...

    async def health(self, link: Link) -> LinkHealth:
        """How ``link`` is doing (its last messages each way, its waiting outbox)."""
        ...

    async def unlink(self, address: ChatAddress) -> bool:
        """Remove the link of ``address``; False when there was none."""
        ...


class CommandCatalog(Protocol):
    """What an adapter may ask about the bridge's commands (it parses none itself).

    Adapters hand command text to the sink like any message; they only need to know
    whether a word is a command (a Slack mention followed by text is a command or a
    message), what to answer to an unknown one, and what to list in a menu.
    """

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the answers speak, the default first."""
        ...

    def is_command(self, text: str) -> bool:
        """Whether ``text`` (with or without its leading slash) is a known command."""
        ...

    def unknown(self, language: str, typed: str) -> Document:
        """The answer to an unknown command ``typed`` (as the user wrote it)."""
        ...

    def menu(self, language: str) -> Mapping[str, str]:
        """Command name → one-line summary, in ``/help`` order."""
        ...


class InboundSink(Protocol):
    """What an adapter hands its inbound events to (the bridge implements it).

    ``links`` serves the adapters' own link flows (deep links, modals): verifying a
    key, linking and unlinking a chat. ``commands`` tells them what the commands are.
    """

    @property
    def links(self) -> Linking: ...

    @property
    def commands(self) -> CommandCatalog: ...

    def first_time(self, platform: str, event_id: str) -> Awaitable[bool]:
        """Claim an inbound event id: True the first time only (platform retries dedupe).

        Claiming before handling suits events the platform never redelivers once
        acknowledged (Slack); where the platform redelivers until handled (Telegram),
        use `handled_before` and `mark_handled` around the handling instead, so a crash
        mid-way leads to a redelivery rather than a loss.
        """
        ...

    def batch(
        self, platform: str, event_ids: Collection[str] = ()
    ) -> AbstractAsyncContextManager[None]:
        """One batch of inbound events (a ``getUpdates`` page, a Slack event).

        The lines handed in (`on_message`) and the events marked (`mark_handled`)
        inside it are written together, in one transaction, when the block ends;
        acknowledge the batch to the platform only after it ended without error.
        ``event_ids``: the batch's events, so that `handled_before` inside it costs
        one read for all of them.
        """
        ...

    def room(self) -> Awaitable[None]:
        """Wait until the bridge may take more lines.

        An adapter that pulls its events (Telegram's ``getUpdates``) waits on it
        before each fetch, so a burst waits at the platform, not in this process's
        memory. Events the platform pushes (a webhook, Slack's) never wait on it:
        they must be answered in seconds.
        """
        ...

    def handled_before(self, platform: str, event_id: str) -> Awaitable[bool]:
        """Whether an inbound event was already handled to its end."""
        ...

    def mark_handled(self, platform: str, event_id: str) -> Awaitable[None]:
        """Record that an inbound event was handled to its end."""
        ...

    def migrate_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> Awaitable[None]:
        """A chat changed id (Telegram group → supergroup): its links follow."""
        ...

    def on_message(self, message: InboundMessage) -> Awaitable[None]: ...

    def on_action(self, action: InboundAction) -> Awaitable[None]: ...

    def copy_seen(self, copy: SeenCopy) -> Awaitable[None]:
        """The platform showed a copy the bridge posted: its id joins the message map,
        so replies to it resolve even when the send's own answer was lost."""
        ...


@runtime_checkable
class MessageEditor(Protocol):
    """An adapter that can change one of the bot's messages in place.

    Kept apart from `ChatAdapter` so that an adapter without edits (the console)
    still is one: the caller asks ``isinstance(adapter, MessageEditor)``.
    """

    async def edit(self, address: ChatAddress, message_id: str, message: OutboundMessage) -> bool:
        """Replace the text and buttons of the bot's message ``message_id`` with
        ``message`` (one part: the caller sends a new message if this returns False)."""


@runtime_checkable
class IntakeControl(Protocol):
    """An adapter whose intake can stop before its sends do (a graceful stop's first step).

    `Bridge.stop` stops every adapter's intake first (no update polled, no event
    accepted: the platform keeps them for the next start), then lets the workers
    finish their in-flight sends, and only then calls `ChatAdapter.stop`.
    """

    async def stop_intake(self) -> None:
        """Stop taking events in (the one being handled finishes); sends keep working."""


class SharedChatPace(Protocol):
    """Where PostgreSQL replicas share each chat's pace (the relay's `StoreChatPace`).

    A chat's limits (Telegram about 1 a second and 20 a minute in a group, Slack 1
    a second per channel) count every message into it, whichever replica sends
    it: a command's answer goes out from the replica that got the command, the
    chat's lines from its channel's holder. The adapters' per-chat pacers take
    each send from this record before their own buckets. One process needs none
    (its pacers see every send) and is given None.
    """

    async def take(self, chat: str, *, rates: Sequence[tuple[float, float]]) -> float:
        """Take one send into ``chat`` from each of its buckets, (per second,
        burst) each, if each has a token: 0; else the seconds until they will
        (nothing taken). A record out of reach answers 0 (the pacer's own buckets
        still pace what this process sends)."""


@runtime_checkable
class ChatAdapter(Protocol):
    """One chat platform, as the relay sees it."""

    @property
    def platform(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def bot_username(self) -> str | None:
        """The bot's own user name on the platform (``@name`` mentions), once known."""

    async def start(self, sink: InboundSink) -> None:
        """Connect and begin handing inbound events to ``sink``."""

    async def stop(self) -> None:
        """Stop receiving (if `IntakeControl.stop_intake` did not already), finish
        in-flight sends, disconnect."""

    async def send(self, message: OutboundMessage) -> list[str]:
        """Deliver one message (split as needed) and return the ids of its parts."""

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        """Delete a message if the bot may; return whether it was deleted."""

    async def is_admin(self, address: ChatAddress, user_id: str) -> bool:
        """Whether ``user_id`` administers the chat (may link and unlink)."""
