"""The console chat: the terminal as a one-room chat, for the demo and for trying out.

You are its only member and its admin. Each line you type is a message (``/where``
and the other commands work too); each message the bridge delivers is printed with a
number, and typing ``>N text`` replies to message N (the console confirms what it
replies to). Buttons under an answer (``/todo``'s ✓) are printed as numbered choices;
``!N`` picks choice N of the latest answer that had some.

In a terminal, `prompt_lines` reads the lines with prompt_toolkit's line editor:
run it under ``patch_stdout()`` and messages arriving while you type are printed
above the prompt, which is redrawn with your half-typed line intact.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, TextIO

from osoto_bridge.chat.base import (
    Capabilities,
    ChatAddress,
    InboundAction,
    InboundMessage,
    InboundSink,
    OutboundMessage,
)
from osoto_bridge.text import Button, from_osoto, render_plain

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

PLATFORM = "console"
CHAT_ID = "terminal"
_REPLY = re.compile(r"^>(\d+)\s+(.*)$", re.DOTALL)
_PICK = re.compile(r"^!(\d+)$")
_EXCERPT = 60


class ConsoleChat:
    """A chat in the terminal.

    Args:
        lines: what the person types, one message per item.
        out: where delivered messages are printed.
        user_name: the name the person's messages are attributed to.
        echo: print each line read as ``you> line`` (for piped input, where the
            terminal shows nothing of what was typed).
        on_line_done: called after each line was handled.
    """

    def __init__(
        self,
        lines: AsyncIterator[str],
        out: TextIO,
        *,
        user_name: str = "You",
        echo: bool = False,
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
        self._echo = echo
        self._choices: list[Button] = []
        self._choices_of: str | None = None
        self.finished = asyncio.Event()

    @property
    def platform(self) -> str:
        return PLATFORM

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(max_length=4000, buttons=True)

    @property
    def bot_username(self) -> str | None:
        return None  # no bot account: commands are never addressed by name

    @property
    def address(self) -> ChatAddress:
        return ChatAddress(PLATFORM, CHAT_ID)

    async def start(self, sink: InboundSink) -> None:
        self._sink = sink
        self._reader = asyncio.create_task(self._read(sink), name="console-reader")

    async def stop_intake(self) -> None:
        """Stop reading lines (a graceful stop's first step); output keeps working."""
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None

    async def stop(self) -> None:
        await self.stop_intake()
        self._sink = None

    async def _read(self, sink: InboundSink) -> None:
        try:
            async for line in self._lines:
                text = line.rstrip("\n")
                if self._echo and text.strip():
                    self._write(f"you> {text}")
                if text.strip():
                    try:
                        await self._handle(sink, text)
                    except Exception:
                        # already logged by the bridge; the terminal goes on
                        self._out.write("(that message could not be handled; see the log)\n")
                if self._on_line_done is not None:
                    self._on_line_done()
        finally:
            self.finished.set()

    async def _handle(self, sink: InboundSink, text: str) -> None:
        pick = _PICK.match(text.strip())
        if pick:
            action = self._action(int(pick.group(1)))
            if action is not None:
                await sink.on_action(action)
            return
        await sink.on_message(self._inbound(text))

    def _action(self, number: int) -> InboundAction | None:
        if not 1 <= number <= len(self._choices):
            where = f"#{self._choices_of}" if self._choices_of else "no answer"
            self._write(
                f"(no choice !{number}: {where} offers !1–!{len(self._choices)})"
                if self._choices
                else "(no choices to pick from yet)"
            )
            return None
        button = self._choices[number - 1]
        self._write(f"(picked !{number} {button.label} under #{self._choices_of})")
        return InboundAction(
            address=self.address,
            user_id="console-user",
            user_name=self._user_name,
            action_id=button.action_id,
            value=button.value,
            message_id=self._choices_of,
        )

    def _inbound(self, text: str) -> InboundMessage:
        reply_to: str | None = None
        match = _REPLY.match(text)
        if match:
            reply_to, text = match.group(1), match.group(2)
        replied = self._texts.get(reply_to) if reply_to else None
        if reply_to is not None:
            if replied is None:
                self._write(f"(there is no #{reply_to}: sent as a plain message)")
                reply_to = None
            else:
                self._write(f"(↪ replying to #{reply_to} {_excerpt(replied[1])})")
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
        lines = [f"{prefix} {text}"]
        buttons = [button for row in message.document.buttons for button in row]
        if buttons:
            # Only the latest answer's choices can be picked: numbers stay short.
            self._choices, self._choices_of = buttons, message_id
            lines += [f"   !{n} {button.label}" for n, button in enumerate(buttons, start=1)]
            lines.append("   (type !N to pick one)")
        self._write("\n".join(lines))
        return [message_id]

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        return False

    async def is_admin(self, address: ChatAddress, user_id: str) -> bool:
        return True


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1].rstrip() + "…"


async def prompt_lines(
    prompt: str = "you> ", *, session: PromptSession[str] | None = None
) -> AsyncIterator[str]:
    """Lines typed at prompt_toolkit's line editor, until Ctrl-D (or Ctrl-C).

    Args:
        prompt: what the prompt shows.
        session: the prompt session (tests pass one over a pipe input).
    """
    if session is None:
        from prompt_toolkit import PromptSession  # only the interactive demo needs it

        session = PromptSession()
    while True:
        try:
            yield await session.prompt_async(prompt)
        except (EOFError, KeyboardInterrupt):
            return


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
