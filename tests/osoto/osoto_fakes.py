"""Test doubles for the client tests: a fake clock and scripted HTTP answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from osoto_bridge.sandbox import Sandbox

SANDBOX_BASE = "http://sandbox.test/api/v1"


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


def error_body(code: str, message: str = "nope", request_id: str = "req_1") -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "requestId": request_id,
            "details": [{"path": "title", "reason": "required"}],
        }
    }


Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler answering from a list of responses (or exceptions)."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def ok(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"X-Request-Id": "req_ok", **headers})


class ManualClock:
    """A clock whose sleepers wake only when the test advances it."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    @property
    def sleeping(self) -> int:
        return sum(1 for _, fut in self._sleepers if not fut.done())

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        for deadline, future in self._sleepers:
            if deadline <= self.now and not future.done():
                future.set_result(None)
        self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]
        await settle()


async def settle(rounds: int = 20) -> None:
    """Let every ready task run until the loop is quiet (a bounded number of turns)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps a real transport and injects scripted faults, recording what went by.

    Faults, consumed one per request in order (then everything passes through):
    `"timeout"` fails before the server sees the request; `"500"` answers a 500
    without forwarding; `"lost"` forwards (the server commits) and then loses the
    answer as a read timeout; `None` passes through.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, faults: Sequence[str | None]) -> None:
        self.inner = inner
        self.faults = list(faults)
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []
        self.responses: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "timeout":
            raise httpx.ConnectTimeout("injected: never reached the server", request=request)
        if fault == "500":
            self.statuses.append(500)
            return httpx.Response(500, json={"error": {"code": "INTERNAL", "message": "x"}})
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if fault == "lost":
            raise httpx.ReadTimeout("injected: answer lost after commit", request=request)
        self.statuses.append(response.status_code)
        self.responses.append(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class World:
    """A sandbox with one user, group, trip (plus a second channel) and full-scope key."""

    sandbox: Sandbox
    clock: FakeClock
    user_id: str
    group_id: str
    trip_id: str
    channel_id: str
    key: str
