"""A Slack workspace and a trip: the fake Slack, the real sandbox, store and relay.

The bridge runs unchanged with the real `SlackChat`, whose slack-sdk client talks
HTTP to the fake Slack on loopback, and whose bolt app receives Slack's signed
requests through the ASGI route the bridge's HTTP server mounts. Time inside the
adapter (pacing, 429 waits) is virtual: a sleep advances the clock at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from linking import link_chat
from osoto_bridge.chat.slack import SlackChat, slack_events_app
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.osoto import Message, OsotoClient
from osoto_bridge.relay import Bridge, ClientPool, PollTiming
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Link, Store, generate_secret_key

FAST = PollTiming(
    active_interval=0.01,
    idle_interval=0.05,
    active_window=5.0,
    requests_per_minute=1_000_000,
    background_share=1.0,
)
ALL_SCOPES = ("trips:read", "trips:write", "messages:read", "messages:write")
BASE_URL = "http://sandbox.test/api/v1"
SECRET = generate_secret_key()
CHANNEL = "C0TRIP"
ALICE = "U0ALICE"  # a workspace admin, Korean locale
BOB = "U0BOB"  # a member


class OsotoGate:
    """The sandbox behind a gate: closing it holds every Osoto request (a slow Osoto)."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self.open = asyncio.Event()
        self.open.set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.open.wait()
        await self._app(scope, receive, send)


class VirtualTime:
    """A clock that a sleep moves forward at once; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 10_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class SlackWorld:
    fake: FakeSlack
    sandbox: Sandbox
    store: Store
    pool: ClientPool
    trip_id: str
    channel_id: str
    owner_key: str
    companion_id: str
    osoto: OsotoGate
    time: VirtualTime = field(default_factory=VirtualTime)
    chat: SlackChat | None = None
    bridge: Bridge | None = None
    events: httpx.AsyncClient | None = None

    @property
    def client(self) -> OsotoClient:
        return self.pool.client_for_key(self.owner_key)

    def new_chat(self, **options: Any) -> SlackChat:
        return SlackChat(
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            api_url=self.fake.api_url,
            clock=self.time.clock,
            sleep=self.time.sleep,
            **options,
        )

    async def start(self, chat: SlackChat | None = None) -> Bridge:
        """Start the bridge with a (new) Slack adapter and its events route."""
        self.chat = chat or self.new_chat()
        self.bridge = Bridge(
            store=self.store,
            adapters=[self.chat],
            pool=self.pool,
            commands=CommandService(cache=SnapshotCache()),
            timing=FAST,
        )
        await self.bridge.start()
        self.events = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=slack_events_app(self.chat)),
            base_url="http://bridge.test",
        )
        return self.bridge

    async def stop(self) -> None:
        if self.events is not None:
            await self.events.aclose()
            self.events = None
        if self.bridge is not None:
            await self.bridge.stop()
            self.bridge = None

    async def link(self, channel: str = CHANNEL) -> Link:
        """Link a Slack channel the way the CLI does (the modal has its own tests)."""
        return await link_chat(
            self.store,
            self.client,
            platform="slack",
            chat_id=channel,
            api_key=self.owner_key,
            trip_id=self.trip_id,
            channel_id=self.channel_id,
        )

    # -- Slack delivering to the bridge ---------------------------------------------

    async def deliver(self, payload: dict[str, Any] | str, **kwargs: Any) -> httpx.Response:
        assert self.events is not None, "start the bridge first"
        return await self.fake.deliver(self.events, payload, **kwargs)

    async def say(
        self, user: str, text: str, *, channel: str = CHANNEL, thread_ts: str | None = None
    ) -> str:
        """``user`` writes ``text``; Slack delivers the event; returns the message ts."""
        event = self.fake.message_event(channel, user, text, thread_ts=thread_ts)
        response = await self.deliver(self.fake.event_callback(event))
        assert response.status_code == 200, response.text
        return str(event["ts"])

    async def slash(self, user: str, text: str, *, channel: str = CHANNEL) -> httpx.Response:
        body, _ = self.fake.slash_command(channel, user, text)
        return await self.deliver(body)

    async def settle(self) -> None:
        """Wait until the adapter's queued work and the relay's outbox are done."""
        assert self.chat is not None and self.bridge is not None
        async with asyncio.timeout(10):
            await self.chat.idle()
            await self.bridge.idle()

    async def pass_ends(self) -> None:
        """Wait for the relay's pass under way (or the next one) to end."""
        assert self.bridge is not None
        async with asyncio.timeout(10):
            await self.bridge.next_pass()

    # -- Osoto ------------------------------------------------------------------------

    async def osoto_messages(self) -> list[Message]:
        return [m async for m in self.client.iterate_messages(self.trip_id, self.channel_id)]

    def companion_says(self, content: str, *, parent_id: str | None = None) -> str:
        message = self.sandbox.post_message(
            self.trip_id,
            self.channel_id,
            author_id=self.companion_id,
            content=content,
            parent_id=parent_id,
        )
        return str(message["_id"])
