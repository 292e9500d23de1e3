"""The engine benchmark's stack: Osoto, the fake chats and the bridge, on loopback.

Reuses the relay benchmark's parts: the seeded world (`relay_world`), Osoto with its
request log (`relay_osoto.py`), the fake chats (`relay_chats.py`, ``--limits`` for the
platforms' rate limits) and process control (`relay_procs`). The bridge is
`osoto-bridge run`, a subprocess whose own CPU time is read from /proc apart from
the sandbox's and the fakes'; it can be killed (SIGKILL) and started again on the
same store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import relay_procs as procs
from relay_osoto import fingerprint
from relay_world import BenchTrip, link_trips, seed_osoto, with_chats

from osoto_bridge.store import generate_secret_key

HERE = Path(__file__).resolve().parent


@dataclass
class Stack:
    """Running processes of one scenario and how to reach them."""

    workdir: Path
    limits: bool
    osoto_rate: int
    log_level: str = "WARNING"
    trips: list[BenchTrip] = field(default_factory=list)
    osoto_url: str = ""
    control_url: str = ""
    http: httpx.AsyncClient | None = None
    bridge: asyncio.subprocess.Process | None = None
    servers: list[asyncio.subprocess.Process] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    bridge_cpu_before: float = 0.0  # CPU of bridges killed earlier in this stack
    took: dict[str, float] = field(default_factory=dict)

    @property
    def client(self) -> httpx.AsyncClient:
        assert self.http is not None
        return self.http

    async def start(self, trips: int) -> None:
        """Seed ``trips`` linked trips, start Osoto, the chats and the bridge."""
        python, work = sys.executable, self.workdir
        began = time.monotonic()
        seeded = seed_osoto(str(work / "osoto.db"), trips)
        port = procs.free_port()
        self.osoto_url = f"http://127.0.0.1:{port}/api/v1"
        self.servers.append(
            await procs.start(
                [python, str(HERE / "relay_osoto.py"), "--db", str(work / "osoto.db"),
                 "--port", str(port), "--rate-limit", str(self.osoto_rate)],
                log=work / "osoto.log",
            )
        )  # fmt: skip
        argv = [python, str(HERE / "relay_chats.py"), *(["--limits"] if self.limits else [])]
        chats_proc = await procs.start(argv, log=work / "chats.log", stdout_pipe=True)
        self.servers.append(chats_proc)
        assert chats_proc.stdout is not None
        async with asyncio.timeout(60):
            chats = json.loads(await chats_proc.stdout.readline())
        self.control_url = chats["control"]
        pool = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        self.http = httpx.AsyncClient(timeout=120.0, limits=pool)
        base = self.osoto_url.removesuffix("/api/v1")
        await until(lambda: self._ok(f"{base}/_bench/requests?since=0"), within=60, what="Osoto")
        ids = (await self.client.post(f"{self.control_url}/setup", json={"trips": trips})).json()
        self.trips = with_chats(seeded, ids["telegram"], ids["slack"])
        secret = generate_secret_key()
        db_url = f"sqlite+aiosqlite:///{work / 'bridge.db'}"
        await link_trips(db_url, secret, self.osoto_url, self.trips)
        self.took["servers_and_links"] = round(time.monotonic() - began, 2)
        http_port = procs.free_port()
        self.env = {
            "OSOTO_BRIDGE_OSOTO_BASE_URL": self.osoto_url,
            "OSOTO_BRIDGE_DATABASE_URL": db_url,
            "OSOTO_BRIDGE_SECRET_KEY": secret,
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": chats["telegram_token"],
            "OSOTO_BRIDGE_TELEGRAM_API_URL": chats["telegram_api_url"],
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": chats["slack_bot_token"],
            "OSOTO_BRIDGE_SLACK_API_URL": chats["slack_api_url"],
            "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": chats["slack_signing_secret"],
            "OSOTO_BRIDGE_HTTP_HOST": "127.0.0.1",
            "OSOTO_BRIDGE_HTTP_PORT": str(http_port),
            "OSOTO_BRIDGE_LOG_LEVEL": self.log_level,
        }
        events = {"events_url": f"http://127.0.0.1:{http_port}/slack/events"}
        await self.client.post(f"{self.control_url}/bridge", json=events)
        began = time.monotonic()
        await self.start_bridge()
        self.took["bridge_start"] = round(time.monotonic() - began, 2)

    async def start_bridge(self) -> None:
        """Start `osoto-bridge run`; return once it polls Telegram and knows Slack."""
        calls_before = (await self.stats())["telegram_calls"].get("getUpdates", 0)
        self.bridge = await procs.start(
            [sys.executable, "-m", "osoto_bridge.cli.main", "run"],
            log=self.workdir / "bridge.log",
            env=self.env,
        )

        async def ready() -> bool:
            stats = await self.stats()
            return stats["telegram_calls"].get("getUpdates", 0) > calls_before and bool(
                stats["slack_calls"].get("auth.test")
            )

        await until(ready, within=120, what="the bridge to start")

    async def kill_bridge(self) -> None:
        """SIGKILL the bridge (no grace); its CPU so far is kept."""
        assert self.bridge is not None
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            self.bridge_cpu_before += procs.cpu_seconds(self.bridge.pid)
        await procs.stop(self.bridge, grace=0)

    def bridge_cpu(self) -> float:
        """CPU seconds (user + system) the bridge process has used, its own only."""
        assert self.bridge is not None
        return self.bridge_cpu_before + procs.cpu_seconds(self.bridge.pid)

    async def stop(self) -> None:
        running = [p for p in (self.bridge, *self.servers) if p is not None]
        await asyncio.gather(
            *(procs.stop(p, grace=5.0 if p is self.bridge else 0) for p in running)
        )
        if self.http is not None:
            await self.http.aclose()

    # -- people writing -------------------------------------------------------------

    async def inject(self, lines: list[tuple[str, str, int]]) -> list[float]:
        """People write ``(text, platform, trip)`` in the chats; when each was written."""
        times: list[float] = []
        for start in range(0, len(lines), 1000):
            body = {"messages": [list(line) for line in lines[start : start + 1000]]}
            answer = await self.client.post(f"{self.control_url}/inject", json=body)
            times.extend(float(t) for t in answer.json()["times"])
        return times

    async def osoto_says(self, trip: int, text: str) -> float | None:
        """A companion writes in Osoto; when Osoto stored it (None: refused)."""
        found = self.trips[trip]
        answer = await self.client.post(
            f"{self.osoto_url}/trips/{found.trip_id}/channels/{found.channel_id}/messages",
            json={"content": text},
            headers={
                "Authorization": f"Bearer {found.companion_key}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
        if answer.status_code != 201:
            return None
        return float(answer.json()["_creationTime"]) / 1000.0

    # -- what arrived ---------------------------------------------------------------

    async def stats(self) -> dict[str, Any]:
        return dict((await self.client.get(f"{self.control_url}/stats")).json())

    async def received(self) -> list[list[Any]]:
        return list((await self.client.get(f"{self.control_url}/received")).json()["rows"])

    async def osoto_log(self) -> list[tuple[float, int, str, int, list[int]]]:
        """Osoto's request log of the bridge's keys: (finished at, trip, kind, status, tags).

        A post's tags are every line it carries (a merged post holds several).
        """
        base = self.osoto_url.removesuffix("/api/v1")
        log = (await self.client.get(f"{base}/_bench/requests?since=0")).json()
        owners = {fingerprint(t.owner_key): n for n, t in enumerate(self.trips)}
        rows = zip(log["at"], log["key"], log["status"], log["kind"], log["tags"], strict=True)
        return [(at, owners[k], kind, st, tags) for at, k, st, kind, tags in rows if k in owners]

    async def osoto_posts(self) -> list[tuple[float, int, list[int]]]:
        """The bridge's message POSTs to Osoto: (finished at, status, tags)."""
        log = await self.osoto_log()
        return [(at, st, tags) for at, _, kind, st, tags in log if kind == "post"]

    async def osoto_polls(self) -> dict[int, list[float]]:
        """When each of the bridge's message polls finished, by trip."""
        polls: dict[int, list[float]] = {}
        for at, trip, kind, status, _ in await self.osoto_log():
            if kind == "poll" and status == 200:
                polls.setdefault(trip, []).append(at)
        return polls

    async def osoto_messages(self) -> list[str]:
        base = self.osoto_url.removesuffix("/api/v1")
        return [str(c) for _, c in (await self.client.get(f"{base}/_bench/messages")).json()]

    async def _ok(self, url: str) -> bool:
        return (await self.client.get(url)).status_code == 200


async def until(check: Any, *, within: float, what: str, every: float = 0.2) -> bool:
    """Await ``check()`` until true, at most ``within`` seconds; False on time-out."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, OSError):
            if await check():
                return True
        await asyncio.sleep(every)
    if what.startswith("the bridge") or what == "Osoto":
        raise RuntimeError(f"timed out waiting for {what}")
    return False
