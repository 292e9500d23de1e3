"""The fault run's proxy in front of Osoto: 429s, 5xx, delays and lost write answers.

A plain HTTP reverse proxy (aiohttp) on loopback that the bridge is pointed at.
While on, from a seeded generator, each request may be answered 429 (Retry-After 1)
or 503 without reaching Osoto, delayed by up to half a second, or, for a write
(POST), passed on and then have its answer lost: Osoto did the write, the bridge's
connection is closed before any answer (what a dropped connection does; the
bridge's Idempotency-Key must turn its retry into a replay).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import aiohttp
from aiohttp import web

P_429 = 0.03
P_5XX = 0.03
P_DELAY = 0.04
P_LOST_WRITE = 0.04
_HOP = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class FaultProxy:
    """Forwards everything to ``upstream`` (``http://host:port``), faults included."""

    def __init__(self, upstream: str, seed: int) -> None:
        self._upstream = upstream.rstrip("/")
        self._rng = random.Random(seed)
        self.on = False
        self.injected: Counter[str] = Counter()
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        lose = False
        if self.on:
            roll = self._rng.random()
            if roll < P_429:
                self.injected["429"] += 1
                return web.json_response(
                    {"error": {"code": "RATE_LIMITED", "message": "injected"}},
                    status=429,
                    headers={"Retry-After": "1"},
                )
            if roll < P_429 + P_5XX:
                self.injected["5xx"] += 1
                return web.json_response(
                    {"error": {"code": "UNAVAILABLE", "message": "injected"}}, status=503
                )
            if roll < P_429 + P_5XX + P_DELAY:
                self.injected["delay"] += 1
                await asyncio.sleep(self._rng.uniform(0.05, 0.5))
            lose = request.method == "POST" and self._rng.random() < P_LOST_WRITE
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        async with self._session.request(
            request.method, self._upstream + request.path_qs, data=body, headers=headers
        ) as upstream:
            payload = await upstream.read()
            status = upstream.status
            answer_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP}
        if lose and request.transport is not None:
            self.injected["lost_write_response"] += 1
            request.transport.close()  # done upstream; the answer never reaches the bridge
        return web.Response(body=payload, status=status, headers=answer_headers)
