"""Slack Socket Mode from several replicas (issue 17): Slack hands each event to
one of the app's open connections, whichever replica opened it.

Given a trip linked to a Slack channel and a Telegram group, and two replicas (two
`Bridge`s with their coordinators, each with its own `Store` on one PostgreSQL
schema, as tests/relay/test_replicas.py stands two processes in one), both
connected to the fake Slack in Socket Mode: when Bob writes in Slack, each line
is in Osoto once and in the Telegram group once, whichever replica got its event
and whichever holds the channel; and when one replica stops while Bob keeps
writing (its connection closes with envelopes in hand), nothing is lost.

Needs ``OSOTO_BRIDGE_TEST_POSTGRES_URL`` (skipped without it, failed under CI).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from relay_world import BASE_URL, FAST, SECRET, eventually, postgres_url

from fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from linking import link_chat
from osoto_bridge.chat import Capabilities, InboundMessage, RecordingChat
from osoto_bridge.chat.slack import SlackChat
from osoto_bridge.relay import Bridge, ClientPool
from osoto_bridge.relay.replicas import ReplicaCoordinator, unit_of
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

CHANNEL = "C0TRIP"
GROUP = "-100200300"
BOB = "U0BOB"
SCOPES = ("trips:read", "trips:write", "messages:read", "messages:write")


class WatchedSlack(SlackChat):
    """The Slack adapter, saying when a stop begins to drain its intake."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.draining = asyncio.Event()

    async def stop_intake(self) -> None:
        self.draining.set()
        await super().stop_intake()


class HeldBridge(Bridge):
    """A bridge whose handling of chat messages can be held (a slow replica)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = asyncio.Event()
        self.gate.set()
        self.held = 0
        self._arrived = asyncio.Condition()

    async def on_message(self, message: InboundMessage) -> None:
        if not self.gate.is_set():
            async with self._arrived:
                self.held += 1
                self._arrived.notify_all()
            await self.gate.wait()
        await super().on_message(message)

    async def waiting(self, count: int) -> None:
        async with asyncio.timeout(20), self._arrived:
            await self._arrived.wait_for(lambda: self.held >= count)


@dataclass
class Replica:
    """One `run` process: its store, Osoto clients, chats, coordinator and bridge."""

    name: str
    store: Store
    pool: ClientPool
    slack: WatchedSlack
    telegram: RecordingChat
    coordinator: ReplicaCoordinator
    bridge: HeldBridge
    running: bool = False

    async def start(self) -> None:
        await self.bridge.start()
        await self.coordinator.__aenter__()
        self.running = True

    async def stop(self) -> None:
        """A graceful stop, as `run` on SIGTERM (the coordinator stops the bridge)."""
        if self.running:
            self.running = False
            await self.coordinator.stop()


@dataclass
class World:
    fake: FakeSlack
    sandbox: Sandbox
    replicas: list[Replica]
    trip_id: str
    channel_id: str
    owner_key: str
    unit: str  # the channel's lease

    async def osoto_contents(self) -> list[str]:
        client = self.replicas[0].pool.client_for_key(self.owner_key)
        return [m.content async for m in client.iterate_messages(self.trip_id, self.channel_id)]

    def telegram_texts(self) -> list[str]:
        return [sent.text for r in self.replicas for sent in r.telegram.sent]

    async def bob_writes(self, text: str) -> str:
        """Bob writes in the Slack channel; Slack hands the event to one connection."""
        event = self.fake.message_event(CHANNEL, BOB, text)
        return await self.fake.push("events_api", self.fake.event_callback(event))

    async def holder(self) -> Replica:
        """The one replica running the trip's channel, once the leases settled."""

        def holding() -> list[Replica]:
            return [r for r in self.replicas if r.running and r.coordinator.holds(self.unit)]

        async def one_holds() -> bool:
            return len(holding()) == 1

        await eventually(one_holds, timeout=20)
        return holding()[0]


def _replica(name: str, store: Store, sandbox: Sandbox, fake: FakeSlack) -> Replica:
    pool = ClientPool(
        store=store, base_url=BASE_URL, transport=httpx.ASGITransport(app=sandbox.app)
    )
    slack = WatchedSlack(
        bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake.api_url, pace_interval=0
    )
    telegram = RecordingChat("telegram", capabilities=Capabilities(max_length=4096))
    coordinator = ReplicaCoordinator(store=store, replica_id=name, ttl=4)
    bridge = HeldBridge(
        store=store,
        adapters=[slack, telegram],
        pool=pool,
        timing=FAST,
        placement=coordinator,
    )
    coordinator.bind(on_change=bridge.sync_links, on_wake=bridge.poke_here, on_stop=bridge.stop)
    return Replica(name, store, pool, slack, telegram, coordinator, bridge)


async def _link(store: Store, pool: ClientPool, *, key: str, trip: str, channel: str) -> None:
    for platform, chat_id in (("slack", CHANNEL), ("telegram", GROUP)):
        await link_chat(
            store,
            pool.client_for_key(key),
            platform=platform,
            chat_id=chat_id,
            api_key=key,
            trip_id=trip,
            channel_id=channel,
        )


@pytest.fixture
async def world() -> AsyncIterator[World]:
    url = postgres_url()
    schema = f"socket_replicas_{uuid.uuid4().hex[:12]}"
    sandbox = Sandbox(":memory:", rate_limit=1_000_000)
    owner = sandbox.create_user("Ana", email="ana@example.com")
    group = sandbox.create_group("Friends", owner_id=owner, member_ids=[])
    trip = sandbox.create_trip(
        group_id=group, title="Lisbon", start_date="2026-12-01", end_date="2026-12-08"
    )
    key = sandbox.create_key(owner, list(SCOPES))
    async with (
        FakeSlack(socket_mode=True) as fake,
        Store.open(url, secret_keys=[SECRET], schema=schema) as a,
        Store.open(url, secret_keys=[SECRET], schema=schema) as b,
    ):
        fake.add_user(BOB, "Bob", locale="en-US")
        fake.add_channel(CHANNEL, "lisbon-trip")
        replicas = [_replica("a", a, sandbox, fake), _replica("b", b, sandbox, fake)]
        channels = await replicas[0].pool.client_for_key(key).list_channels(trip)
        general = next(c.id for c in channels if c.name == "general")
        await _link(a, replicas[0].pool, key=key, trip=trip, channel=general)
        unit = unit_of(await a.list_links())
        w = World(fake, sandbox, replicas, trip, general, key, unit)
        try:
            yield w
        finally:
            for replica in replicas:
                await replica.stop()
                await replica.pool.aclose()
            async with a.engine.begin() as conn:
                await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            sandbox.close()


def _counts(texts: list[str], lines: list[str]) -> dict[str, int]:
    joined = "\n".join(texts)
    return {line: joined.count(line) for line in lines}


async def _arrived_once(w: World, lines: list[str]) -> None:
    async def everywhere() -> bool:
        osoto = _counts(await w.osoto_contents(), lines)
        telegram = _counts(w.telegram_texts(), lines)
        return all(n >= 1 for n in osoto.values()) and all(n >= 1 for n in telegram.values())

    await eventually(everywhere, timeout=30)
    # Every line there; and once: a double would show in the same read.
    assert _counts(await w.osoto_contents(), lines) == dict.fromkeys(lines, 1)
    assert _counts(w.telegram_texts(), lines) == dict.fromkeys(lines, 1)


async def test_lines_from_slack_cross_once_whichever_replica_gets_the_event(
    world: World,
) -> None:
    w = world
    for replica in w.replicas:
        await replica.start()
    await w.fake.wait_for(lambda: len(w.fake.open_connections) == 2)
    holder = await w.holder()
    assert holder.name in ("a", "b")

    lines = [f"note {n:02d}" for n in range(10)]
    envelopes = [await w.bob_writes(line) for line in lines]
    for envelope in envelopes:
        assert await w.fake.acked(envelope) is None
    # Slack spread the events over both connections: half reached the replica
    # that does not run the channel (its line goes through the outbox and NOTIFY).
    connections = {w.fake.connection_of(envelope) for envelope in envelopes}
    assert len(connections) == 2
    await _arrived_once(w, lines)


async def test_a_replica_stopped_mid_traffic_loses_no_line(world: World) -> None:
    w = world
    for replica in w.replicas:
        await replica.start()
    await w.fake.wait_for(lambda: len(w.fake.open_connections) == 2)
    holder = await w.holder()
    survivor = next(r for r in w.replicas if r is not holder)
    # The holder is slow to handle what it gets: its events are in hand when it stops.
    holder.bridge.gate.clear()
    before = [f"early {n:02d}" for n in range(10)]
    envelopes = [await w.bob_writes(line) for line in before]
    in_hand = [e for e in envelopes if w.fake.connection_of(e) != _connection(w, survivor)]
    await holder.bridge.waiting(len(in_hand))
    # The channel's holder stops (SIGTERM) while Bob keeps writing.
    stopping = asyncio.create_task(holder.stop())
    await holder.slack.draining.wait()
    during = [f"late {n:02d}" for n in range(10)]
    envelopes += [await w.bob_writes(line) for line in during]
    holder.bridge.gate.set()
    await asyncio.wait_for(stopping, 30)
    for envelope in envelopes:
        assert await w.fake.acked(envelope) is None
    # What it had in hand was acknowledged on its own connection before it closed
    # (not handed to the survivor again); what reached it while it stopped was
    # refused and handed to the survivor.
    again = {e for e, _, attempt in w.fake.deliveries if attempt > 0}
    assert not again & set(in_hand)
    assert all(w.fake.connection_of(e) == _connection(w, survivor) for e in again)
    assert await w.holder() is survivor
    await _arrived_once(w, before + during)

    # Still one replica: what it gets now crosses too.
    after = ["after 00"]
    assert await w.fake.acked(await w.bob_writes(after[0])) is None
    await _arrived_once(w, after)


def _connection(w: World, replica: Replica) -> int:
    return w.replicas.index(replica) + 1  # connections are numbered as they opened
