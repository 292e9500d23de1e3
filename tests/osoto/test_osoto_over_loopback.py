"""Once over a real loopback port: the client, uvicorn and the sandbox, end to end."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from osoto_fakes import FaultyTransport

from osoto_bridge.osoto import OsotoClient, RetryPolicy
from osoto_bridge.sandbox import Sandbox


@pytest.fixture
async def served() -> AsyncIterator[tuple[Sandbox, str]]:
    with Sandbox(":memory:") as sandbox:
        # Bind first, so the port is known and connections queue until uvicorn accepts.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        port = sock.getsockname()[1]
        config = uvicorn.Config(sandbox.app, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="sandbox-uvicorn")
        try:
            yield sandbox, f"http://127.0.0.1:{port}/api/v1"
        finally:
            server.should_exit = True
            await task
            sock.close()


async def test_a_lost_answer_over_a_real_socket_is_replayed_not_duplicated(
    served: tuple[Sandbox, str],
) -> None:
    sandbox, base_url = served
    user = sandbox.create_user("Ana")
    group = sandbox.create_group("Travellers", owner_id=user)
    key = sandbox.create_key(user, ["trips:read", "trips:write", "messages:read", "messages:write"])
    transport = FaultyTransport(httpx.AsyncHTTPTransport(), [None, "lost"])
    policy = RetryPolicy(random=lambda: 0.0)  # retry at once: no real sleeping
    async with OsotoClient(key, base_url, transport=transport, retry=policy) as client:
        me = await client.me()
        trip = await client.create_trip(
            group_id=group, title="Cotswolds", start_date="2026-07-15", end_date="2026-07-22"
        )
        channels = await client.list_channels(trip.id)
        general = next(c for c in channels if c.name == "general")
        for n in range(3):
            await client.post_message(trip.id, general.id, f"hello {n}")
        messages = [m.content async for m in client.iterate_messages(trip.id, general.id, limit=2)]
        trips = await client.list_trips()
    assert me.user.id == user
    assert [t.id for t in trips] == [trip.id]  # the lost create was replayed, not repeated
    assert messages == ["hello 0", "hello 1", "hello 2"]
    posts = [r for r in transport.requests if r.method == "POST" and r.url.path.endswith("/trips")]
    assert (
        len(posts) == 2
        and posts[0].headers["Idempotency-Key"] == posts[1].headers["Idempotency-Key"]
    )
    assert transport.responses[1].headers.get("Idempotent-Replayed") == "true"
    assert transport.responses[1].headers.get("X-RateLimit-Limit") == "60"


DOC = Path(__file__).resolve().parents[2] / "docs" / "osoto-client.md"


async def test_the_documented_quick_tour_runs(served: tuple[Sandbox, str]) -> None:
    sandbox, base_url = served
    user = sandbox.create_user("Ana")
    sandbox.create_group("Travellers", owner_id=user)
    key = sandbox.create_key(user, ["trips:read", "trips:write"])
    source = DOC.read_text().split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)
    titles = await namespace["tour"](key, base_url)
    assert titles == ["Bibury"]
