"""chat → chat does not wait for Osoto: a line reaches the channel's other chats at
once, named by its outbox entry, and is never sent to them again once Osoto has it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from relay_world import World, eventually, make_world


class GatedTransport(httpx.AsyncBaseTransport):
    """Holds every POST until the gate opens: Osoto slow, or down for a while."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.gate = asyncio.Event()
        self.gate.set()  # open while linking (which probes the key with a POST)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            await self.gate.wait()
        return await self._inner.handle_async_request(request)


@pytest.fixture
async def gated(tmp_path: Path) -> AsyncIterator[tuple[World, GatedTransport]]:
    world = make_world(tmp_path)
    transport = GatedTransport(world.transport)
    world.transport = transport
    await world.open()
    try:
        yield world, transport
    finally:
        transport.gate.set()
        await world.close()
        world.sandbox.close()


async def _linked_with_osoto_held(world: World, osoto: GatedTransport) -> None:
    """A Telegram group and a Slack channel on the trip, the bridge up, Osoto's
    answers to posts held back from now on."""
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    osoto.gate.clear()


async def _polled_twice_more(world: World) -> None:
    assert world.bridge is not None
    await world.bridge.next_pass()
    await world.bridge.next_pass()


async def test_a_line_reaches_the_other_chat_before_osoto_and_only_once(
    gated: tuple[World, GatedTransport],
) -> None:
    world, osoto = gated
    await _linked_with_osoto_held(world, osoto)
    await world.telegram.write("tg-1", "Boarding now", author="Alice")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    assert world.slack.sent[0].text == "Alice (Telegram): Boarding now"
    assert await world.osoto_messages() == []  # Osoto has not answered yet

    osoto.gate.set()

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted)
    await _polled_twice_more(world)
    assert len(world.slack.sent) == 1  # not again under the Osoto id
    assert world.telegram.sent == []  # and never back to where it was written


async def test_a_reply_to_a_line_osoto_does_not_have_yet_threads_once_it_does(
    gated: tuple[World, GatedTransport],
) -> None:
    world, osoto = gated
    await _linked_with_osoto_held(world, osoto)
    await world.telegram.write("tg-1", "Who has the tickets?", author="Alice")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    question_in_slack = world.slack.sent[0].message_id
    await world.slack.write("C1", "I do", author="Bob", reply_to=question_in_slack)

    osoto.gate.set()

    async def both_posted() -> bool:
        return len(await world.osoto_messages()) == 2

    await eventually(both_posted)
    question, answer = await world.osoto_messages()
    assert answer.parent_id == question.id
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    telegram_question = world.telegram.sent  # the answer went to Telegram as a reply
    assert telegram_question[0].reply_to is not None
    await _polled_twice_more(world)
    assert len(world.slack.sent) == 1 and len(world.telegram.sent) == 1


async def test_a_quick_reply_to_ones_own_line_still_in_the_outbox_keeps_its_parent(
    gated: tuple[World, GatedTransport],
) -> None:
    """Issue 14.1: a reply in the thread of a line not yet posted (the map knows
    nothing of it) reaches Osoto and the other chat as a reply, not a loose line."""
    world, osoto = gated
    await _linked_with_osoto_held(world, osoto)
    plan = await world.slack.write("C1", "Dinner at eight?", author="Bob")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    await world.slack.write("C1", "Or nine", author="Bob", reply_to=plan)

    osoto.gate.set()

    async def both_posted() -> bool:
        return len(await world.osoto_messages()) == 2

    await eventually(both_posted)
    question, answer = await world.osoto_messages()
    assert answer.parent_id == question.id
    await world.telegram.wait_for(lambda sent: len(sent) == 2)
    assert world.telegram.sent[1].reply_to == world.telegram.sent[0].message_id
    await _polled_twice_more(world)
    assert len(world.telegram.sent) == 2 and world.slack.sent == []


async def test_a_reply_reaches_the_chat_of_its_pending_parent_as_a_reply(
    gated: tuple[World, GatedTransport],
) -> None:
    """Bob answers in Slack the copy of Alice's Telegram line while Osoto has not
    answered its post yet: Telegram shows his answer as a reply to Alice's line
    (issue 14 item 1, the direction the fault run found last)."""
    world, osoto = gated
    await _linked_with_osoto_held(world, osoto)
    question = await world.telegram.write("tg-1", "Who has the tickets?", author="Alice")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    await world.slack.write("C1", "I do", author="Bob", reply_to=world.slack.sent[0].message_id)
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    assert world.telegram.sent[0].reply_to == question


async def test_after_a_restart_a_pending_reply_waits_for_its_posted_parent(
    gated: tuple[World, GatedTransport],
) -> None:
    """Bob's Slack line is in Osoto but not yet in Telegram (its lane failing) when
    the bridge stops, with his reply still in the outbox: after the restart Telegram
    shows the line first and the reply as a reply to it (the fault run's B)."""
    world, osoto = gated
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    world.telegram.failures_to_inject = 1_000_000
    plan = await world.slack.write("C1", "Dinner at eight?", author="Bob")

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted)
    osoto.gate.clear()
    await world.slack.write("C1", "Or nine", author="Bob", reply_to=plan)
    assert world.bridge is not None
    await world.bridge.stop()
    world.telegram.failures_to_inject = 0
    await world.start()
    await world.telegram.wait_for(lambda sent: len(sent) == 2)
    first, second = world.telegram.sent
    assert "Dinner at eight?" in first.text
    assert second.reply_to == first.message_id
