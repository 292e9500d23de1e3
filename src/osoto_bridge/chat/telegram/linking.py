"""Linking a Telegram group (or forum topic) to an Osoto trip channel, keys kept private.

1. An admin sends ``/link`` in the group (or in a topic, to bind that topic). The bot
   checks the sender is an admin (``getChatMember``) and answers with a deep link
   ``https://t.me/<bot>?start=link_<token>``; the token stands for the group and topic,
   lives in memory only and expires after a few minutes.
2. In the private chat the admin pastes the key. The bot deletes that message at
   once, verifies the key (`LinkService.verify`, as ``links add`` does) and offers
   the trip's channels as buttons.
3. On a choice the chat is linked (`LinkService.link`) and the group is told, without
   the key. The key was held in memory only between steps 2 and 3.

``/unlink`` (admins) removes the link. A non-admin gets a polite refusal; an admin
whose bot cannot read the group (privacy mode) is told how to fix that.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from osoto_bridge.chat.base import ChatAddress, ChatError, InboundSink, OutboundMessage
from osoto_bridge.chat.telegram import link_texts as texts
from osoto_bridge.chat.telegram.callbacks import link_data
from osoto_bridge.chat.telegram.inbound import address_of, author_of
from osoto_bridge.chat.telegram.sending import TelegramSender
from osoto_bridge.i18n import default_language
from osoto_bridge.osoto.key_detection import redact_api_keys
from osoto_bridge.osoto.key_inspection import KeyReport, LinkError
from osoto_bridge.text import Document, render_plain

logger = logging.getLogger(__name__)

START_PREFIX = "link_"
TOKEN_TTL = 15 * 60.0
_KEY = re.compile(r"\bosk_[A-Za-z0-9_\-]{16,}")
_CANCEL = "x"

IsAdmin = Callable[[ChatAddress, str], Awaitable[bool]]


@dataclass
class PendingLink:
    """A linking session between ``/link`` in a group and the channel choice.

    Attributes:
        group: the group (and topic) to link.
        group_title: its title, for the private chat.
        admin_id: the admin who asked; only they may continue.
        admin_name: their name, for the confirmation in the group.
        language: the chat language to store with the link.
        expires_at: when the session ends (clock seconds).
        api_key: the pasted key, held between verification and the choice only.
        report: what the key can do.
    """

    group: ChatAddress
    group_title: str
    admin_id: str
    admin_name: str
    language: str
    expires_at: float
    api_key: str | None = None
    report: KeyReport | None = None


class LinkFlow:
    """The ``/link`` and ``/unlink`` conversations.

    Args:
        bot: the bot (to delete key messages and edit the channel picker).
        sender: sends the flow's messages.
        is_admin: whether a user administers a chat.
        bot_username: the bot's username, for deep links.
        can_read_groups: False when privacy mode hides group messages from the bot.
        clock: seconds, for token expiry.
        ttl: how long a linking session lasts.
    """

    def __init__(
        self,
        *,
        bot: Bot,
        sender: TelegramSender,
        is_admin: IsAdmin,
        bot_username: str,
        can_read_groups: bool,
        clock: Callable[[], float] = time.monotonic,
        ttl: float = TOKEN_TTL,
    ) -> None:
        self._bot = bot
        self._sender = sender
        self._is_admin = is_admin
        self._bot_username = bot_username
        self._can_read_groups = can_read_groups
        self._clock = clock
        self._ttl = ttl
        self._pending: dict[str, PendingLink] = {}
        self._awaiting: dict[str, str] = {}  # private user id → token

    # -- in the group -----------------------------------------------------------------

    async def on_link(self, message: Message, sink: InboundSink) -> None:
        """``/link`` in a group or topic."""
        address = address_of(message)
        admin_id, admin_name = await self._admin_or_refuse(message)
        if admin_id is None:
            return
        self._expire()
        token = secrets.token_urlsafe(16)
        user = message.from_user
        self._pending[token] = PendingLink(
            group=address,
            group_title=_title(message, address),
            admin_id=admin_id,
            admin_name=admin_name,
            language=default_language(user.language_code if user else None),
            expires_at=self._clock() + self._ttl,
        )
        current = await sink.links.find(address)
        described = f"{current.trip_title} (#{current.channel_name})" if current else None
        deep_link = f"https://t.me/{self._bot_username}?start={START_PREFIX}{token}"
        privacy_fix = not self._can_read_groups and not await self._bot_is_admin(address)
        await self._say(
            address,
            texts.open_private_chat(
                admin_name,
                deep_link,
                current=described,
                privacy_fix=privacy_fix,
                minutes=int(self._ttl // 60),
            ),
            reply_to=message.message_id,
        )

    async def on_unlink(self, message: Message, sink: InboundSink) -> None:
        """``/unlink`` in a group or topic."""
        address = address_of(message)
        admin_id, _ = await self._admin_or_refuse(message)
        if admin_id is None:
            return
        current = await sink.links.find(address)
        if current is None or not await sink.links.unlink(address):
            await self._say(address, texts.not_linked(), reply_to=message.message_id)
            return
        logger.info("Telegram chat %s unlinked by %s", address.chat_id, admin_id)
        await self._say(
            address,
            texts.unlinked(current.trip_title, current.channel_name),
            reply_to=message.message_id,
        )

    async def _admin_or_refuse(self, message: Message) -> tuple[str | None, str]:
        address = address_of(message)
        if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
            # an anonymous admin: an admin for sure, but one we cannot talk to privately
            await self._say(address, texts.anonymous_admin(), reply_to=message.message_id)
            return None, ""
        user_id, name = author_of(message)
        if message.from_user is None or not await self._is_admin(address, user_id):
            await self._say(address, texts.not_admin(name), reply_to=message.message_id)
            return None, name
        return user_id, name

    async def _bot_is_admin(self, address: ChatAddress) -> bool:
        return await self._is_admin(address, str(self._bot.id))

    # -- in the private chat ----------------------------------------------------------------

    async def on_start(self, message: Message, payload: str) -> None:
        """``/start`` in the private chat, usually from the deep link."""
        address = address_of(message)
        user_id = author_of(message)[0]
        if not payload.startswith(START_PREFIX):
            await self._say(address, texts.private_intro())
            return
        pending = self._live(payload.removeprefix(START_PREFIX))
        if pending is None:
            await self._say(address, texts.expired())
            return
        if pending.admin_id != user_id:
            await self._say(address, texts.wrong_admin())
            return
        self._awaiting[user_id] = payload.removeprefix(START_PREFIX)
        await self._say(address, texts.ask_for_key(pending.group_title))

    async def on_private_text(self, message: Message, sink: InboundSink) -> None:
        """Any other message in the private chat: the pasted key, or a nudge."""
        address = address_of(message)
        user_id = author_of(message)[0]
        raw = message.text or message.caption or ""
        key = _KEY.search(raw)
        token = self._awaiting.get(user_id)
        pending = self._live(token) if token is not None else None
        if key is None:
            await self._say(address, texts.paste_key_hint() if pending else texts.private_intro())
            return
        # The key is in a chat history now: remove it before anything else.
        await self._sender.delete(address, str(message.message_id))
        if pending is None or token is None:
            await self._say(address, texts.key_deleted_no_flow())
            return
        rest = (raw[: key.start()] + " " + raw[key.end() :]).split()
        trip_id = rest[0] if rest else None
        try:
            report = await sink.links.verify(key.group(0), trip_id=trip_id)
        except LinkError as exc:
            logger.info("a key pasted to link Telegram chat %s was refused", pending.group.chat_id)
            await self._say(address, texts.key_refused(redact_api_keys(str(exc))))
            return
        pending.api_key, pending.report = key.group(0), report
        buttons = [
            [InlineKeyboardButton(f"#{channel.name}", callback_data=link_data(token, str(index)))]
            for index, channel in enumerate(report.channels)
        ]
        buttons.append([InlineKeyboardButton("Cancel", callback_data=link_data(token, _CANCEL))])
        await self._say(
            address,
            texts.choose_channel(
                report.trip_title, report.user_name, pending.group_title, report.warnings
            ),
            keyboard=InlineKeyboardMarkup(buttons),
        )

    async def on_choice(
        self, query: CallbackQuery, token: str, choice: str, sink: InboundSink
    ) -> str:
        """A channel button in the private chat; returns the toast to show."""
        user_id = str(query.from_user.id)
        pending = self._live(token)
        if pending is None or pending.api_key is None or pending.report is None:
            await self._edit(query, texts.expired())
            return "Expired"
        if pending.admin_id != user_id:
            return "This is another admin's session"
        if choice == _CANCEL:
            self._forget(token)
            await self._edit(query, texts.cancelled())
            return "Cancelled"
        report = pending.report
        try:
            channel = report.channels[int(choice)]
        except (ValueError, IndexError):
            return "Unknown channel"
        try:
            if channel.id != report.channel.id:
                report = await sink.links.verify(
                    pending.api_key, trip_id=report.trip_id, channel=channel.id
                )
            link = await sink.links.link(
                pending.group,
                api_key=pending.api_key,
                report=report,
                created_by=user_id,
                language=pending.language,
            )
        except LinkError as exc:
            await self._edit(query, texts.key_refused(redact_api_keys(str(exc))))
            return "Not linked"
        self._forget(token)
        logger.info(
            "Telegram chat %s (topic %s) linked to trip %s channel %s by %s",
            link.chat_id,
            link.thread_id,
            link.trip_id,
            link.channel_id,
            user_id,
        )
        await self._edit(
            query, texts.linked_private(pending.group_title, link.trip_title, link.channel_name)
        )
        await self._say(
            pending.group,
            texts.linked_group(
                link.trip_title, link.channel_name, pending.admin_name, report.warnings
            ),
        )
        return "Linked"

    # -- sessions -----------------------------------------------------------------------

    def _live(self, token: str) -> PendingLink | None:
        pending = self._pending.get(token)
        if pending is None:
            return None
        if pending.expires_at <= self._clock():
            self._forget(token)
            return None
        return pending

    def _forget(self, token: str) -> None:
        pending = self._pending.pop(token, None)
        if pending is not None:
            self._awaiting.pop(pending.admin_id, None)

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, p in self._pending.items() if p.expires_at <= now]:
            self._forget(token)

    # -- talking ---------------------------------------------------------------------------

    async def _say(
        self,
        address: ChatAddress,
        document: Document,
        *,
        reply_to: int | None = None,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        outbound = OutboundMessage(
            address, document, reply_to=str(reply_to) if reply_to is not None else None
        )
        try:
            await self._sender.send(outbound, keyboard=keyboard)
        except ChatError as exc:
            logger.warning("could not answer in Telegram chat %s: %s", address.chat_id, exc)

    async def _edit(self, query: CallbackQuery, document: Document) -> None:
        message = query.message
        if message is None:
            return
        try:
            await self._bot.edit_message_text(
                render_plain(document), chat_id=message.chat.id, message_id=message.message_id
            )
        except TelegramError as exc:
            logger.warning("could not update the link picker: %s", exc)


def _title(message: Message, address: ChatAddress) -> str:
    title = message.chat.title or "this chat"
    if address.thread_id is None:
        return title
    parent = message.reply_to_message
    opened = parent.forum_topic_created if parent is not None else None
    return f"{title} › {opened.name}" if opened is not None else f"{title} (a topic)"
