"""Socket Mode: the same events over a WebSocket the adapter opens with its app token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_world import ALICE, BOB, CHANNEL, SlackWorld

from fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from osoto_bridge.chat.slack import SlackChat


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(socket_mode=True) as slack:
        slack.add_user(ALICE, "Alice", locale="ko-KR", admin=True)
        slack.add_user(BOB, "Bob", locale="en-US")
        slack.add_channel(CHANNEL, "lisbon-trip")
        yield slack


def socket_chat(world: SlackWorld) -> SlackChat:
    return SlackChat(
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN,
        api_url=world.fake.api_url,
        clock=world.time.clock,
        sleep=world.time.sleep,
    )


async def test_messages_arrive_over_the_socket_and_are_relayed_once(world: SlackWorld) -> None:
    await world.link()
    await world.start(socket_chat(world))
    assert [c.ok for c in world.fake.calls_to("apps.connections.open")] == [True]
    event = world.fake.message_event(CHANNEL, BOB, "Hello from Socket Mode")
    payload = world.fake.event_callback(event)
    first = await world.fake.push("events_api", payload)
    again = await world.fake.push("events_api", payload, retry_attempt=1)
    assert await world.fake.acked(first) is None
    assert await world.fake.acked(again) is None
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == [
        "Bob (Slack): Hello from Socket Mode"
    ]


async def test_a_slash_command_over_the_socket_answers_in_the_ack(world: SlackWorld) -> None:
    await world.start(socket_chat(world))
    envelope = await world.fake.push(
        "slash_commands", world.fake.slash_payload(CHANNEL, BOB, "where")
    )
    answer = await world.fake.acked(envelope)
    assert answer["response_type"] == "ephemeral"
    assert "/osoto link" in answer["text"]


async def test_stopping_closes_the_socket(world: SlackWorld) -> None:
    await world.start(socket_chat(world))
    await world.fake.wait_for(lambda: bool(world.fake.calls_to("apps.connections.open")))
    await world.stop()
    await world.fake.socket_closed.wait()
