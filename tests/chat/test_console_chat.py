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
        raise AssertionError("no button was pressed")


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
    assert out.getvalue() == "#1 Ben: dinner?\n(↪ replying to #1 Ben: dinner?)\n"


async def test_a_reply_to_your_own_line_is_shown_as_such() -> None:
    out = io.StringIO()
    console = ConsoleChat(_lines(), out)
    await console.send(
        OutboundMessage(ChatAddress("console", "terminal"), doc(paragraph("done")), reply_to="in3")
    )
    assert out.getvalue() == "#1 (↪ your message) done\n"


class ActionSink(Sink):
    def __init__(self) -> None:
        super().__init__()
        self.actions: list[InboundAction] = []

    async def on_action(self, action: InboundAction) -> None:
        self.actions.append(action)


async def test_buttons_are_numbered_choices_and_bang_n_presses_one() -> None:
    from osoto_bridge.text import Button

    out = io.StringIO()
    console = ConsoleChat(_lines("!2\n", "!7\n", ">1 ok\n", ">9 lost\n"), out, echo=True)
    assert console.capabilities.buttons
    buttons = ((Button("✓ 1", "todo.done", "a1"), Button("✓ 2", "todo.done", "a2")),)
    answer = doc(paragraph("To do: 2 open items"), buttons=buttons)
    await console.send(OutboundMessage(ChatAddress("console", "terminal"), answer))
    sink = ActionSink()
    await console.start(sink)  # type: ignore[arg-type]
    await console.finished.wait()
    await console.stop()
    assert [(a.action_id, a.value, a.message_id) for a in sink.actions] == [
        ("todo.done", "a2", "1")
    ]
    assert [(m.raw_text, m.reply_to_message_id) for m in sink.messages] == [
        ("ok", "1"),
        ("lost", None),
    ]
    assert out.getvalue().splitlines() == [
        "#1 To do: 2 open items",
        "   !1 ✓ 1",
        "   !2 ✓ 2",
        "   (type !N to pick one)",
        "you> !2",
        "(picked !2 ✓ 2 under #1)",
        "you> !7",
        "(no choice !7: #1 offers !1–!2)",
        "you> >1 ok",
        "(↪ replying to #1 To do: 2 open items)",
        "you> >9 lost",
        "(there is no #9: sent as a plain message)",
    ]


async def test_prompt_lines_reads_the_line_editor_until_ctrl_d() -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from osoto_bridge.chat.console import prompt_lines

    with create_pipe_input() as pipe:
        session: PromptSession[str] = PromptSession(input=pipe, output=DummyOutput())
        pipe.send_text("hel")
        pipe.send_text("lo\x7f\x7flo there\r")  # backspace edits the line
        pipe.send_text("/todo\r\x04")
        got = [line async for line in prompt_lines(session=session)]
    assert got == ["hello there", "/todo"]
