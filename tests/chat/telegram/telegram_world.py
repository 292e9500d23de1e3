"""A world for Telegram scenarios: the fake Bot API, the real sandbox, store and bridge.

The adapter under test is the real one, driven through python-telegram-bot over
loopback HTTP; only Telegram itself is played by `FakeTelegram`. Time that the
adapter would sleep (429 waits, retry backoff) goes through `FakeSleep`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from fakes.telegram_api import Chat, FakeTelegram, User
from osoto_bridge.chat import ChatAddress
from osoto_bridge.chat.telegram import FloodControl, RetryPolicy, TelegramChat
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


class FakeSleep:
    """Records each requested wait and returns at once (yielding to the loop)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


async def eventually(condition: Callable[[], Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until ``condition`` holds, yielding to the bridge between checks."""
    async with asyncio.timeout(within):
        while not await condition():
            await asyncio.sleep(0.005)


@dataclass
class TelegramWorld:
    fake: FakeTelegram
    sandbox: Sandbox
    store_url: str
    trip_id: str
    owner_id: str
    owner_key: str
    companion_id: str
    channel_id: str = ""
    sleep: FakeSleep = field(default_factory=FakeSleep)
    clock: Callable[[], float] = time.monotonic
    store: Store | None = None
    pool: ClientPool | None = None
    bridge: Bridge | None = None
    chat: TelegramChat | None = None
    admin: User | None = None
    member: User | None = None
    group: Chat | None = None

    async def open(self) -> None:
        self.store = await Store.open(self.store_url, secret_keys=[SECRET])
        transport = httpx.ASGITransport(app=self.sandbox.app)
        self.pool = ClientPool(store=self.store, base_url=BASE_URL, transport=transport)
        if not self.channel_id:
            channels = await self.client.list_channels(self.trip_id)
            self.channel_id = next(c.id for c in channels if c.name == "general")

    def adapter(self, *, webhook_url: str | None = None) -> TelegramChat:
        return TelegramChat(
            token=self.fake.token,
            base_url=self.fake.base_url,
            webhook_url=webhook_url,
            flood=FloodControl(overall_rate=0, group_rate=0, sleep=self.sleep),
            sleep=self.sleep,
            clock=self.clock,
            poll_timeout=10,
            retry=RetryPolicy(attempts=3, first_delay=1.0),
        )

    async def start(self, *, webhook_url: str | None = None) -> TelegramChat:
        assert self.store is not None and self.pool is not None
        self.chat = self.adapter(webhook_url=webhook_url)
        self.bridge = Bridge(
            store=self.store,
            adapters=[self.chat],
            pool=self.pool,
            commands=CommandService(cache=SnapshotCache()),
            timing=FAST,
        )
        await self.bridge.start()
        return self.chat

    async def stop(self) -> None:
        if self.bridge is not None:
            await self.bridge.stop()
            self.bridge = None

    async def close(self) -> None:
        await self.stop()
        if self.pool is not None:
            await self.pool.aclose()
        if self.store is not None:
            await self.store.close()

    @property
    def client(self) -> OsotoClient:
        assert self.pool is not None
        return self.pool.client_for_key(self.owner_key)

    async def link(self, chat: Chat, *, thread_id: int | None = None) -> Link:
        """Link a chat (or topic) the way the link flow does, through the bridge."""
        assert self.bridge is not None
        report = await self.bridge.links.verify(self.owner_key, trip_id=self.trip_id)
        address = ChatAddress("telegram", str(chat.id), str(thread_id) if thread_id else None)
        return await self.bridge.links.link(address, api_key=self.owner_key, report=report)

    def companion_says(self, content: str, *, parent_id: str | None = None) -> str:
        message = self.sandbox.post_message(
            self.trip_id,
            self.channel_id,
            author_id=self.companion_id,
            content=content,
            parent_id=parent_id,
        )
        return str(message["_id"])

    async def osoto_messages(self) -> list[Message]:
        return [m async for m in self.client.iterate_messages(self.trip_id, self.channel_id)]

    async def until_in_osoto(self, count: int) -> list[Message]:
        """Wait until the channel holds ``count`` messages; return them."""

        async def arrived() -> bool:
            return len(await self.osoto_messages()) >= count

        await eventually(arrived)
        return await self.osoto_messages()


def make_world(tmp_path: Path, fake: FakeTelegram) -> TelegramWorld:
    sandbox = Sandbox(":memory:", rate_limit=1_000_000)
    owner = sandbox.create_user("Ana", email="ana@example.com")
    companion = sandbox.create_user("Ben")
    group = sandbox.create_group("Friends", owner_id=owner, member_ids=[companion])
    trip = sandbox.create_trip(
        group_id=group, title="Lisbon", start_date="2026-12-01", end_date="2026-12-08"
    )
    sandbox.create_channel(trip, "plans")
    key = sandbox.create_key(owner, list(ALL_SCOPES))
    world = TelegramWorld(
        fake=fake,
        sandbox=sandbox,
        store_url=f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}",
        trip_id=trip,
        owner_id=owner,
        owner_key=key,
        companion_id=companion,
    )
    world.admin = fake.user("Alice", username="alice", language="en")
    world.member = fake.user("Bob", username="bob")
    world.group = fake.group("Lisbon crew", admins=(world.admin,), members=(world.member,))
    return world
