"""Replicas on one PostgreSQL: the sandbox, the fake chats and N `osoto-bridge run`s.

Shared by the scenario test (tests/ops/test_replicas_scenario.py) and the benchmark
(bench/replicas.py). Every process runs on 127.0.0.1: Osoto (`relay_osoto.py`, the
sandbox at 60 requests a minute per key, logging each request), Telegram and Slack
(`relay_chats.py`: the tests' fakes; Telegram answers 409 to a second live poller,
Slack events go round robin to the replicas, a retry to the next one), and the
replicas, each with its own id and HTTP port, in one fresh PostgreSQL schema.

Lines carry a tag (``msg0000001x``) the Osoto log and the tallies read.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from osoto_bridge.store import Store, generate_secret_key

HERE = Path(__file__).resolve().parent


def _bench_module(name: str) -> Any:
    # By path, under a name of its own: tests/relay has a relay_world module too, and
    # the scenario test imports this file beside it.
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


procs = _bench_module("relay_procs")
_world = _bench_module("relay_world")
BenchTrip = _world.BenchTrip
link_trips = _world.link_trips
seed_osoto = _world.seed_osoto
with_chats = _world.with_chats


async def wait_for(check: Callable[[], Awaitable[bool]], *, within: float, what: str) -> None:
    """Ask ``check`` (an HTTP or database read) until it says yes, at most ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, OSError):
            if await check():
                return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"timed out after {within:g}s waiting for {what}")


@dataclass
class Replica:
    """One `run` process."""

    name: str
    port: int
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Sent:
    """A line written by a person: where, and when."""

    tag: str
    origin: str  # telegram | slack | osoto
    trip: int
    at: float


@dataclass
class World:
    """The running processes and what was written."""

    work: Path
    pg_url: str
    trips: list[BenchTrip] = field(default_factory=list)
    replicas: list[Replica] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    osoto_url: str = ""
    control_url: str = ""
    chats: dict[str, str] = field(default_factory=dict)
    schema: str = ""
    secret: str = ""
    http: httpx.AsyncClient | None = None
    store: Store | None = None
    lease_ttl: float = 3.0
    commands: int = 0
    _seq: int = 0
    _servers: list[asyncio.subprocess.Process] = field(default_factory=list)

    # -- replicas ---------------------------------------------------------------

    def env(self, replica: Replica) -> dict[str, str]:
        return {
            "OSOTO_BRIDGE_OSOTO_BASE_URL": self.osoto_url,
            "OSOTO_BRIDGE_DATABASE_URL": self.pg_url,
            "OSOTO_BRIDGE_DATABASE_SCHEMA": self.schema,
            "OSOTO_BRIDGE_SECRET_KEY": self.secret,
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": self.chats["telegram_token"],
            "OSOTO_BRIDGE_TELEGRAM_API_URL": self.chats["telegram_api_url"],
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": self.chats["slack_bot_token"],
            "OSOTO_BRIDGE_SLACK_API_URL": self.chats["slack_api_url"],
            "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": self.chats["slack_signing_secret"],
            "OSOTO_BRIDGE_HTTP_HOST": "127.0.0.1",
            "OSOTO_BRIDGE_HTTP_PORT": str(replica.port),
            "OSOTO_BRIDGE_REPLICA_ID": replica.name,
            "OSOTO_BRIDGE_LEASE_TTL": str(self.lease_ttl),
            "OSOTO_BRIDGE_POLL_IDLE_INTERVAL": "5",
            "OSOTO_BRIDGE_LOG_LEVEL": "INFO",
        }

    async def start(self, replica: Replica) -> None:
        replica.process = await procs.start(
            [sys.executable, "-m", "osoto_bridge", "run"],
            log=self.work / f"{replica.name}.log",
            env=self.env(replica),
        )

    async def ready(self, replica: Replica, within: float = 60.0) -> None:
        assert self.http is not None

        async def answers() -> bool:
            assert self.http is not None
            assert replica.process is not None
            if replica.process.returncode is not None:
                log = (self.work / f"{replica.name}.log").read_text(errors="replace")
                raise RuntimeError(
                    f"{replica.name} exited with {replica.process.returncode}: {log[-1500:]}"
                )
            response = await self.http.get(f"{replica.url}/readyz")
            return response.status_code == 200

        await wait_for(answers, within=within, what=f"{replica.name} to be ready")

    def kill(self, replica: Replica) -> None:
        assert replica.process is not None
        replica.process.send_signal(signal.SIGKILL)

    async def stop(self, replica: Replica) -> int | None:
        assert replica.process is not None
        return await procs.stop(replica.process, grace=30.0)

    async def holders(self) -> dict[str, int]:
        assert self.store is not None
        return await self.store.lease_holders()

    async def leased_by(self, names: set[str], *, within: float) -> float:
        """Wait until every unit (and the poller) is held by ``names``; the seconds it took."""
        began = time.monotonic()
        units = len(self.trips) + 2  # keys, the Telegram poller, the plan watch

        async def settled() -> bool:
            held = await self.holders()
            return set(held) <= names and sum(held.values()) == units

        await wait_for(settled, within=within, what=f"the leases to settle on {sorted(names)}")
        return time.monotonic() - began

    async def spread_over(self, names: set[str], *, within: float) -> None:
        """Wait until every unit is held and each of ``names`` holds at least one."""
        units = len(self.trips) + 2

        async def spread() -> bool:
            held = await self.holders()
            return set(held) == names and sum(held.values()) == units

        await wait_for(spread, within=within, what=f"every one of {sorted(names)} to hold work")

    # -- people -------------------------------------------------------------------

    def tag(self) -> str:
        self._seq += 1
        return f"msg{self._seq:07d}x"

    async def write(self, origin: str, trip: int) -> Sent:
        assert self.http is not None
        line = Sent(self.tag(), origin, trip, time.time())
        text = f"line {line.tag} from {origin}"
        if origin == "osoto":
            t = self.trips[trip]
            response = await self.http.post(
                f"{self.osoto_url}/trips/{t.trip_id}/channels/{t.channel_id}/messages",
                json={"content": text},
                headers={
                    "Authorization": f"Bearer {t.companion_key}",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            response.raise_for_status()
        else:
            body = {"messages": [[text, origin, trip]]}
            response = await self.http.post(f"{self.control_url}/inject", json=body)
            line.at = float(response.json()["times"][0])
        self.sent.append(line)
        return line

    async def command(self, origin: str, trip: int, text: str) -> None:
        """A person asks the bot (``/where``): answered on the replica the event reaches."""
        assert self.http is not None
        body = {"messages": [[text, origin, trip]]}
        response = await self.http.post(f"{self.control_url}/inject", json=body)
        response.raise_for_status()
        self.commands += 1

    # -- what arrived -------------------------------------------------------------

    async def tally(self) -> Tally:
        assert self.http is not None
        received = (await self.http.get(f"{self.control_url}/received")).json()["rows"]
        messages = (await self.http.get(f"{self.osoto_base}/_bench/messages")).json()
        in_chat: Counter[tuple[str, str]] = Counter()  # (platform, tag)
        arrived: dict[tuple[str, str], float] = {}
        for at, platform, _chat, text in received:
            for line in self.sent:
                if line.tag in text:
                    in_chat[(platform, line.tag)] += 1
                    arrived.setdefault((platform, line.tag), float(at))
        in_osoto: Counter[str] = Counter()
        for _channel, content in messages:
            for line in self.sent:
                if line.tag in content:
                    in_osoto[line.tag] += 1
        return Tally(self, in_chat, in_osoto, arrived)

    @property
    def osoto_base(self) -> str:
        return self.osoto_url.removesuffix("/api/v1")

    async def posted_at(self) -> dict[str, float]:
        """When each tagged line's post to Osoto was answered 201 (epoch), by tag."""
        assert self.http is not None
        log = (await self.http.get(f"{self.osoto_base}/_bench/requests?since=0")).json()
        found: dict[str, float] = {}
        for at, status, tags in zip(log["at"], log["status"], log["tags"], strict=True):
            if status == 201:
                for tag in tags:  # a merged post carries several lines
                    found.setdefault(f"msg{tag:07d}x", float(at))
        return found

    async def budget(self) -> tuple[int, int]:
        """(429 answers, most requests of one key in any 60 s) from Osoto's log."""
        assert self.http is not None
        log = (await self.http.get(f"{self.osoto_base}/_bench/requests?since=0")).json()
        limited = sum(1 for status in log["status"] if status == 429)
        per_key: dict[str, list[float]] = {}
        for at, key in zip(log["at"], log["key"], strict=True):
            per_key.setdefault(key, []).append(float(at))
        most = 0
        for times in per_key.values():
            times.sort()
            start = 0
            for end, at in enumerate(times):
                while at - times[start] >= 60.0:
                    start += 1
                most = max(most, end - start + 1)
        return limited, most

    async def chat_stats(self) -> dict[str, Any]:
        assert self.http is not None
        stats: dict[str, Any] = (await self.http.get(f"{self.control_url}/stats")).json()
        return stats


@dataclass
class Tally:
    """Every line's copies: in Osoto and in each chat."""

    world: World
    in_chat: Counter[tuple[str, str]]
    in_osoto: Counter[str]
    arrived: dict[tuple[str, str], float]

    def places(self, line: Sent) -> list[str]:
        """Where a line must arrive: Osoto (from a chat) and the chats it was not written in."""
        return [p for p in ("osoto", "telegram", "slack") if p != line.origin]

    def count(self, line: Sent, place: str) -> int:
        if place == "osoto":
            return self.in_osoto[line.tag]
        return self.in_chat[(place, line.tag)]

    def missing(self) -> list[tuple[str, str]]:
        return [
            (line.tag, place)
            for line in self.world.sent
            for place in self.places(line)
            if self.count(line, place) == 0
        ]

    def echoes(self) -> list[str]:
        """Lines relayed back into the chat they were written in."""
        return [
            line.tag
            for line in self.world.sent
            if line.origin != "osoto" and self.in_chat[(line.origin, line.tag)] > 0
        ]

    def doubled(self, place_kind: str) -> list[tuple[str, str, int]]:
        """Lines with more than one copy: toward Osoto (``osoto``) or the chats (``chat``)."""
        found = []
        for line in self.world.sent:
            for place in self.places(line):
                if (place == "osoto") == (place_kind == "osoto"):
                    n = self.count(line, place)
                    if n > 1:
                        found.append((line.tag, place, n))
        return found


@contextlib.asynccontextmanager
async def world(
    work: Path, pg_url: str, *, trips: int, replicas: int, lease_ttl: float = 3.0
) -> AsyncIterator[World]:
    """Start Osoto and the chats, link ``trips`` trips (a key each), start the replicas."""
    w = World(work=work, pg_url=pg_url, lease_ttl=lease_ttl)
    w.schema = f"replicas_{uuid.uuid4().hex[:10]}"
    w.secret = generate_secret_key()
    w.trips = seed_osoto(str(work / "osoto.db"), trips)
    osoto_port = procs.free_port()
    w.osoto_url = f"http://127.0.0.1:{osoto_port}/api/v1"
    try:
        w._servers.append(
            await procs.start(
                [
                    sys.executable,
                    str(HERE / "relay_osoto.py"),
                    "--db",
                    str(work / "osoto.db"),
                    "--port",
                    str(osoto_port),
                    "--rate-limit",
                    "60",
                ],
                log=work / "osoto.log",
            )
        )
        chats_proc = await procs.start(
            [sys.executable, str(HERE / "relay_chats.py")],
            log=work / "chats.log",
            stdout_pipe=True,
        )
        w._servers.append(chats_proc)
        assert chats_proc.stdout is not None
        async with asyncio.timeout(60):
            w.chats = json.loads(await chats_proc.stdout.readline())
        w.control_url = w.chats["control"]
        async with httpx.AsyncClient(timeout=60.0) as http:
            w.http = http

            async def osoto_up() -> bool:
                return (await http.get(f"{w.osoto_base}/_bench/requests?since=0")).is_success

            await wait_for(osoto_up, within=60, what="Osoto")
            ids = (await http.post(f"{w.control_url}/setup", json={"trips": trips})).json()
            w.trips = with_chats(w.trips, ids["telegram"], ids["slack"])
            await link_trips(pg_url, w.secret, w.osoto_url, w.trips, schema=w.schema)
            w.replicas = [Replica(f"r{n}", procs.free_port()) for n in range(replicas)]
            await http.post(
                f"{w.control_url}/bridge",
                json={"events_urls": [f"{r.url}/slack/events" for r in w.replicas]},
            )
            async with Store.open(pg_url, secret_keys=[w.secret], schema=w.schema) as store:
                w.store = store
                try:
                    yield w
                finally:
                    await asyncio.gather(
                        *(procs.stop(r.process, grace=10.0) for r in w.replicas if r.process)
                    )
    finally:
        await asyncio.gather(*(procs.stop(p, grace=0) for p in w._servers))
        engine = create_async_engine(pg_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{w.schema}" CASCADE'))
        finally:
            await engine.dispose()


def pg_url_from_env() -> str | None:
    return os.environ.get("OSOTO_BRIDGE_TEST_POSTGRES_URL") or None
