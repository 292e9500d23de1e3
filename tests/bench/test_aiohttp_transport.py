"""`AiohttpTransport`, the relay's HTTP underneath httpx: the same requests, answers
and errors as httpx's own transport, against a real server on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from osoto_bridge.osoto import AiohttpTransport


@pytest.fixture
async def server() -> AsyncIterator[str]:
    release = asyncio.Event()

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        answer = {
            "method": request.method,
            "query": dict(request.query),
            "body": body.decode(),
            "key": request.headers.get("Idempotency-Key"),
        }
        return web.json_response(answer, status=201, headers={"X-RateLimit-Remaining": "59"})

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/slow", slow)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        release.set()
        await runner.cleanup()


async def test_requests_and_answers_pass_through_unchanged(server: str) -> None:
    async with httpx.AsyncClient(transport=AiohttpTransport(), base_url=server) as client:
        response = await client.post(
            "/echo", params={"cursor": "abc"}, json={"content": "hi"},
            headers={"Idempotency-Key": "k-1"},
        )  # fmt: skip
    assert response.status_code == 201
    assert response.headers["x-ratelimit-remaining"] == "59"
    assert response.json() == {
        "method": "POST",
        "query": {"cursor": "abc"},
        "body": json.dumps({"content": "hi"}, separators=(",", ":")),
        "key": "k-1",
    }


async def test_a_closed_port_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/")


async def test_a_silent_server_is_a_timeout(server: str) -> None:
    async with httpx.AsyncClient(
        transport=AiohttpTransport(), base_url=server, timeout=httpx.Timeout(0.2)
    ) as client:
        with pytest.raises(httpx.TimeoutException):
            await client.get("/slow")
