"""A fault run of the relay in real processes: bounded in time, reproducible from a seed.

    .venv/bin/python bench/relay_faults.py [--seed 14] [--rooms 15] [--lines 1500]

Each part is its own process on 127.0.0.1, as in `relay.py`: Osoto (the sandbox,
`relay_osoto.py`), the fake Telegram and Slack (`relay_faults_chats.py`: 429s, lost
send responses, Slack echoing the bot's own messages, Slack's event retries) and the
bridge itself, ``osoto-bridge run``, pointed at Osoto through a fault-injecting proxy
(`relay_faults_proxy.py`: 429s, 5xx, delays, lost answers to writes). Rooms are
trips linked to a Telegram group and a Slack channel.

While lines are written from Osoto, Telegram and Slack (a quarter of them replies to
an earlier line of the room, from any side, to any copy of it), the bridge is killed
with SIGKILL or stopped with SIGTERM every few seconds and started again. Then
hostile inputs. Then, faults off, the run waits (bounded) for everything to arrive,
stops the bridge and prints per path (`relay_faults_report`): sent, exactly once,
lost, doubled toward Osoto, doubled toward chats (and why), echoes, replies that
lost their parent (and those whose parent copy's id no platform told the bridge),
inputs altered or dropped, Slack events refused, keys in the logs, and the SIGTERM
stop and start times.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import relay_procs as procs
from relay_faults_proxy import FaultProxy
from relay_faults_report import Line, View, report
from relay_world import BenchTrip, link_trips, seed_osoto, with_chats

from osoto_bridge.store import generate_secret_key

HERE = Path(__file__).resolve().parent
TOKEN = re.compile(r"\b[LHE]\d{4,5}x")
JSON = "application/json"
STOP_WAIT = 40.0
"""Seconds a SIGTERM stop may take before the run kills the bridge (its grace is 30)."""

HOSTILE = [
    ("long", lambda t: f"{t} " + "word " * 4000),
    ("zero_width", lambda t: f"{t} zero\u200bwidth\u200d\ufeff"),
    ("rtl", lambda t: f"{t} \u202eRTL override \u05e9\u05dc\u05d5\u05dd"),
    ("lone_surrogate", lambda t: f"{t} half \ud83d smile"),
    ("mentions", lambda t: f"{t} <!channel> <!here> @everyone @here <@U123>"),
    ("markup", lambda t: f"{t} *b* _i_ `c` ~s~ <b>x</b> &amp; [l](http://x) <http://y|z>"),
    ("unknown_command", lambda t: f"/frobnicate {t}"),
    ("malformed_command", lambda t: f"/where@ {t} ((("),
    ("media_without_text", lambda t: t),
]


@dataclass
class Bridge:
    """The ``osoto-bridge run`` process: started, killed, stopped, timed."""

    argv: list[str]
    env: dict[str, str]
    log: Path
    ready_url: str
    process: asyncio.subprocess.Process | None = None
    starts: list[float] = field(default_factory=list)
    stops: list[float] = field(default_factory=list)
    stop_codes: list[int | None] = field(default_factory=list)
    kills: int = 0
    downs: list[float] = field(default_factory=list)
    """Wall times of each SIGKILL and SIGTERM (what explains a double toward a chat)."""

    async def start(self, http: httpx.AsyncClient) -> None:
        began = time.monotonic()
        self.process = await procs.start(self.argv, log=self.log, env=self.env)
        deadline = began + 120.0
        while time.monotonic() < deadline:  # readiness, polled
            if self.process.returncode is not None:
                raise RuntimeError(f"the bridge exited at start ({self.process.returncode})")
            try:
                if (await http.get(self.ready_url, timeout=1.0)).status_code == 200:
                    self.starts.append(time.monotonic() - began)
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError("the bridge did not become ready in 120 s")

    async def kill(self) -> None:
        assert self.process is not None
        self.kills += 1
        self.downs.append(time.time())
        await procs.stop(self.process, grace=0)

    async def terminate(self) -> None:
        assert self.process is not None
        self._mark("SIGTERM sent")
        self.downs.append(time.time())
        began = time.monotonic()
        code = await procs.stop(self.process, grace=STOP_WAIT)
        self.stops.append(time.monotonic() - began)
        self.stop_codes.append(code)
        self._mark(f"exited with {code}")

    def _mark(self, what: str) -> None:
        """A line in the bridge's log, in its format, to read a stop's steps against."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S") + f",{int(time.time() * 1000) % 1000:03d}"
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"{stamp} INFO bench.relay_faults: {what}\n")


class Run:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.rng = random.Random(args.seed)
        self.trips: list[BenchTrip] = []
        self.lines: list[Line] = []
        self.view = View()
        self.osoto_url = ""
        self.control = ""
        self.bridge: Bridge | None = None

    # -- what people write --------------------------------------------------------

    async def refresh(self, http: httpx.AsyncClient) -> None:
        """Read what the chats and Osoto show now (for replies to pick a copy)."""
        since = len(self.view.rows)
        rows = (await http.get(f"{self.control}/received", params={"since": since})).json()
        self.view.rows.extend(rows["rows"])
        base = self.osoto_url.removesuffix("/api/v1")
        self.view.osoto = (await http.get(f"{base}/_bench/threads")).json()

    async def watch(self, http: httpx.AsyncClient, until: asyncio.Event) -> None:
        while not until.is_set():
            await self.refresh(http)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), 1.0)

    def pick_parent(self, line: Line) -> str | None:
        """The id, on the line's side, of the message it answers (any copy of it).

        A copy may carry several lines (merged under a platform's pace): the person
        answers the message, so the line answers whichever of them the bridge picks
        (it documents the last one); `Line.parent_choices` keeps them all.
        """
        parent = self.view.line(line.parent)
        if parent is None:
            return None
        if parent.origin == line.origin:
            return parent.own_id
        if line.origin == "osoto":
            found = self.view.osoto_copies(parent)
            if not found:
                return None
            content = next(m[2] for m in self.view.osoto if m[0] == found[0])
            self.carried(line, content)
            return found[0]
        rows = self.view.chat_rows(parent, line.origin, self.trips[line.room])
        if not rows:
            return None
        chosen = self.rng.choice(rows)
        line.parent_copy = str(chosen[5])
        self.carried(line, chosen[4])
        return line.parent_copy

    def carried(self, line: Line, text: str) -> None:
        """``line`` answers a message with this text: the lines it carries."""
        tokens = [t for t in TOKEN.findall(text) if self.view.line(t) is not None]
        if len(tokens) > 1:
            line.parent_choices = tuple(tokens)
            line.parent = tokens[-1]

    def rooted(self, line: Line, root: str) -> None:
        """Slack put the reply in the thread of ``root`` (Slack names only a thread's
        root): the line answers the root's line, as a person there sees it."""
        if root == line.parent_copy or root == self._own_id(line.parent):
            return
        line.parent_choices = ()
        own = next((p for p in self.lines if p.origin == "slack" and p.own_id == root), None)
        if own is not None:
            line.parent, line.parent_copy = own.token, None
            return
        copy = next((r for r in self.view.chat_of("slack", self.trips[line.room])
                     if str(r[5]) == root), None)  # fmt: skip
        line.parent_copy = root
        if copy is not None:
            line.parent = None
            self.carried(line, copy[4])
            if line.parent is None:
                found = TOKEN.search(copy[4])
                line.parent = found[0] if found is not None else None

    def _own_id(self, token: str | None) -> str | None:
        parent = self.view.line(token)
        return parent.own_id if parent is not None and parent.origin == "slack" else None

    async def write(self, http: httpx.AsyncClient, line: Line, text: str, **extra: Any) -> None:
        self.lines.append(line)
        self.view.add(line)
        trip = self.trips[line.room]
        target = self.pick_parent(line) if line.parent else None
        if target is None:
            line.parent = None  # nothing of it to answer yet: a plain line
        if line.origin == "osoto":
            body: dict[str, Any] = {"content": text}
            if target is not None:
                body["parentId"] = target
            response = await http.post(
                f"{self.osoto_url}/trips/{trip.trip_id}/channels/{trip.channel_id}/messages",
                content=_json(body),
                headers={
                    "Authorization": f"Bearer {trip.companion_key}",
                    "Idempotency-Key": str(uuid.uuid4()),
                    "Content-Type": JSON,
                },
            )
            response.raise_for_status()
            line.own_id = str(response.json()["_id"])
            return
        message = {"platform": line.origin, "trip": line.room, "text": text, **extra}
        if target is not None:
            message["reply_to"] = target
        answer = (
            await http.post(
                f"{self.control}/inject",
                content=_json({"messages": [message]}),
                headers={"Content-Type": JSON},
            )
        ).json()
        line.own_id = answer["ids"][0]
        if line.origin == "slack":
            # The thread the fake put it in (the root of the target's thread), and so
            # the line it answers in Slack's eyes: what the bridge was told.
            line.thread = answer["threads"][0] or line.own_id
            if target is not None and line.thread != target:
                self.rooted(line, line.thread)

    async def traffic(self, http: httpx.AsyncClient) -> None:
        gap = self.args.seconds / self.args.lines
        began = time.monotonic()
        for n in range(self.args.lines):
            room = self.rng.randrange(len(self.trips))
            origin = self.rng.choice(("osoto", "telegram", "slack"))
            earlier = [p for p in self.lines[-300:] if p.room == room and p.hostile is None]
            parent = (
                self.rng.choice(earlier).token if earlier and self.rng.random() < 0.25 else None
            )
            line = Line(f"L{n:05d}x", room, origin, parent)
            await self.write(http, line, f"{line.token} line {n} from {origin}")
            await asyncio.sleep(max(0.0, began + (n + 1) * gap - time.monotonic()))

    async def hostile(self, http: httpx.AsyncClient) -> None:
        for n in range(self.args.hostile):
            kind, make = HOSTILE[n % len(HOSTILE)]
            origin = ("telegram", "slack", "osoto")[n % 3]
            if kind == "media_without_text" and origin == "osoto":
                origin = "telegram"  # Osoto has no message without text
            line = Line(f"H{n:04d}x", self.rng.randrange(len(self.trips)), origin, hostile=kind)
            extra = {"media": True} if kind == "media_without_text" else {}
            await self.write(http, line, make(line.token), **extra)
            if kind == "markup" and origin != "osoto":
                edit = Line(f"E{n:04d}x", line.room, origin, hostile="edit")
                await self.write(http, edit, f"{edit.token} edited", edit_of=line.own_id)
            await asyncio.sleep(0.05)

    # -- the bridge's life ----------------------------------------------------------

    async def chaos(self, http: httpx.AsyncClient, until: asyncio.Event) -> None:
        assert self.bridge is not None
        while not until.is_set():
            try:
                await asyncio.wait_for(until.wait(), self.rng.uniform(3.0, 8.0))
                return
            except TimeoutError:
                pass
            if self.rng.random() < 0.75:
                await self.bridge.kill()
            else:
                await self.bridge.terminate()
            await asyncio.sleep(self.rng.uniform(0.1, 1.0))
            await self.bridge.start(http)

    async def settled(self, http: httpx.AsyncClient) -> bool:
        await self.refresh(http)
        return all(self.view.arrived(line, self.trips) for line in self.lines)


async def execute(run: Run) -> dict[str, Any]:
    args, work = run.args, run.work
    python = sys.executable
    run.trips = seed_osoto(str(work / "osoto.db"), args.rooms)
    osoto_port = procs.free_port()
    osoto_root = f"http://127.0.0.1:{osoto_port}"
    run.osoto_url = f"{osoto_root}/api/v1"
    started: list[asyncio.subprocess.Process] = []
    proxy = FaultProxy(osoto_root, args.seed + 1)
    try:
        started.append(
            await procs.start(
                [
                    python,
                    str(HERE / "relay_osoto.py"),
                    "--db",
                    str(work / "osoto.db"),
                    "--port",
                    str(osoto_port),
                    "--rate-limit",
                    "1000000",
                ],
                log=work / "osoto.log",
            )
        )
        chats_proc = await procs.start(
            [python, str(HERE / "relay_faults_chats.py"), "--seed", str(args.seed + 2)],
            log=work / "chats.log",
            stdout_pipe=True,
        )
        started.append(chats_proc)
        assert chats_proc.stdout is not None
        async with asyncio.timeout(60):
            chats = json.loads(await chats_proc.stdout.readline())
        run.control = chats["control"]
        proxy_url = await proxy.start()
        async with httpx.AsyncClient(timeout=60.0) as http:
            for _ in range(600):  # Osoto answering
                try:
                    if (await http.get(f"{osoto_root}/_bench/requests?since=0")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            ids = (await http.post(f"{run.control}/setup", json={"trips": args.rooms})).json()
            run.trips = with_chats(run.trips, ids["telegram"], ids["slack"])
            secret = generate_secret_key()
            db_url = f"sqlite+aiosqlite:///{work / 'bridge.db'}"
            await link_trips(db_url, secret, run.osoto_url, run.trips)
            port = procs.free_port()
            await http.post(
                f"{run.control}/bridge",
                json={"events_url": f"http://127.0.0.1:{port}/slack/events"},
            )
            run.bridge = Bridge(
                argv=[python, "-m", "osoto_bridge.cli.main", "run"],
                env=bridge_env(chats, f"{proxy_url}/api/v1", db_url, secret, port),
                log=work / "bridge.log",
                ready_url=f"http://127.0.0.1:{port}/readyz",
            )
            await run.bridge.start(http)
            proxy.on = True
            await http.post(f"{run.control}/faults", json={"on": True})
            calm = asyncio.Event()
            async with asyncio.TaskGroup() as group:
                group.create_task(run.watch(http, calm))
                group.create_task(run.chaos(http, calm))
                await run.traffic(http)
                await run.hostile(http)
                calm.set()
            proxy.on = False
            await http.post(f"{run.control}/faults", json={"on": False})
            began = time.monotonic()
            drained = False
            while time.monotonic() - began < args.drain_seconds:
                if await run.settled(http):
                    drained = True
                    break
                await asyncio.sleep(2.0)
            await asyncio.sleep(3.0)  # anything doubled late shows too
            drain_took = time.monotonic() - began
            await run.bridge.terminate()
            await run.refresh(http)
            stats = (await http.get(f"{run.control}/stats")).json()
    finally:
        if run.bridge is not None and run.bridge.process is not None:
            await procs.stop(run.bridge.process, grace=0)
        await proxy.close()
        await asyncio.gather(*(procs.stop(p, grace=0) for p in started))
    secrets = [t.owner_key for t in run.trips] + [t.companion_key for t in run.trips]
    secrets += [
        chats["telegram_token"],
        chats["slack_bot_token"],
        chats["slack_signing_secret"],
        secret,
    ]
    args.load_average = [round(v, 2) for v in os.getloadavg()]
    if args.keep:  # what each side showed, for a closer look at any odd line
        dump = {"rows": run.view.rows, "osoto": run.view.osoto,
                "lines": [vars(line) for line in run.lines], "stats": stats}  # fmt: skip
        (work / "seen.json").write_text(json.dumps(dump, default=str), encoding="utf-8")
    return report(
        run.lines,
        run.view,
        run.trips,
        args=vars(args),
        drained=drained,
        drain_took=drain_took,
        stats=stats,
        proxy=dict(proxy.injected),
        bridge=run.bridge,
        log=(work / "bridge.log"),
        secrets=secrets,
    )


def _json(body: Any) -> bytes:
    """JSON as the platforms send it: a lone surrogate travels as its ``\\u`` escape."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def bridge_env(
    chats: dict[str, str], osoto_url: str, db_url: str, secret: str, port: int
) -> dict[str, str]:
    return {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": osoto_url,
        "OSOTO_BRIDGE_DATABASE_URL": db_url,
        "OSOTO_BRIDGE_SECRET_KEY": secret,
        "OSOTO_BRIDGE_TELEGRAM_TOKEN": chats["telegram_token"],
        "OSOTO_BRIDGE_TELEGRAM_API_URL": chats["telegram_api_url"],
        "OSOTO_BRIDGE_SLACK_BOT_TOKEN": chats["slack_bot_token"],
        "OSOTO_BRIDGE_SLACK_API_URL": chats["slack_api_url"],
        "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": chats["slack_signing_secret"],
        "OSOTO_BRIDGE_HTTP_HOST": "127.0.0.1",
        "OSOTO_BRIDGE_HTTP_PORT": str(port),
        "OSOTO_BRIDGE_POLL_ACTIVE_INTERVAL": "0.5",
        "OSOTO_BRIDGE_POLL_IDLE_INTERVAL": "2",
        "OSOTO_BRIDGE_LOG_LEVEL": "INFO",
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--rooms", type=int, default=15)
    parser.add_argument("--lines", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=120.0, help="traffic phase length")
    parser.add_argument("--hostile", type=int, default=150)
    parser.add_argument("--drain-seconds", type=float, default=240.0)
    parser.add_argument("--report", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="osoto-faults-"))
    try:
        figures = asyncio.run(execute(Run(args, work)))
        if args.report is not None:
            args.report.write_text(
                json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8"
            )
    finally:
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
