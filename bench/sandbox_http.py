"""Benchmark the sandbox's hot paths over real HTTP on loopback.

Fills a SQLite file with N trips x M messages (bulk SQL through the sandbox's own
connection, before serving), starts `osoto-bridge sandbox` under uvicorn in a
subprocess on a free loopback port, then drives it with concurrent httpx clients:

* poll:   GET  /trips/{id}/channels/{general}/messages?cursor=…  (cursor near the end)
* post:   POST /trips/{id}/channels/{general}/messages           (with Idempotency-Key)
* export: GET  /trips/{id}/export

and prints requests/s and p50/p99 latency per path. Every phase is bounded in time;
only 127.0.0.1 is contacted.

    .venv/bin/python bench/sandbox_http.py [--trips 1000] [--messages 1000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import httpx

from osoto_bridge.sandbox import SCOPE_BASES, Sandbox
from osoto_bridge.sandbox.cursors import encode
from osoto_bridge.sandbox.ids import new_id


@dataclass(frozen=True)
class Fixture:
    """What the load generator needs to know about the filled database."""

    key: str
    trips: list[tuple[str, str, int]]  # trip id, general channel id, last message seq


def fill(path: str, trips: int, messages: int) -> Fixture:
    """Create one user, `trips` trips and `messages` messages in each trip's general channel."""
    with Sandbox(path) as sb:
        conn = sb.context.conn
        user = sb.create_user("Bench", email="bench@example.com")
        group = sb.create_group("Bench group", owner_id=user)
        made: list[tuple[str, str, int]] = []
        conn.execute("BEGIN")
        now = time.time() * 1000
        for t in range(trips):
            trip = sb.create_trip(
                group_id=group, title=f"Trip {t}", start_date="2026-07-01", end_date="2026-07-08"
            )
            channel = conn.execute("SELECT id FROM channels WHERE trip_id = ?", (trip,)).fetchone()[
                0
            ]
            rows = []
            for m in range(messages):
                doc = {
                    "_id": new_id(),
                    "_creationTime": now + m,
                    "tripId": trip,
                    "channelId": channel,
                    "authorId": user,
                    "authorName": "Bench",
                    "content": f"message {m} of trip {t}: see you at the station at nine",
                }
                rows.append((doc["_id"], channel, json.dumps(doc, separators=(",", ":"))))
            conn.executemany("INSERT INTO messages (id, channel_id, doc) VALUES (?, ?, ?)", rows)
            for n in range(3):
                leg = {"order": n, "title": f"Leg {n}", "destination": "Somewhere",
                       "startDate": "2026-07-01", "endDate": "2026-07-03",
                       "timezone": "Europe/London", "flights": [], "stays": []}  # fmt: skip
                doc = {"_id": new_id(), "_creationTime": now, "tripId": trip, **leg}
                conn.execute(
                    "INSERT INTO content (id, kind, trip_id, sort1, doc)"
                    " VALUES (?, 'leg', ?, ?, ?)",
                    (doc["_id"], trip, f"{n:08d}", json.dumps(doc)),
                )
            last = conn.execute("SELECT max(seq) FROM messages WHERE channel_id = ?", (channel,))
            made.append((trip, channel, int(last.fetchone()[0])))
        conn.execute("COMMIT")
        key = sb.create_key(user, list(SCOPE_BASES))
    return Fixture(key=key, trips=made)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Requester(Protocol):
    """Sends one request and returns its status (the body is read in full)."""

    async def __call__(
        self, method: str, path: str, *, params: dict[str, str] | None = None,
        body: dict[str, str] | None = None, headers: dict[str, str] | None = None,
    ) -> int: ...  # fmt: skip


@asynccontextmanager
async def httpx_requester(base: str, key: str, concurrency: int) -> AsyncIterator[Requester]:
    """Requests through httpx (what the bridge's client uses)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=30
    ) as client:

        async def send(
            method: str, path: str, *, params: dict[str, str] | None = None,
            body: dict[str, str] | None = None, headers: dict[str, str] | None = None,
        ) -> int:  # fmt: skip
            response = await client.request(method, path, params=params, json=body, headers=headers)
            return response.status_code

        yield send


@asynccontextmanager
async def aiohttp_requester(base: str, key: str, concurrency: int) -> AsyncIterator[Requester]:
    """Requests through aiohttp, whose C parser costs the load generator far less CPU."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector,
        headers={"Authorization": f"Bearer {key}"},
        timeout=aiohttp.ClientTimeout(total=30),
    ) as session:

        async def send(
            method: str, path: str, *, params: dict[str, str] | None = None,
            body: dict[str, str] | None = None, headers: dict[str, str] | None = None,
        ) -> int:  # fmt: skip
            async with session.request(
                method, base + path, params=params, json=body, headers=headers
            ) as response:
                await response.read()
                return response.status

        yield send


REQUESTERS = {"httpx": httpx_requester, "aiohttp": aiohttp_requester}


async def wait_ready(send: Requester, deadline: float) -> None:
    """Poll until the server answers, or give up at `deadline`."""
    while time.monotonic() < deadline:
        try:
            await send("GET", "/me")
            return
        except (httpx.TransportError, aiohttp.ClientError):
            await asyncio.sleep(0.1)
    raise SystemExit("the sandbox did not start in time")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(
    name: str, call: Callable[[], Awaitable[int]], seconds: float, concurrency: int,
    server_pid: int,
) -> dict[str, Any]:  # fmt: skip
    """Run `call` from `concurrency` workers for `seconds`; return throughput and latency.

    Also returns the CPU time the server and this client spent per request: on a
    machine shared with other work, `1e6 / server_us` (requests a second one server
    core can carry) is the figure that does not depend on what else is running.
    """
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal failures
        while time.monotonic() < stop:
            started = time.perf_counter()
            status = await call()
            latencies.append(time.perf_counter() - started)
            if status >= 300:
                failures += 1

    began = time.monotonic()
    server_cpu = process_cpu_seconds(server_pid)
    client_cpu = time.process_time()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    elapsed = time.monotonic() - began
    server_us = (process_cpu_seconds(server_pid) - server_cpu) / len(latencies) * 1e6
    client_us = (time.process_time() - client_cpu) / len(latencies) * 1e6
    latencies.sort()
    return {
        "path": name,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "failures": failures,
        "server_us": server_us,
        "client_us": client_us,
    }


async def run(
    fixture: Fixture, port: int, args: argparse.Namespace, server_pid: int
) -> list[dict[str, Any]]:
    """Measure the three paths one after the other."""
    base = f"http://127.0.0.1:{port}/api/v1"
    async with REQUESTERS[args.client](base, fixture.key, args.concurrency) as send:
        await wait_ready(send, time.monotonic() + 60)
        rng = random.Random(7)

        def poll() -> Awaitable[int]:
            trip, channel, last = rng.choice(fixture.trips)
            # A poller a few messages behind: its stored cursor points at message last-5.
            cursor = encode("messages", channel, last - 5)
            path = f"/trips/{trip}/channels/{channel}/messages"
            return send("GET", path, params={"cursor": cursor})

        def post() -> Awaitable[int]:
            trip, channel, _ = rng.choice(fixture.trips)
            return send(
                "POST",
                f"/trips/{trip}/channels/{channel}/messages",
                body={"content": "bench message from the bridge"},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )

        def export() -> Awaitable[int]:
            trip, _, _ = rng.choice(fixture.trips)
            return send("GET", f"/trips/{trip}/export")

        results = []
        for name, call in (("GET messages (cursor)", poll), ("POST message", post),
                           ("GET export", export)):  # fmt: skip
            await drive(name, call, min(1.0, args.seconds), args.concurrency, server_pid)
            results.append(await drive(name, call, args.seconds, args.concurrency, server_pid))
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trips", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=1000, help="messages per trip")
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement per path")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent requests")
    parser.add_argument(
        "--client", choices=sorted(REQUESTERS), default="aiohttp", help="load generator"
    )
    args = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory(prefix="osoto-bench-") as tmp:
        db = str(Path(tmp) / "bench.db")
        began = time.monotonic()
        fixture = fill(db, args.trips, args.messages)
        print(f"filled {args.trips} trips x {args.messages} messages in "
              f"{time.monotonic() - began:.1f} s", file=sys.stderr)  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "osoto_bridge.cli.main", "sandbox", "--db", db,
             "--port", str(port), "--rate-limit", "1000000000", "--no-access-log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            results = asyncio.run(run(fixture, port, args, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    load_after = f"{os.getloadavg()[0]:.2f}"
    print(f"client: {args.client}, concurrency {args.concurrency}, {args.seconds:.0f} s per path")
    print(f"load average before/after: {load_before} / {load_after} on {os.cpu_count()} cores")
    print(f"{'path':<24}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'reqs':>8}{'errors':>7}"
          f"{'srv µs':>8}{'cli µs':>8}{'srv cap/s':>10}")  # fmt: skip
    for r in results:
        print(f"{r['path']:<24}{r['rps']:>8.0f}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}"
              f"{r['requests']:>8.0f}{r['failures']:>7.0f}{r['server_us']:>8.0f}"
              f"{r['client_us']:>8.0f}{1e6 / r['server_us']:>10.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
