"""Sending to Telegram, and the one place Telegram's errors become the bridge's.

telegram.error                          → osoto_bridge.chat.base
Forbidden (blocked, kicked)             → ChatGone
BadRequest "chat not found",
  "message thread not found" (topic gone) → ChatGone
ChatMigrated (group became supergroup)  → the link follows, the send is repeated
BadRequest "can't parse entities" …     → sent again as plain text
RetryAfter                              → waited out by `FloodControl` (not here)
TimedOut, NetworkError, 5xx             → retried with backoff, then ChatUnavailable
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError

from osoto_bridge.chat.base import ChatAddress, ChatGone, ChatUnavailable, OutboundMessage
from osoto_bridge.chat.telegram.callbacks import CallbackCodec
from osoto_bridge.chat.telegram.flood import Sleep
from osoto_bridge.chat.telegram.outbound import MessagePart, plan_parts

logger = logging.getLogger(__name__)

_GONE = ("chat not found", "message thread not found", "topic_deleted", "topic_closed")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

OnMigrate = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing send is tried again.

    Attributes:
        attempts: tries in all before giving up with `ChatUnavailable`.
        first_delay: the wait after the first failure, doubling after each.
        max_delay: the longest single wait.
    """

    attempts: int = 4
    first_delay: float = 1.0
    max_delay: float = 30.0


def _is_gone(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return any(marker in message for marker in _GONE)


class TelegramSender:
    """Delivers outbound messages through a python-telegram-bot ``Bot``.

    Args:
        bot: the bot (with its flood control).
        codec: encodes buttons into ``callback_data``.
        on_migrate: called with (old, new) chat id when a group became a supergroup.
        sleep: how to wait between retries (tests pass a fake).
        retry: the retry policy for network faults.
    """

    def __init__(
        self,
        bot: Bot,
        codec: CallbackCodec,
        *,
        on_migrate: OnMigrate,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._bot = bot
        self._codec = codec
        self._on_migrate = on_migrate
        self._sleep = sleep
        self._retry = retry or RetryPolicy()

    async def send(
        self, message: OutboundMessage, *, keyboard: InlineKeyboardMarkup | None = None
    ) -> list[str]:
        """Send every part of ``message``; return their message ids in order.

        Args:
            message: what to send.
            keyboard: an inline keyboard for the last part instead of the one made
                from the document's buttons (the link flow's own buttons).
        """
        ids: list[str] = []
        reply_to = _as_int(message.reply_to)
        chat_id = message.address.chat_id
        parts = plan_parts(message, self._codec)
        if keyboard is not None:
            parts[-1] = MessagePart(parts[-1].html, parts[-1].plain, keyboard)
        for part in parts:
            sent, chat_id = await self._send_part(
                chat_id,
                part,
                thread_id=_as_int(message.address.thread_id),
                reply_to=reply_to if not ids else None,
                silent=message.silent,
            )
            ids.append(str(sent.message_id))
        return ids

    async def _send_part(
        self,
        chat_id: str,
        part: MessagePart,
        *,
        thread_id: int | None,
        reply_to: int | None,
        silent: bool,
    ) -> tuple[Message, str]:
        plain = False
        while True:
            try:
                request = functools.partial(
                    self._bot.send_message,
                    chat_id=int(chat_id),
                    text=part.plain if plain else part.html,
                    parse_mode=None if plain else ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW,
                    message_thread_id=thread_id,
                    reply_parameters=(
                        ReplyParameters(reply_to, allow_sending_without_reply=True)
                        if reply_to is not None
                        else None
                    ),
                    reply_markup=part.keyboard,
                    disable_notification=silent,
                )
                sent = await self._with_retries(request, chat_id)
                return sent, chat_id
            except ChatMigrated as exc:
                new_id = str(exc.new_chat_id)
                logger.info("Telegram chat %s became supergroup %s", chat_id, new_id)
                await self._on_migrate(chat_id, new_id)
                chat_id = new_id
            except BadRequest as exc:
                if plain:
                    raise ChatUnavailable(f"Telegram refused the message: {exc.message}") from exc
                # The markup is ours; a refusal of it must not cost the message.
                logger.error("Telegram refused a message's HTML (%s); sending plain text", exc)
                plain = True

    async def _with_retries(self, call: Callable[[], Awaitable[Message]], chat_id: str) -> Message:
        delay = self._retry.first_delay
        for attempt in range(1, self._retry.attempts + 1):
            try:
                return await call()
            except Forbidden as exc:
                raise ChatGone(f"Telegram chat {chat_id} refuses the bot: {exc.message}") from exc
            except BadRequest as exc:
                if _is_gone(exc):
                    raise ChatGone(f"Telegram chat {chat_id}: {exc.message}") from exc
                raise
            except ChatMigrated:
                raise
            except NetworkError as exc:
                if attempt == self._retry.attempts:
                    raise ChatUnavailable(f"Telegram unreachable: {exc.message}") from exc
                logger.warning(
                    "sending to Telegram chat %s failed (%s); retry %d in %.1fs",
                    chat_id,
                    exc.message,
                    attempt,
                    delay,
                )
                await self._sleep(delay)
                delay = min(delay * 2, self._retry.max_delay)
            except TelegramError as exc:
                raise ChatUnavailable(f"Telegram failed: {exc.message}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def edit(self, address: ChatAddress, message_id: str, message: OutboundMessage) -> bool:
        """Replace a bot message's text and keyboard (``editMessageText``).

        False when the new content needs more than one message or Telegram refuses
        the edit (too old, gone): the caller then sends it anew.
        """
        target = _as_int(message_id)
        parts = plan_parts(message, self._codec)
        if target is None or len(parts) != 1:
            return False
        (part,) = parts
        try:
            await self._bot.edit_message_text(
                chat_id=int(address.chat_id),
                message_id=target,
                text=part.html,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=part.keyboard,
            )
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True  # two presses at once: the first already drew this
            logger.info("could not edit message %s in %s: %s", message_id, address.chat_id, exc)
            return False
        except Forbidden as exc:
            raise ChatGone(
                f"Telegram chat {address.chat_id} refuses the bot: {exc.message}"
            ) from exc
        except TelegramError as exc:
            raise ChatUnavailable(f"Telegram failed: {exc.message}") from exc
        return True

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        """Delete a message; False when Telegram does not let the bot (or it is gone)."""
        message = _as_int(message_id)
        if message is None:
            return False
        try:
            return await self._bot.delete_message(chat_id=int(address.chat_id), message_id=message)
        except (BadRequest, Forbidden) as exc:
            logger.info("could not delete message %s in %s: %s", message_id, address.chat_id, exc)
            return False
        except TelegramError as exc:
            raise ChatUnavailable(f"Telegram failed: {exc.message}") from exc


def _as_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
