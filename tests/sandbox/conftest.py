"""Fixtures: a sandbox with a small world, and httpx clients speaking to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sandbox_support import BASE_URL, ClientFactory, FakeClock, World, build_world

from osoto_bridge.sandbox import Sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(clock: FakeClock) -> Iterator[World]:
    with Sandbox(":memory:", rate_limit=1000, clock=clock) as sb:
        yield build_world(sb)


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
