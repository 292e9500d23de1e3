"""A small world for relay scenarios: the real sandbox, a real store, real clients,
and recording chats standing in for Telegram and Slack."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from linking import link_chat
from osoto_bridge.chat import Capabilities, RecordingChat
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import Message, OsotoClient
from osoto_bridge.relay import Bridge, ClientPool, PollTiming
from osoto_bridge.relay.worker import Wait, wait_event
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Link, Store, generate_secret_key


def postgres_url() -> str:
    """The PostgreSQL URL of the run (the replicas' tests); skip without one (fail under CI)."""
    url = os.environ.get("OSOTO_BRIDGE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI is set but OSOTO_BRIDGE_TEST_POSTGRES_URL is not")
        pytest.skip("OSOTO_BRIDGE_TEST_POSTGRES_URL is not set")
    return url


FAST = PollTiming(
    active_interval=0.01,
    idle_interval=0.05,
    active_window=5.0,
    requests_per_minute=1_000_000,
    background_share=1.0,
)
ALL_SCOPES = ("trips:read", "trips:write", "messages:read", "messages:write")
SECRET = generate_secret_key()


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, timeout: float = 10.0, what: str = ""
) -> None:
    """Wait until ``condition`` holds, yielding to the bridge between checks."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.005)


@dataclass
class World:
    sandbox: Sandbox
    store_url: str
    transport: httpx.AsyncBaseTransport
    trip_id: str
    channel_id: str
    owner_id: str
    owner_key: str
    companion_id: str
    timing: PollTiming = FAST
    telegram: RecordingChat = field(
        default_factory=lambda: RecordingChat(
            "telegram", capabilities=Capabilities(max_length=4096, buttons=True)
        )
    )
    slack: RecordingChat = field(
        default_factory=lambda: RecordingChat(
            "slack",
            capabilities=Capabilities(max_length=4000, custom_username=True, threads=True),
        )
    )
    store: Store | None = None
    pool: ClientPool | None = None
    retry_sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    bridge: Bridge | None = None

    async def open(self) -> None:
        self.store = await Store.open(self.store_url, secret_keys=[SECRET])
        self.pool = ClientPool(
            store=self.store, base_url=BASE_URL, transport=self.transport, sleep=self.retry_sleep
        )
        if not self.channel_id:
            channels = await self.client.list_channels(self.trip_id)
            self.channel_id = next(c.id for c in channels if c.name == "general")

    async def close(self) -> None:
        if self.bridge is not None:
            await self.bridge.stop()
            self.bridge = None
        if self.pool is not None:
            await self.pool.aclose()
        if self.store is not None:
            await self.store.close()

    @property
    def client(self) -> OsotoClient:
        assert self.pool is not None
        return self.pool.client_for_key(self.owner_key)

    async def link(self, chat: RecordingChat, chat_id: str, *, key: str | None = None) -> Link:
        assert self.store is not None and self.pool is not None
        api_key = key or self.owner_key
        return await link_chat(
            self.store,
            self.pool.client_for_key(api_key),
            platform=chat.platform,
            chat_id=chat_id,
            api_key=api_key,
            trip_id=self.trip_id,
            channel_id=self.channel_id,
        )

    async def start(
        self,
        *,
        metrics: RelayMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait: Wait = wait_event,
    ) -> Bridge:
        assert self.store is not None and self.pool is not None
        self.bridge = Bridge(
            store=self.store,
            adapters=[self.telegram, self.slack],
            pool=self.pool,
            timing=self.timing,
            metrics=metrics,
            clock=clock,
            wait=wait,
        )
        await self.bridge.start()
        return self.bridge

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


BASE_URL = "http://sandbox.test/api/v1"


@contextlib.asynccontextmanager
async def opened(world: World) -> AsyncIterator[World]:
    """``world`` open for the block (its store and clients), closed after, sandbox too."""
    await world.open()
    try:
        yield world
    finally:
        await world.close()
        world.sandbox.close()


def make_world(tmp_path: Path, *, rate_limit: int = 1_000_000) -> World:
    sandbox = Sandbox(":memory:", rate_limit=rate_limit)
    owner = sandbox.create_user("Ana", email="ana@example.com")
    companion = sandbox.create_user("Ben")
    group = sandbox.create_group("Friends", owner_id=owner, member_ids=[companion])
    trip = sandbox.create_trip(
        group_id=group, title="Lisbon", start_date="2026-12-01", end_date="2026-12-08"
    )
    sandbox.create_channel(trip, "plans")  # a second channel the tests leave alone
    key = sandbox.create_key(owner, list(ALL_SCOPES))
    return World(
        sandbox=sandbox,
        store_url=f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}",
        transport=httpx.ASGITransport(app=sandbox.app),
        trip_id=trip,
        channel_id="",
        owner_id=owner,
        owner_key=key,
        companion_id=companion,
    )
