"""A replica's graceful stop on PostgreSQL (issue 17): it stops taking work, lets
its chat lanes finish the sends under way, and only then gives its leases back and
signs off its part of the bots' rates.

Signing off first (the order before) let the survivors size their parts as if it
were gone while its lanes still sent: here, a second replica's round taken while a
send is held would have been given the whole rate.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from relay_world import BASE_URL, SECRET, World, make_world, postgres_url

from osoto_bridge.chat.base import Capabilities, OutboundMessage
from osoto_bridge.chat.recording import RecordingChat
from osoto_bridge.relay import Bridge, ClientPool
from osoto_bridge.relay.replicas import TELEGRAM_POLLER, ReplicaCoordinator, unit_of
from osoto_bridge.store import Store
from osoto_bridge.util import RateShare

pytestmark = pytest.mark.postgres


class HeldChat(RecordingChat):
    """A Slack stand-in whose sends can be held, its lifecycle written down."""

    def __init__(self) -> None:
        super().__init__("slack", capabilities=Capabilities(max_length=4000, threads=True))
        self.gate = asyncio.Event()
        self.gate.set()
        self.sending = asyncio.Event()
        self.intake_stopped = asyncio.Event()
        self.calls: list[str] = []

    async def stop_intake(self) -> None:
        self.calls.append("stop_intake")
        self.intake_stopped.set()

    async def stop(self) -> None:
        self.calls.append("stop")
        await super().stop()

    async def send(self, message: OutboundMessage) -> list[str]:
        self.calls.append("send")
        self.sending.set()
        await self.gate.wait()
        ids = await super().send(message)
        self.calls.append("sent")
        return ids


class Job:
    """An exclusive job (the Telegram poller) that says whether it runs."""

    def __init__(self) -> None:
        self.running = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = make_world(tmp_path)
    w.slack = HeldChat()
    schema = f"stop_order_{uuid.uuid4().hex[:12]}"
    w.store = await Store.open(postgres_url(), secret_keys=[SECRET], schema=schema)
    w.pool = ClientPool(store=w.store, base_url=BASE_URL, transport=w.transport)
    channels = await w.client.list_channels(w.trip_id)
    w.channel_id = next(c.id for c in channels if c.name == "general")
    try:
        yield w
    finally:
        async with w.store.engine.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await w.close()
        w.sandbox.close()


async def _signed_on(store: Store, replica: str) -> bool:
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT 1 FROM replicas WHERE replica_id = :me"), {"me": replica}
        )
        return rows.first() is not None


async def _start_replica(world: World, chat: HeldChat, coordinator: ReplicaCoordinator) -> None:
    """The world's bridge placed by ``coordinator``, wired as `run` wires them."""
    assert world.store is not None and world.pool is not None
    bridge = Bridge(
        store=world.store,
        adapters=[world.telegram, chat],
        pool=world.pool,
        timing=world.timing,
        placement=coordinator,
    )
    coordinator.bind(on_change=bridge.sync_links, on_wake=bridge.poke_here, on_stop=bridge.stop)
    await bridge.start()
    await coordinator.__aenter__()


async def test_a_stopping_replica_signs_off_only_after_its_lanes_sent(world: World) -> None:
    chat = world.slack
    assert isinstance(chat, HeldChat)
    assert world.store is not None and world.pool is not None
    await world.link(chat, "C1")
    share = RateShare(0.0)
    poller = Job()
    coordinator = ReplicaCoordinator(
        store=world.store,
        replica_id="a",
        ttl=8,
        share=share,
        exclusive={TELEGRAM_POLLER: poller},
    )
    await _start_replica(world, chat, coordinator)
    assert share.fraction == 1.0  # alone: the whole of each bot's rate
    assert poller.running
    assert await world.store.lease_holders() == {"a": 2}  # the channels' key, the poller
    chat.gate.clear()
    message_id = world.companion_says("Check-out at 11")
    await asyncio.wait_for(chat.sending.wait(), 10)

    stopping = asyncio.create_task(coordinator.stop())
    # Intake stops first; the held send is still going out at this replica's part.
    await asyncio.wait_for(chat.intake_stopped.wait(), 10)
    assert not stopping.done()
    assert await _signed_on(world.store, "a")
    # Its job stopped first and its lease is free for another replica already; the
    # channels' lease stays until the sends are done.
    assert not poller.running
    assert await world.store.lease_holders() == {"a": 1}
    assert coordinator.holds(unit_of(await world.store.list_links()))
    # Another replica sizing its part now must leave this one's whole part alone.
    other = await world.store.lease_round(replica="b", ttl=8, units=(), pace_share=0.0)
    assert other.pace_share == 0.0

    chat.gate.set()
    await asyncio.wait_for(stopping, 10)
    assert chat.calls == ["send", "stop_intake", "sent", "stop"]
    assert await world.store.chat_messages_for(message_id, "slack", "C1") != []
    assert not await _signed_on(world.store, "a")
    assert await world.store.lease_holders() == {}
    # Signed off: the other replica's next round takes the whole rate.
    other = await world.store.lease_round(replica="b", ttl=8, units=(), pace_share=0.0)
    assert other.pace_share == 1.0


async def test_a_stop_longer_than_the_ttl_keeps_the_leases_and_the_part(world: World) -> None:
    """The sends under way may take longer than a lease lasts (a slow platform, up
    to the bridge's grace): the stopping replica keeps renewing meanwhile, so no
    other takes its channels, or the whole rate, while it still sends. The lease's
    time is the server's: it is let pass there (`pg_sleep`), as in the store's tests."""
    chat = world.slack
    assert isinstance(chat, HeldChat)
    assert world.store is not None and world.pool is not None
    await world.link(chat, "C1")
    coordinator = ReplicaCoordinator(
        store=world.store, replica_id="a", ttl=0.8, share=RateShare(0.0)
    )
    await _start_replica(world, chat, coordinator)
    chat.gate.clear()
    world.companion_says("Slow to send")
    await asyncio.wait_for(chat.sending.wait(), 10)
    stopping = asyncio.create_task(coordinator.stop())
    await asyncio.wait_for(chat.intake_stopped.wait(), 10)

    async with world.store.engine.connect() as conn:
        await conn.execute(sa.text("SELECT pg_sleep(1.5)"))  # nearly two TTLs
    assert await world.store.lease_holders() == {"a": 1}
    assert await _signed_on(world.store, "a")
    other = await world.store.lease_round(
        replica="b", ttl=8, units=await _units(world.store), pace_share=0.0
    )
    assert other.held == frozenset() and other.pace_share == 0.0

    chat.gate.set()
    await asyncio.wait_for(stopping, 10)
    assert "a" not in await world.store.lease_holders()
    assert not await _signed_on(world.store, "a")


async def _units(store: Store) -> set[str]:
    return {unit_of(await store.list_links())}
