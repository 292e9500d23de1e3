"""What the Telegram adapter does with each update, in one handler.

Every update passes `UpdateRouter.handle`, in this order:

1. dedupe: an update id seen before (Telegram redelivering) is dropped;
2. chat migration (group → supergroup) moves the chat's links;
3. the bot being removed or added back (``my_chat_member``);
4. button presses: the link flow's own, or command buttons for the commands;
5. private chats: the link flow (``/start link_…``, the pasted key);
6. group messages: ``/link`` and ``/unlink`` go to the link flow, everything else
   (key guard, commands, relay) to the sink.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, ChatMemberUpdated, Message, Update
from telegram.error import TelegramError

from osoto_bridge.chat.base import ChatAddress, InboundAction, InboundSink, OutboundMessage
from osoto_bridge.chat.telegram import link_texts as texts
from osoto_bridge.chat.telegram.callbacks import CallbackCodec, parse_link_data
from osoto_bridge.chat.telegram.inbound import PLATFORM, address_of, display_name, to_inbound
from osoto_bridge.chat.telegram.linking import LinkFlow
from osoto_bridge.chat.telegram.sending import TelegramSender
from osoto_bridge.osoto.key_detection import contains_api_key

__all__ = ["ABSENT_STATUSES", "UpdateRouter"]

logger = logging.getLogger("osoto_bridge.chat.telegram.adapter")

ABSENT_STATUSES = frozenset({"kicked", "left"})


class UpdateRouter:
    """Routes each update of a started adapter to the sink or the link flow.

    Args:
        sink: The relay.
        flow: The link flow (private chats, ``/link``, its buttons).
        codec: Decodes command buttons' callback data.
        sender: Sends the adapter's own notices.
        bot_username: The bot's username, for ``/cmd@bot``.
        on_migrate: A group became a supergroup (old chat id, new chat id).
        forget_admins: The bot's membership in a chat changed: who administers it
            is read afresh.
    """

    def __init__(
        self,
        *,
        sink: InboundSink,
        flow: LinkFlow,
        codec: CallbackCodec,
        sender: TelegramSender,
        bot_username: str | None,
        on_migrate: Callable[[str, str], Awaitable[None]],
        forget_admins: Callable[[str], None],
    ) -> None:
        self._sink = sink
        self._flow = flow
        self._codec = codec
        self._sender = sender
        self._bot_username = bot_username
        self._on_migrate = on_migrate
        self._forget_admins = forget_admins

    async def handle(self, update: Update) -> None:
        """Route one update (the adapter's only handler), marking it handled after."""
        sink, flow = self._sink, self._flow
        update_id = str(update.update_id)
        if await sink.handled_before(PLATFORM, update_id):
            logger.debug("Telegram update %s handled before; skipped", update_id)
            return
        # Marked only once handled (an error counts: a poison update must not come back
        # forever); a crash part-way leaves it unmarked, so its redelivery is handled
        # again, and the outbox's idempotency keys keep that from doubling anything.
        try:
            if update.my_chat_member is not None:
                await self._on_membership(update.my_chat_member, sink)
            elif update.callback_query is not None:
                await self._on_button(update.callback_query, sink, flow)
            elif update.message is not None:
                await self._on_message(update.message, sink, flow, edited=False)
            elif update.edited_message is not None:
                await self._on_message(update.edited_message, sink, flow, edited=True)
        except Exception:
            await sink.mark_handled(PLATFORM, update_id)
            raise
        await sink.mark_handled(PLATFORM, update_id)

    async def _on_message(
        self, message: Message, sink: InboundSink, flow: LinkFlow, *, edited: bool
    ) -> None:
        chat = message.chat
        if message.migrate_to_chat_id is not None:
            await self._on_migrate(str(chat.id), str(message.migrate_to_chat_id))
            return
        if chat.type == "private":
            if not edited:
                await self._on_private(message, flow, sink)
            return
        if chat.type not in ("group", "supergroup"):
            return
        inbound = to_inbound(message, edited=edited)
        if inbound is None:
            return  # a service message: joins, topic events, pins …
        if not contains_api_key(inbound.raw_text):
            if self._for_another_bot(message):
                return  # "/poll@OtherBot" is talk to that bot, not to the trip
            command, _ = self._own_command(message)
            if command in ("link", "unlink"):
                if not edited:  # an edited /link is no new request
                    await (flow.on_link if command == "link" else flow.on_unlink)(message, sink)
                return
        await sink.on_message(inbound)

    async def _on_private(self, message: Message, flow: LinkFlow, sink: InboundSink) -> None:
        command, args = self._own_command(message)
        if command in ("start", "help"):
            # /help in private explains the bot and linking (as /start does); a deep
            # link's payload only ever comes with /start
            await flow.on_start(message, args if command == "start" else "")
        else:
            await flow.on_private_text(message, sink)

    def _own_command(self, message: Message) -> tuple[str | None, str]:
        """``(name, args)`` of a bot command addressed to this bot, else ``(None, "")``."""
        text = message.text or ""
        entity = next(iter(message.entities), None)
        if entity is None or entity.type != "bot_command" or entity.offset != 0:
            return None, ""
        head = text[: entity.length]
        name, _, bot = head[1:].partition("@")
        if bot and self._bot_username and bot.casefold() != self._bot_username.casefold():
            return None, ""
        return name.casefold(), text[entity.length :].strip()

    def _for_another_bot(self, message: Message) -> bool:
        entity = next(iter(message.entities), None)
        if entity is None or entity.type != "bot_command" or entity.offset != 0:
            return False
        _, _, bot = (message.text or "")[1 : entity.length].partition("@")
        return bool(bot) and bot.casefold() != (self._bot_username or "").casefold()

    async def _on_button(self, query: CallbackQuery, sink: InboundSink, flow: LinkFlow) -> None:
        data = query.data or ""
        link_choice = parse_link_data(data)
        if link_choice is not None:
            toast = await flow.on_choice(query, *link_choice, sink)
            await self._answer(query, toast)
            return
        action = self._codec.decode(data)
        message = query.message
        if action is None or not isinstance(message, Message):
            await self._answer(query, "This button no longer works. Try the command again.")
            return
        user = query.from_user
        answered = False

        async def notify(text: str) -> None:
            nonlocal answered
            if not answered:
                answered = True
                await self._answer(query, text)

        try:
            await sink.on_action(
                InboundAction(
                    address=address_of(message),
                    user_id=str(user.id),
                    user_name=display_name(user),
                    action_id=action.action_id,
                    value=action.value,
                    message_id=str(message.message_id),
                    language_hint=user.language_code,
                    notify=notify,
                )
            )
        finally:
            # Telegram shows a spinner on the button until the query is answered:
            # answered once, with the toast if the sink gave one.
            if not answered:
                await self._answer(query, None)

    async def _answer(self, query: CallbackQuery, text: str | None) -> None:
        try:
            await query.answer(text)
        except TelegramError as exc:
            # an old query can no longer be answered; the press itself still counts
            logger.info("answerCallbackQuery failed: %s", exc)

    async def _on_membership(self, change: ChatMemberUpdated, sink: InboundSink) -> None:
        chat = change.chat
        old, new = change.old_chat_member.status, change.new_chat_member.status
        address = ChatAddress(PLATFORM, str(chat.id))
        self._forget_admins(address.chat_id)
        if new in ABSENT_STATUSES:
            logger.info("the bot was removed from Telegram chat %s", chat.id)
            return
        if old not in ABSENT_STATUSES or chat.type == "private":
            return
        link = await sink.links.find(address)
        if link is not None and not link.enabled:
            await self._sender.send(
                OutboundMessage(address, texts.paused_link_back(link.trip_title, link.channel_name))
            )
