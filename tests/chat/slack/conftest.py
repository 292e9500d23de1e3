"""Fixtures for the Slack scenarios (the world itself is in slack_world.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from slack_world import (
    ALICE,
    ALL_SCOPES,
    BASE_URL,
    BOB,
    CHANNEL,
    SECRET,
    OsotoGate,
    SlackWorld,
)

from fakes.slack_api import FakeSlack
from osoto_bridge.relay import ClientPool
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user(ALICE, "Alice", locale="ko-KR", admin=True)
        slack.add_user(BOB, "Bob", locale="en-US")
        slack.add_channel(CHANNEL, "lisbon-trip")
        yield slack


@pytest.fixture
async def world(tmp_path: Path, fake: FakeSlack) -> AsyncIterator[SlackWorld]:
    sandbox = Sandbox(":memory:", rate_limit=1_000_000)
    owner = sandbox.create_user("Ana", email="ana@example.com")
    companion = sandbox.create_user("Ben")
    group = sandbox.create_group("Friends", owner_id=owner, member_ids=[companion])
    trip = sandbox.create_trip(
        group_id=group, title="Lisbon", start_date="2026-12-01", end_date="2026-12-08"
    )
    key = sandbox.create_key(owner, [f"{scope}:{trip}" for scope in ALL_SCOPES])
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}", secret_keys=[SECRET])
    gate = OsotoGate(sandbox.app)
    pool = ClientPool(store=store, base_url=BASE_URL, transport=httpx.ASGITransport(app=gate))
    channels = await pool.client_for_key(key).list_channels(trip)
    general = next(c.id for c in channels if c.name == "general")
    world = SlackWorld(
        fake=fake,
        sandbox=sandbox,
        store=store,
        pool=pool,
        trip_id=trip,
        channel_id=general,
        owner_key=key,
        companion_id=companion,
        osoto=gate,
    )
    try:
        yield world
    finally:
        await world.stop()
        await pool.aclose()
        await store.close()
        sandbox.close()
