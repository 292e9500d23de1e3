"""The console chat: the terminal as a one-room chat, for the demo and for trying out.

You are its only member and its admin. Each line you type is a message (``/where``
and the other commands work too); each message the bridge delivers is printed with a
number, and typing ``>N text`` replies to message N.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from collections.abc import AsyncIterator, Callable
from typing import TextIO

from osoto_bridge.chat.base import (
    Capabilities,
    ChatAddress,
    InboundMessage,
    InboundSink,
    OutboundMessage,
)
from osoto_bridge.text import from_osoto, render_plain

PLATFORM = "console"
CHAT_ID = "terminal"
_REPLY = re.compile(r"^>(\d+)\s+(.*)$", re.DOTALL)


class ConsoleChat:
    """A chat in the terminal.

    Args:
        lines: what the person types, one message per item.
        out: where delivered messages are printed.
        user_name: the name the person's messages are attributed to.
    """

    def __init__(
        self,
        lines: AsyncIterator[str],
        out: TextIO,
        *,
        user_name: str = "You",
        on_line_done: Callable[[], None] | None = None,
    ) -> None:
        self._lines = lines
        self._out = out
        self._user_name = user_name
        self._sink: InboundSink | None = None
        self._reader: asyncio.Task[None] | None = None
        self._out_ids = itertools.count(1)
        self._in_ids = itertools.count(1)
        self._texts: dict[str, tuple[str, str]] = {}
        self._on_line_done = on_line_done
        self.finished = asyncio.Event()

    @property
    def platform(self) -> str:
        return PLATFORM

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(max_length=4000)

    @property
    def bot_username(self) -> str | None:
        return None  # no bot account: commands are never addressed by name

    @property
    def address(self) -> ChatAddress:
        return ChatAddress(PLATFORM, CHAT_ID)

    async def start(self, sink: InboundSink) -> None:
        self._sink = sink
        self._reader = asyncio.create_task(self._read(sink), name="console-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None
        self._sink = None

    async def _read(self, sink: InboundSink) -> None:
        try:
            async for line in self._lines:
                text = line.rstrip("\n")
                if text.strip():
                    try:
                        await sink.on_message(self._inbound(text))
                    except Exception:
                        # already logged by the bridge; the terminal goes on
                        self._out.write("(that message could not be handled; see the log)\n")
                if self._on_line_done is not None:
                    self._on_line_done()
        finally:
            self.finished.set()

    def _inbound(self, text: str) -> InboundMessage:
        reply_to: str | None = None
        match = _REPLY.match(text)
        if match:
            reply_to, text = match.group(1), match.group(2)
        replied = self._texts.get(reply_to) if reply_to else None
        return InboundMessage(
            address=self.address,
            message_id=f"in{next(self._in_ids)}",
            author_id="console-user",
            author_name=self._user_name,
            document=from_osoto(text),
            raw_text=text,
            reply_to_message_id=reply_to,
            reply_to_author=replied[0] if replied else None,
            reply_to_text=replied[1] if replied else None,
        )

    async def send(self, message: OutboundMessage) -> list[str]:
        message_id = str(next(self._out_ids))
        text = render_plain(message.document)
        if message.username:
            text = f"{message.username}: {text}"
        self._texts[message_id] = (message.username or "", text)
        prefix = f"#{message_id}"
        if message.reply_to is not None:
            # your own lines carry no number on screen; the bridge's messages do
            target = "your message" if message.reply_to.startswith("in") else f"#{message.reply_to}"
            prefix += f" (↪ {target})"
        self._out.write(f"{prefix} {text}\n")
        self._out.flush()
        return [message_id]

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        return False

    async def is_admin(self, address: ChatAddress, user_id: str) -> bool:
        return True


async def stdin_lines() -> AsyncIterator[str]:
    """Lines from standard input, without blocking the event loop.

    A terminal or pipe is read through the event loop; a regular file (``< file``)
    is read in a worker thread, since the loop cannot watch files.
    """
    loop = asyncio.get_running_loop()
    try:
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except (ValueError, OSError):
        while line := await asyncio.to_thread(sys.stdin.readline):
            yield line
        return
    while line_bytes := await reader.readline():
        yield line_bytes.decode("utf-8", errors="replace")
