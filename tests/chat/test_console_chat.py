"""The console chat: lines in, numbered messages out, `>N text` replies."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

from osoto_bridge.chat import (
    ChatAddress,
    ConsoleChat,
    InboundAction,
    InboundMessage,
    OutboundMessage,
)
from osoto_bridge.text import doc, paragraph


class Sink:
    def __init__(self) -> None:
        self.messages: list[InboundMessage] = []

    @property
    def links(self) -> object:  # the console has no link flow of its own
        raise AssertionError("not used")

    async def on_message(self, message: InboundMessage) -> None:
        self.messages.append(message)

    async def on_action(self, action: InboundAction) -> None:
        raise AssertionError("the console has no buttons")


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def test_lines_become_messages_and_replies_point_at_numbered_messages() -> None:
    out = io.StringIO()
    console = ConsoleChat(_lines("hello\n", "\n", ">1 sounds good\n"), out)
    sink = Sink()
    ids = await console.send(
        OutboundMessage(ChatAddress("console", "terminal"), doc(paragraph("Ben: dinner?")))
    )
    assert ids == ["1"]
    await console.start(sink)  # type: ignore[arg-type]
    await console.finished.wait()
    await console.stop()
    assert [m.raw_text for m in sink.messages] == ["hello", "sounds good"]
    reply = sink.messages[1]
    assert reply.reply_to_message_id == "1"
    assert reply.reply_to_text == "Ben: dinner?"
    assert out.getvalue() == "#1 Ben: dinner?\n"


async def test_a_reply_to_your_own_line_is_shown_as_such() -> None:
    out = io.StringIO()
    console = ConsoleChat(_lines(), out)
    await console.send(
        OutboundMessage(ChatAddress("console", "terminal"), doc(paragraph("done")), reply_to="in3")
    )
    assert out.getvalue() == "#1 (↪ your message) done\n"
