"""An in-memory chat platform: the adapter the relay's tests and benchmarks drive.

It is a complete adapter (it keeps every message sent to it, with its reply target,
and can play a person writing in a chat), not a mock of the relay: the relay under
test runs unchanged against it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from osoto_bridge.chat.base import (
    Capabilities,
    ChatAddress,
    ChatError,
    ChatGone,
    ChatUnavailable,
    InboundAction,
    InboundMessage,
    InboundSink,
    OutboundMessage,
)
from osoto_bridge.text import Document, from_osoto, render_plain, split_document


@dataclass(frozen=True)
class SentMessage:
    """One message the bridge delivered to the recording chat."""

    message_id: str
    address: ChatAddress
    text: str
    reply_to: str | None
    username: str | None
    document: Document


class RecordingChat:
    """A chat platform held in memory.

    Args:
        platform: the platform name this adapter answers to (e.g. "telegram" in a test
            that stands in for Telegram's relay semantics, or "recording").
        capabilities: what the simulated platform can do.
        admins: user ids that count as chat admins, per chat id.
    """

    def __init__(
        self,
        platform: str = "recording",
        *,
        capabilities: Capabilities | None = None,
        admins: dict[str, set[str]] | None = None,
    ) -> None:
        self._platform = platform
        self._capabilities = capabilities or Capabilities(max_length=4000, buttons=True)
        self._admins = admins or {}
        self._sink: InboundSink | None = None
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self.sent: list[SentMessage] = []
        self.deleted: list[tuple[ChatAddress, str]] = []
        self.gone_chats: set[str] = set()
        self.failures_to_inject = 0
        self.refused_words: set[str] = set()

    @property
    def platform(self) -> str:
        return self._platform

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def bot_username(self) -> str | None:
        return None  # no bot account: commands are never addressed by name

    async def start(self, sink: InboundSink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        self._sink = None

    async def send(self, message: OutboundMessage) -> list[str]:
        if message.address.chat_id in self.gone_chats:
            raise ChatGone(f"chat {message.address.chat_id} removed the bot")
        if self.failures_to_inject > 0:
            self.failures_to_inject -= 1
            raise ChatUnavailable("injected failure")
        plain = render_plain(message.document)
        if any(word in plain for word in self.refused_words):
            raise ChatError("the platform refuses this message")
        limit = self._capabilities.max_length
        parts = split_document(message.document, lambda part: len(render_plain(part)) <= limit)
        ids: list[str] = []
        async with self._changed:
            for index, part in enumerate(parts):
                message_id = f"{self._platform[0]}{next(self._ids)}"
                self.sent.append(
                    SentMessage(
                        message_id=message_id,
                        address=message.address,
                        text=render_plain(part),
                        reply_to=message.reply_to if index == 0 else None,
                        username=message.username,
                        document=part,
                    )
                )
                ids.append(message_id)
            self._changed.notify_all()
        return ids

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        self.deleted.append((address, message_id))
        return True

    async def is_admin(self, address: ChatAddress, user_id: str) -> bool:
        return user_id in self._admins.get(address.chat_id, set())

    # -- playing the people in the chat ------------------------------------------

    def new_message_id(self) -> str:
        return f"u{next(self._ids)}"

    async def write(
        self,
        chat_id: str,
        text: str,
        *,
        author: str = "Alice",
        author_id: str | None = None,
        thread_id: str | None = None,
        reply_to: str | None = None,
        message_id: str | None = None,
        edit_of: str | None = None,
        is_private: bool = False,
        language_hint: str | None = None,
    ) -> str:
        """Play a person writing ``text`` in a chat; return the message id used."""
        if self._sink is None:
            raise RuntimeError("the recording chat is not started")
        message_id = message_id or self.new_message_id()
        replied = next((m for m in self.sent if m.message_id == reply_to), None)
        await self._sink.on_message(
            InboundMessage(
                address=ChatAddress(self._platform, chat_id, thread_id),
                message_id=message_id,
                author_id=author_id or author.lower(),
                author_name=author,
                document=from_osoto(text),
                raw_text=text,
                reply_to_message_id=reply_to,
                reply_to_author=replied.username if replied else None,
                reply_to_text=replied.text if replied else None,
                edit_of=edit_of,
                edit_marker=message_id if edit_of else None,
                is_private=is_private,
                language_hint=language_hint,
            )
        )
        return message_id

    async def press(
        self, chat_id: str, action_id: str, value: str, *, user_id: str = "alice"
    ) -> None:
        """Play a person pressing a button under one of the bot's messages."""
        if self._sink is None:
            raise RuntimeError("the recording chat is not started")
        await self._sink.on_action(
            InboundAction(
                address=ChatAddress(self._platform, chat_id),
                user_id=user_id,
                user_name=user_id,
                action_id=action_id,
                value=value,
            )
        )

    def messages_in(self, chat_id: str) -> list[SentMessage]:
        return [m for m in self.sent if m.address.chat_id == chat_id]

    async def wait_for(
        self, predicate: Callable[[list[SentMessage]], bool], *, within: float = 10.0
    ) -> None:
        """Wait until ``predicate(self.sent)`` holds (woken by each send, no polling)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: predicate(self.sent))
