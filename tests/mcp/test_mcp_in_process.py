"""The server in process, through the SDK's in-memory client: pacing, scopes, retries.

Here the Osoto client is built by the test, so time can be injected: a burst of tool
calls larger than the key's budget is paced on a fake clock, with no real waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp.shared.exceptions import McpError
from mcp.shared.memory import create_connected_server_and_client_session
from mcp_harness import DemoWorld, serve_sandbox

from osoto_bridge.commands import CommandContext, CommandService, SnapshotCache
from osoto_bridge.mcp import ToolContext, build_server
from osoto_bridge.osoto import OsotoClient, RateLimiter, RetryPolicy, SharedTripClient
from osoto_bridge.text import render_osoto, render_plain


class FakeTime:
    """One clock for the sandbox (epoch seconds) and the client (pacing, backoff)."""

    def __init__(self) -> None:
        self.now = 1_780_000_030.0  # mid-minute: the sandbox's windows follow the clock

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class Recording(httpx.AsyncBaseTransport):
    """Records the status of every answer the Osoto client gets."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.statuses: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@asynccontextmanager
async def connected(
    world: DemoWorld,
    key: str,
    *,
    time: FakeTime | None = None,
    limiter: RateLimiter | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> AsyncIterator[ClientSession]:
    extra: dict[str, Any] = {}
    if time is not None:
        extra = {"clock": time, "sleep": time.sleep, "retry": RetryPolicy(random=lambda: 0.0)}
    async with OsotoClient(
        key, world.base_url, transport=transport, limiter=limiter, **extra
    ) as client:
        context = ToolContext(
            client=client,
            shared=lambda token: SharedTripClient(token, world.base_url),
            **({"now": now} if now is not None else {}),
        )
        async with create_connected_server_and_client_session(build_server(context)) as session:
            yield session


@contextlib.contextmanager
def socket_closed() -> Iterator[str]:
    """A loopback base URL on which nothing listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}/api/v1"


async def _burst(session: ClientSession, trip: str, count: int) -> list[bool]:
    calls = [session.call_tool("get_trip", {"tripId": trip}) for _ in range(count)]
    return [result.isError for result in await asyncio.gather(*calls)]


async def test_a_burst_of_tool_calls_is_paced_under_the_budget_and_meets_no_429() -> None:
    time = FakeTime()
    async with serve_sandbox(rate_limit=60, clock=time) as world:
        recording = Recording()
        limiter = RateLimiter(clock=time, sleep=time.sleep)
        started = time.now
        async with connected(
            world, world.key, time=time, limiter=limiter, transport=recording
        ) as session:
            errors = await _burst(session, world.trip_id, 75)
    assert errors == [False] * 75
    assert recording.statuses.count(200) == 75 and 429 not in recording.statuses
    assert time.now - started >= 60  # the last 15 waited for the next window


async def test_the_same_burst_sent_unpaced_meets_429s() -> None:
    # The control: the burst really is over the key's budget when nothing paces it.
    time = FakeTime()
    async with serve_sandbox(rate_limit=60, clock=time) as world:
        headers = {"Authorization": f"Bearer {world.key}"}
        async with httpx.AsyncClient(base_url=world.base_url, headers=headers) as http:
            answers = [await http.get(f"/trips/{world.trip_id}") for _ in range(75)]
    assert [a.status_code for a in answers].count(429) == 15


async def test_a_key_without_the_scope_gets_forbidden_with_osotos_request_id(
    world: DemoWorld,
) -> None:
    trip = world.trip_id
    reader = world.sandbox.create_key(world.user_id(0), [f"trips:read:{trip}"])
    async with connected(world, reader) as session:
        todo = await session.call_tool("todo", {"tripId": trip})
        write = await session.call_tool(
            "create_action_item", {"tripId": trip, "text": "Sneak in", "urgency": "now"}
        )
        post = await session.call_tool("post_message", {"tripId": trip, "content": "hi"})
        resources = await session.list_resources()
    assert not todo.isError
    for refused in (write, post):
        assert refused.isError and refused.structuredContent is not None
        error = refused.structuredContent["error"]
        assert error["code"] == "FORBIDDEN" and error["status"] == 403
        assert error["requestId"].startswith("req_") and "scope" in error["hint"]
    assert [str(r.uri) for r in resources.resources][1:] == [f"osoto://trips/{trip}/export"]
    async with OsotoClient(world.key, world.base_url) as osoto:
        items = [i.text async for i in osoto.iterate_action_items(trip)]
    assert "Sneak in" not in items


async def test_an_agent_repeating_a_create_gets_the_first_answer_not_a_second_row(
    world: DemoWorld,
) -> None:
    trip = world.trip_id
    pin = {"tripId": trip, "name": "Galata Tower", "lat": 41.0256, "lng": 28.9742}
    async with connected(world, world.key) as session:
        first = await session.call_tool("create_map_pin", pin)
        again = await session.call_tool("create_map_pin", pin)  # a retry after a lost answer
        other = await session.call_tool("create_map_pin", {**pin, "idempotencyKey": "second"})
        post = {"tripId": trip, "content": "Tower at sunset?"}
        said = [await session.call_tool("post_message", post) for _ in range(2)]
    assert first.structuredContent is not None and again.structuredContent is not None
    assert first.structuredContent["_id"] == again.structuredContent["_id"]
    assert other.structuredContent is not None
    assert other.structuredContent["_id"] != first.structuredContent["_id"]
    assert said[0].structuredContent == said[1].structuredContent
    async with OsotoClient(world.key, world.base_url) as osoto:
        pins = [p.name async for p in osoto.iterate_map_pins(trip)]
        general = next(c for c in await osoto.list_channels(trip) if c.name == "general")
        messages = [m.content async for m in osoto.iterate_messages(trip, general.id)]
    assert pins.count("Galata Tower") == 2  # the retry replayed; the new key wrote again
    assert messages.count("Tower at sunset?") == 1


async def test_the_answers_are_the_ones_the_chat_gets(world: DemoWorld) -> None:
    now = dt.datetime.now(dt.UTC)
    trip = world.trip_id
    chat = CommandContext(
        trip_id=trip,
        language="en",
        show_sensitive=False,
        scopes=("trips:read", "trips:write"),
        is_admin=True,
        is_group=False,
        now=now,
        platform="console",
    )
    service = CommandService(cache=SnapshotCache())
    asked = {
        "where": ({"day": "tomorrow"}, "/where tomorrow"),
        "next": ({}, "/next"),
        "plan": ({}, "/plan"),
        "todo": ({}, "/todo"),
    }
    async with connected(world, world.key, now=lambda: now) as session:
        for tool, (arguments, command) in asked.items():
            markdown = await session.call_tool(tool, {"tripId": trip, **arguments})
            plain = await session.call_tool(tool, {"tripId": trip, "format": "plain", **arguments})
            async with OsotoClient(world.key, world.base_url) as osoto:
                reply = await service.handle(command, chat, osoto)
            assert reply is not None
            assert markdown.content[0].text == render_osoto(reply.document)  # type: ignore[union-attr]
            assert plain.content[0].text == render_plain(reply.document)  # type: ignore[union-attr]


async def test_an_unknown_trip_export_resource_is_a_not_found_error(world: DemoWorld) -> None:
    async with connected(world, world.key) as session:
        with pytest.raises(McpError) as raised:
            await session.read_resource("osoto://trips/no-such-trip/export")  # type: ignore[arg-type]
        with pytest.raises(McpError) as unknown:
            await session.read_resource("osoto://elsewhere")  # type: ignore[arg-type]
    assert raised.value.error.message.startswith("NOT_FOUND: ")
    assert isinstance(raised.value.error.data, dict)
    assert raised.value.error.data["requestId"].startswith("req_")
    assert "no resource osoto://elsewhere" in unknown.value.error.message


async def test_osoto_out_of_reach_is_a_transport_error_that_says_a_retry_is_safe() -> None:
    time = FakeTime()
    with socket_closed() as base_url:
        world = DemoWorld(sandbox=None, base_url=base_url, credentials={})  # type: ignore[arg-type]
        async with connected(world, "osk_unreachable", time=time) as session:
            result = await session.call_tool("post_message", {"tripId": "t", "content": "hi"})
    assert result.isError and result.structuredContent is not None
    error = result.structuredContent["error"]
    assert error["code"] == "TRANSPORT_ERROR" and "idempotencyKey" in error["hint"]
