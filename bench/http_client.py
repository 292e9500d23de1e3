"""The CPU one Osoto poll costs the bridge, by the HTTP client layer it goes through.

    .venv/bin/python bench/http_client.py              # 4,000 polls a variant, ~20 s
    .venv/bin/python bench/http_client.py --requests 10000 --concurrency 50

A small aiohttp server in a child process answers an empty page of messages, with the
rate-limit headers the sandbox sends; this process polls it through `Session` (the
pipeline every `OsotoClient` call takes: pacing off) and reads its own CPU time
(`time.process_time`, so the server's CPU is not counted). The variants:

* ``httpx-client``: `httpx.AsyncClient` over `AiohttpTransport` (before 2026-12);
* ``direct``: `DirectClient` over `AiohttpTransport` (what `ClientPool` uses);
* ``aiohttp``: a bare `aiohttp` GET of the same URL, the floor under both.

It prints microseconds of CPU per poll, the best of ``--rounds`` rounds each.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import socket
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
from aiohttp import web

from osoto_bridge.osoto import AiohttpTransport, DirectClient
from osoto_bridge.osoto.keys import Secret
from osoto_bridge.osoto.session import Session
from osoto_bridge.osoto.transport import HttpClient

KEY = "osk_live_0123456789abcdefBENCHHTTP"
PAGE = {"data": [], "nextCursor": "c-000123", "hasMore": False}
HEADERS = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "55", "X-Request-Id": "req-1"}


def _serve(port: int) -> None:
    async def messages(request: web.Request) -> web.Response:
        return web.json_response(PAGE, headers=HEADERS)

    app = web.Application()
    app.router.add_get("/api/v1/trips/{trip}/channels/{channel}/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _cpu_per_call(call: Callable[[], Awaitable[object]], n: int, concurrency: int) -> float:
    for _ in range(100):  # connections open, caches warm
        await call()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await call()

    started = time.process_time()
    await asyncio.gather(*(one() for _ in range(n)))
    return (time.process_time() - started) / n * 1e6


async def _session_variant(base: str, http: HttpClient, n: int, concurrency: int) -> float:
    session = Session(base, api_key=Secret(KEY), http=http, transport=None, limiter=None)
    await session.open()
    path = "/trips/t1/channels/general/messages"

    async def call() -> None:
        await session.request_json("GET", path, params={"cursor": "c-000122", "limit": 100})

    try:
        return await _cpu_per_call(call, n, concurrency)
    finally:
        await session.close()
        await http.aclose()


async def _aiohttp_variant(base: str, n: int, concurrency: int) -> float:
    url = f"{base}/trips/t1/channels/general/messages?cursor=c-000122&limit=100"
    headers = {"Accept": "application/json", "Authorization": f"Bearer {KEY}"}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:

        async def call() -> None:
            async with http.get(url, headers=headers) as answer:
                await answer.json()

        return await _cpu_per_call(call, n, concurrency)


async def _measure(variant: str, base: str, n: int, concurrency: int) -> float:
    timeout = httpx.Timeout(15.0, connect=5.0)
    if variant == "httpx-client":
        http: HttpClient = httpx.AsyncClient(transport=AiohttpTransport(), timeout=timeout)
        return await _session_variant(base, http, n, concurrency)
    if variant == "direct":
        return await _session_variant(
            base, DirectClient(AiohttpTransport(), timeout=timeout), n, concurrency
        )
    return await _aiohttp_variant(base, n, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="polls a round")
    parser.add_argument("--concurrency", type=int, default=20, help="polls at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds a variant (best kept)")
    args = parser.parse_args()
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(port,))
    server.start()
    try:
        _wait_for_port(port)
        base = f"http://127.0.0.1:{port}/api/v1"
        print(f"{args.requests} polls a round, {args.concurrency} at once; CPU of this process")
        for variant in ("httpx-client", "direct", "aiohttp"):
            best = min(
                asyncio.run(_measure(variant, base, args.requests, args.concurrency))
                for _ in range(args.rounds)
            )
            print(f"  {variant:<13} {best:6.0f} µs a poll")
    finally:
        server.terminate()
        server.join()


def _wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)  # a child process starting: nothing to wait on but the port
    raise SystemExit(f"the test server on port {port} did not start within {seconds:.0f} s")


if __name__ == "__main__":
    main()
