"""Bridge.stop (issue 14.3): intake stops first, the workers finish their in-flight
sends, then the chats close; the whole stop is bounded by its grace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from relay_world import World, make_world

from osoto_bridge.chat.base import Capabilities, ChatUnavailable, OutboundMessage
from osoto_bridge.chat.recording import RecordingChat


class ClosingChat(RecordingChat):
    """A chat whose sends fail once it is stopped, as a real client's do once its
    HTTP session is shut ("HTTPXRequest is not initialized"); a send can be held."""

    def __init__(self) -> None:
        super().__init__("slack", capabilities=Capabilities(max_length=4000, threads=True))
        self.gate = asyncio.Event()
        self.gate.set()
        self.sending = asyncio.Event()
        self.intake_stopped = asyncio.Event()
        self.stopped = False
        self.calls: list[str] = []  # the lifecycle, in order

    async def stop_intake(self) -> None:
        self.calls.append("stop_intake")
        self.intake_stopped.set()

    async def stop(self) -> None:
        self.calls.append("stop")
        self.stopped = True
        await super().stop()

    async def send(self, message: OutboundMessage) -> list[str]:
        self.calls.append("send")
        self.sending.set()
        await self.gate.wait()
        if self.stopped:
            raise ChatUnavailable("HTTPXRequest is not initialized")
        ids = await super().send(message)
        self.calls.append("sent")
        return ids


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = make_world(tmp_path)
    w.slack = ClosingChat()
    await w.open()
    try:
        yield w
    finally:
        await w.close()
        w.sandbox.close()


async def test_a_send_in_flight_when_the_bridge_stops_completes_and_is_recorded(
    world: World,
) -> None:
    chat = world.slack
    assert isinstance(chat, ClosingChat)
    await world.link(chat, "C1")
    bridge = await world.start()
    chat.gate.clear()
    message_id = world.companion_says("Check-out at 11")
    await asyncio.wait_for(chat.sending.wait(), 10)

    stopping = asyncio.create_task(bridge.stop())
    for _ in range(100):  # let the stop run as far as it goes while the send is held
        await asyncio.sleep(0)
    assert not chat.stopped  # the chat stays open for the worker's send
    chat.gate.set()
    await asyncio.wait_for(stopping, 10)
    world.bridge = None

    assert chat.stopped
    assert [sent.text for sent in chat.sent] == ["Ben: Check-out at 11"]
    assert world.store is not None
    assert await world.store.chat_messages_for(message_id, "slack", "C1") != []


async def test_a_stop_waits_for_the_send_in_flight_not_the_whole_page(world: World) -> None:
    """The rest of the page is left to the restart (the cursor stays), so a stop is
    as long as one send, not a page of them at the platform's pace."""
    chat = world.slack
    assert isinstance(chat, ClosingChat)
    await world.link(chat, "C1")
    bridge = await world.start()
    chat.gate.clear()
    for n in range(5):
        world.companion_says(f"line {n}")
    await asyncio.wait_for(chat.sending.wait(), 10)
    stopping = asyncio.create_task(bridge.stop())
    for _ in range(100):
        await asyncio.sleep(0)
    chat.gate.set()
    await asyncio.wait_for(stopping, 10)
    world.bridge = None
    assert len(chat.sent) == 1

    chat.stopped = False
    await world.start()
    await chat.wait_for(lambda sent: len(sent) == 5)
    assert [sent.text for sent in chat.sent] == [f"Ben: line {n}" for n in range(5)]


async def test_intake_stops_first_then_the_send_in_flight_completes_then_the_chat_closes(
    world: World,
) -> None:
    chat = world.slack
    assert isinstance(chat, ClosingChat)
    await world.link(chat, "C1")
    bridge = await world.start()
    chat.gate.clear()
    world.companion_says("Dinner at 8")
    await asyncio.wait_for(chat.sending.wait(), 10)

    stopping = asyncio.create_task(bridge.stop())
    # Intake stops while the send is still held: nothing new comes in meanwhile.
    await asyncio.wait_for(chat.intake_stopped.wait(), 10)
    assert chat.calls == ["send", "stop_intake"]
    chat.gate.set()
    await asyncio.wait_for(stopping, 10)
    world.bridge = None

    assert chat.calls == ["send", "stop_intake", "sent", "stop"]


async def test_a_send_stuck_past_the_grace_is_cancelled_and_the_chat_still_closes(
    world: World,
) -> None:
    """The stop is bounded: the held send never completes, the stop returns anyway,
    and the line is not recorded as delivered (the restart sends it)."""
    chat = world.slack
    assert isinstance(chat, ClosingChat)
    await world.link(chat, "C1")
    bridge = await world.start()
    chat.gate.clear()
    message_id = world.companion_says("Stuck")
    await asyncio.wait_for(chat.sending.wait(), 10)

    await asyncio.wait_for(bridge.stop(grace=0.2), 10)
    world.bridge = None

    assert chat.calls[:2] == ["send", "stop_intake"]
    assert chat.calls[-1] == "stop"
    assert "sent" not in chat.calls
    assert world.store is not None
    assert await world.store.chat_messages_for(message_id, "slack", "C1") == []
