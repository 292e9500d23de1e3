"""Socket Mode: the same events over a WebSocket the adapter opens with its app token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
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


class SilentConnection:
    """A Socket Mode connection that takes envelopes and never acknowledges them
    (a replica that stalled, or died with the envelope in hand)."""

    def __init__(self, fake: FakeSlack) -> None:
        self._fake = fake
        self.received: list[dict[str, Any]] = []
        self._session: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> SilentConnection:
        self._session = aiohttp.ClientSession()
        async with self._session.post(
            self._fake.api_url + "apps.connections.open",
            headers={"authorization": f"Bearer {APP_TOKEN}"},
        ) as answer:
            url = (await answer.json())["url"]
        self._socket = await self._session.ws_connect(url)
        await self._socket.receive_json()  # hello
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._socket is not None
        async for message in self._socket:
            self.received.append(json.loads(message.data))

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None and self._socket is not None
        await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._session.close()


async def test_each_envelope_goes_to_one_connection_and_unacked_to_another(
    world: SlackWorld,
) -> None:
    """Slack hands an envelope to one of the app's open connections; one left
    unacknowledged is handed to another, with its retry counted."""
    await world.link()
    await world.start(socket_chat(world))
    fake = world.fake
    await fake.wait_for(lambda: len(fake.open_connections) == 1)
    bridge_connection = fake.open_connections[0]
    async with SilentConnection(fake) as silent:
        await fake.wait_for(lambda: len(fake.open_connections) == 2)
        envelopes = [
            await fake.push(
                "events_api",
                fake.event_callback(fake.message_event(CHANNEL, BOB, f"line {n}")),
            )
            for n in range(4)
        ]
        # Turn by turn: two to each connection, none to both.
        first = [fake.connection_of(e) for e in envelopes]
        assert sorted(first.count(c) for c in set(first)) == [2, 2]
        await fake.wait_for(lambda: len(silent.received) == 2)
        # Slack's 3 s pass (made to pass now): the silent one's go to the bridge.
        fake.expire_unacked()
        for envelope in envelopes:
            assert await fake.acked(envelope) is None
        retried = [e for e in envelopes if first[envelopes.index(e)] != bridge_connection]
        for envelope in retried:
            assert fake.connection_of(envelope) == bridge_connection
            assert (envelope, bridge_connection, 1) in fake.deliveries
    await world.settle()
    assert sorted(m.content for m in await world.osoto_messages()) == [
        f"Bob (Slack): line {n}" for n in range(4)
    ]


async def test_a_connection_that_closes_with_envelopes_in_hand_has_them_delivered_again(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start(socket_chat(world))
    fake = world.fake
    await fake.wait_for(lambda: len(fake.open_connections) == 1)
    async with SilentConnection(fake) as silent:
        await fake.wait_for(lambda: len(fake.open_connections) == 2)
        envelopes = [
            await fake.push(
                "events_api",
                fake.event_callback(fake.message_event(CHANNEL, BOB, f"dropped {n}")),
            )
            for n in range(2)
        ]
        await fake.wait_for(lambda: len(silent.received) == 1)
    # The silent connection closed unacknowledged: its envelope went to the bridge.
    for envelope in envelopes:
        assert await fake.acked(envelope) is None
    await world.settle()
    assert sorted(m.content for m in await world.osoto_messages()) == [
        f"Bob (Slack): dropped {n}" for n in range(2)
    ]
