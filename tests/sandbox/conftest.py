"""Fixtures: a sandbox with a small world, and httpx clients speaking to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sandbox_support import BASE_URL, ClientFactory, FakeClock, World

from osoto_bridge.sandbox import SCOPE_BASES, Sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(clock: FakeClock) -> Iterator[World]:
    with Sandbox(":memory:", rate_limit=1000, clock=clock) as sb:
        alice = sb.create_user("Alice", email="alice@example.com", phone="+44 1")
        bob = sb.create_user("Bob", email="bob@example.com")
        vera = sb.create_user("Vera")
        eve = sb.create_user("Eve")
        group = sb.create_group("Crew", owner_id=alice, member_ids=[bob])
        trip = sb.create_trip(
            group_id=group,
            title="Cotswolds",
            start_date="2026-07-15",
            end_date="2026-07-22",
            created_by=alice,
        )
        sb.add_trip_member(trip, vera, "viewer")
        general = sb.context.conn.execute(
            "SELECT id FROM channels WHERE trip_id = ? AND name = 'general'", (trip,)
        ).fetchone()[0]
        all_scopes = list(SCOPE_BASES)
        yield World(
            sb=sb,
            clock=clock,
            alice=alice,
            bob=bob,
            vera=vera,
            eve=eve,
            group=group,
            trip=trip,
            general=general,
            alice_key=sb.create_key(alice, all_scopes),
            bob_key=sb.create_key(bob, all_scopes),
            vera_key=sb.create_key(vera, all_scopes),
            eve_key=sb.create_key(eve, all_scopes),
        )


@pytest.fixture
async def make_client(world: World) -> AsyncIterator[ClientFactory]:
    """Build clients authenticated with a key (or with none)."""
    clients: list[httpx.AsyncClient] = []

    def factory(key: str | None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=world.sb.app), base_url=BASE_URL, headers=headers
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def alice(make_client: ClientFactory, world: World) -> httpx.AsyncClient:
    return make_client(world.alice_key)
