"""Benchmark the relay end to end: latency, throughput, API budget, footprint.

    .venv/bin/python bench/relay.py [--trips 1000] [--seconds 120] [--burst 10000]
    .venv/bin/python bench/relay.py --trips 5 --seconds 10 --burst 50 --smoke   # seconds

Starts, each as its own process on 127.0.0.1 only: Osoto (the sandbox app with a
request log, `relay_osoto.py`, seeded in its SQLite file before it serves), the fake
Telegram and Slack servers (`relay_chats.py`), and the bridge (`osoto-bridge run`,
or with ``--bridge script`` `relay_bridge.py`, the same parts assembled in bench/),
with N trips linked in its store beforehand, each with its own scoped key, one
Telegram group and one Slack channel. Then, in phases, each bounded in time:

1. warm-up: every channel's poller settles into its idle rhythm;
2. idle: nothing is written; the bridge's CPU and each key's requests are measured;
3. traffic: conversations, bursts and first messages after a quiet spell
   (`relay_traffic.plan_traffic`);
4. bulk: a burst of chat messages (Telegram → Osoto → Slack) written at once;
5. drain: until every message arrived everywhere it should, or a time limit.

The report (`relay_report`) gives per path p50/p95/p99 latency, throughput, messages
lost and doubled, each key's most requests in any 60 s window, 429s, and the
bridge's RSS and CPU; it is written as JSON and PNG plots under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sqlite3
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
from relay_report import Collected, build_report, print_summary, write_outputs
from relay_traffic import Planned, plan_bulk, plan_traffic
from relay_world import BenchTrip, link_trips, seed_osoto, with_chats

from osoto_bridge.store import generate_secret_key

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


@dataclass
class Run:
    """What the harness started and what it measured along the way."""

    args: argparse.Namespace
    workdir: Path
    trips: list[BenchTrip] = field(default_factory=list)
    osoto_url: str = ""
    control_url: str = ""
    bridge_pid: int = 0
    samples: procs.Samples = field(default_factory=procs.Samples)
    phases: dict[str, list[float]] = field(default_factory=dict)
    sent: dict[int, tuple[Planned, float]] = field(default_factory=dict)
    post_errors: list[str] = field(default_factory=list)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trips", type=int, default=1000, help="linked trips (100, 1000, 5000)")
    parser.add_argument("--seconds", type=float, default=120.0, help="traffic phase length")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before measuring")
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="idle phase length")
    parser.add_argument("--burst", type=int, default=10_000, help="bulk chat → chat messages")
    parser.add_argument("--drain-seconds", type=float, default=420.0, help="most time to drain")
    parser.add_argument("--seed", type=int, default=7, help="traffic plan seed")
    parser.add_argument(
        "--bridge",
        choices=("run", "script"),
        default="run",
        help="start the bridge with `osoto-bridge run` or bench/relay_bridge.py",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="with --bridge script: time store calls and event-loop lag inside the bridge",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=0.0005,
        help=(
            "the bridge's sys.setswitchinterval (OSOTO_BRIDGE_GIL_SWITCH_INTERVAL, an opt-in "
            "setting; 0 leaves CPython's 0.005)"
        ),
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results go")
    parser.add_argument("--name", help="results file stem (default relay-<trips>)")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="the bridge's log level (INFO also shows passes held up for seconds; with --keep)",
    )
    parser.add_argument("--report", type=Path, help="also write the whole report (JSON) here")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny check run: short warm-up and idle phases, nothing written to --out",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.warmup = min(args.warmup, 1.0)
        args.idle_seconds = min(args.idle_seconds, 1.0)
        args.drain_seconds = min(args.drain_seconds, 20.0)
    return args


async def wait_until(check: Any, *, within: float, what: str) -> None:
    """Call the async ``check`` until it returns True, at most ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, OSError):
            if await check():
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


async def phase(run: Run, name: str, seconds: float) -> None:
    run.phases[name] = [time.time(), 0.0]
    await asyncio.sleep(seconds)
    run.phases[name][1] = time.time()


async def post_to_osoto(http: httpx.AsyncClient, run: Run, planned: Planned) -> None:
    """A companion writes in the Osoto app (through the API, with their own key)."""
    trip = run.trips[planned.trip]
    try:
        response = await http.post(
            f"{run.osoto_url}/trips/{trip.trip_id}/channels/{trip.channel_id}/messages",
            json={"content": planned.text},
            headers={
                "Authorization": f"Bearer {trip.companion_key}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    except httpx.HTTPError as exc:
        run.post_errors.append(type(exc).__name__)
        return
    if response.status_code != 201:
        run.post_errors.append(str(response.status_code))
        return
    run.sent[planned.seq] = (planned, float(response.json()["_creationTime"]) / 1000.0)


async def drive(http: httpx.AsyncClient, run: Run, plan: Sequence[Planned]) -> None:
    """Write each planned message at its time: chat ones in batches, Osoto ones at once."""
    began = time.monotonic()
    pending = list(plan)
    async with asyncio.TaskGroup() as group:
        while pending:
            now = time.monotonic() - began
            due = [p for p in pending if p.at <= now]
            pending = pending[len(due) :]
            for planned in due:
                if planned.origin == "osoto":
                    group.create_task(post_to_osoto(http, run, planned))
            chat = [p for p in due if p.origin != "osoto"]
            for start in range(0, len(chat), 1000):
                batch = chat[start : start + 1000]
                body = {"messages": [[p.text, p.origin, p.trip] for p in batch]}
                response = await http.post(f"{run.control_url}/inject", json=body)
                for planned, at in zip(batch, response.json()["times"], strict=True):
                    run.sent[planned.seq] = (planned, float(at))
            if pending:
                await asyncio.sleep(max(0.0, min(0.05, pending[0].at - now)))


async def delivered(http: httpx.AsyncClient, run: Run, expected: int) -> bool:
    stats = (await http.get(f"{run.control_url}/stats")).json()
    return int(stats.get("received_lines", stats["received"])) >= expected


async def collect(http: httpx.AsyncClient, run: Run) -> Collected:
    received = (await http.get(f"{run.control_url}/received")).json()["rows"]
    requests = (await http.get(f"{run.osoto_url.removesuffix('/api/v1')}/_bench/requests")).json()
    messages = (await http.get(f"{run.osoto_url.removesuffix('/api/v1')}/_bench/messages")).json()
    stats = (await http.get(f"{run.control_url}/stats")).json()
    pending = (await http.get(f"{run.control_url}/pending")).json()
    return Collected(
        received=received,
        requests=requests,
        messages=messages,
        chat_stats=stats,
        queued=list(pending),
    )


def queued_in_outbox(db: Path) -> list[str]:
    """Contents of the bridge's outbox entries still waiting (read after it stopped)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT content FROM outbox WHERE status = 'pending'").fetchall()
    return [str(row[0]) for row in rows]


def bridge_env(
    run: Run, chats: dict[str, str], db_url: str, secret: str, port: int
) -> dict[str, str]:
    return {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": run.osoto_url,
        "OSOTO_BRIDGE_DATABASE_URL": db_url,
        "OSOTO_BRIDGE_SECRET_KEY": secret,
        "OSOTO_BRIDGE_TELEGRAM_TOKEN": chats["telegram_token"],
        "OSOTO_BRIDGE_TELEGRAM_API_URL": chats["telegram_api_url"],
        "OSOTO_BRIDGE_SLACK_BOT_TOKEN": chats["slack_bot_token"],
        "OSOTO_BRIDGE_SLACK_API_URL": chats["slack_api_url"],
        "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": chats["slack_signing_secret"],
        "OSOTO_BRIDGE_HTTP_HOST": "127.0.0.1",
        "OSOTO_BRIDGE_HTTP_PORT": str(port),
        "OSOTO_BRIDGE_LOG_LEVEL": run.args.log_level,
    }


async def execute(run: Run) -> dict[str, Any]:
    args, work = run.args, run.workdir
    python = sys.executable
    began = time.monotonic()
    run.trips = seed_osoto(str(work / "osoto.db"), args.trips)
    print(f"seeded Osoto: {args.trips} trips ({time.monotonic() - began:.1f} s)", file=sys.stderr)
    osoto_port = procs.free_port()
    run.osoto_url = f"http://127.0.0.1:{osoto_port}/api/v1"
    started: list[asyncio.subprocess.Process] = []
    stop_sampling = asyncio.Event()
    # A SIGTERM (a timeout, a cancelled job) ends the run as Ctrl-C does: the
    # `finally` below stops the fakes and the bridge, which would outlive it and
    # poll the next run's fakes.
    this_run = asyncio.current_task()
    assert this_run is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, this_run.cancel)
    try:
        osoto = await procs.start(
            [python, str(HERE / "relay_osoto.py"), "--db", str(work / "osoto.db"),
             "--port", str(osoto_port), "--rate-limit", "60"],
            log=work / "osoto.log",
        )  # fmt: skip
        started.append(osoto)
        chats_proc = await procs.start(
            [python, str(HERE / "relay_chats.py")], log=work / "chats.log", stdout_pipe=True
        )
        started.append(chats_proc)
        assert chats_proc.stdout is not None
        async with asyncio.timeout(60):
            chats = json.loads(await chats_proc.stdout.readline())
        run.control_url = chats["control"]
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(timeout=120.0, limits=limits) as http:
            base = run.osoto_url.removesuffix("/api/v1")
            await wait_until(
                lambda: _ok(http, f"{base}/_bench/requests?since=0"), within=60, what="Osoto"
            )
            ids = (await http.post(f"{run.control_url}/setup", json={"trips": args.trips})).json()
            run.trips = with_chats(run.trips, ids["telegram"], ids["slack"])
            secret = generate_secret_key()
            db_url = f"sqlite+aiosqlite:///{work / 'bridge.db'}"
            began = time.monotonic()
            await link_trips(db_url, secret, run.osoto_url, run.trips)
            print(f"linked {2 * args.trips} chats ({time.monotonic() - began:.1f} s)",
                  file=sys.stderr)  # fmt: skip
            http_port = procs.free_port()
            argv = (
                [python, "-m", "osoto_bridge.cli.main", "run"]
                if args.bridge == "run"
                else [python, str(HERE / "relay_bridge.py")]
            )
            env = bridge_env(run, chats, db_url, secret, http_port)
            if args.probe:
                env["BENCH_PROBE_OUT"] = str(work / "probe.json")
            if args.switch_interval:
                env["BENCH_SWITCH_INTERVAL"] = str(args.switch_interval)
                env["OSOTO_BRIDGE_GIL_SWITCH_INTERVAL"] = str(args.switch_interval)
            await http.post(
                f"{run.control_url}/bridge",
                json={"events_url": f"http://127.0.0.1:{http_port}/slack/events"},
            )
            run.phases["bridge_start"] = [time.time(), 0.0]
            bridge = await procs.start(argv, log=work / "bridge.log", env=env)
            started.append(bridge)
            run.bridge_pid = bridge.pid
            async with asyncio.TaskGroup() as group:
                group.create_task(procs.sample(bridge.pid, run.samples, stop_sampling))
                try:
                    await _measure(http, run)
                finally:
                    stop_sampling.set()
            collected = await collect(http, run)
    finally:
        stop_sampling.set()
        # Everything was collected: the bridge gets a short grace, the servers none.
        await asyncio.gather(*(procs.stop(p, grace=_grace(run, p)) for p in started))
    collected.queued.extend(queued_in_outbox(work / "bridge.db"))
    report = build_report(run_info(run), run.trips, run.sent, collected, run.samples, run.phases)
    probe = work / "probe.json"
    if probe.exists():
        report["probe"] = json.loads(probe.read_text(encoding="utf-8"))
    return report


def _grace(run: Run, process: asyncio.subprocess.Process) -> float:
    if process.pid != run.bridge_pid:
        return 0.0
    return 20.0 if run.args.probe else 5.0


async def _ok(http: httpx.AsyncClient, url: str) -> bool:
    return (await http.get(url)).status_code == 200


async def _measure(http: httpx.AsyncClient, run: Run) -> None:
    args = run.args

    async def bridge_ready() -> bool:
        stats = (await http.get(f"{run.control_url}/stats")).json()
        return bool(stats["telegram_calls"].get("getUpdates")) and bool(
            stats["slack_calls"].get("auth.test")
        )

    await wait_until(bridge_ready, within=120, what="the bridge to start")
    run.phases["bridge_start"][1] = time.time()
    print(f"bridge up; warm-up {args.warmup:.0f} s, idle {args.idle_seconds:.0f} s",
          file=sys.stderr)  # fmt: skip
    await phase(run, "warmup", args.warmup)
    await phase(run, "idle", args.idle_seconds)
    plan = plan_traffic(args.trips, args.seconds, seed=args.seed)
    print(f"traffic: {len(plan)} messages over {args.seconds:.0f} s", file=sys.stderr)
    run.phases["traffic"] = [time.time(), 0.0]
    await drive(http, run, plan)
    await asyncio.sleep(max(0.0, args.seconds - (time.time() - run.phases["traffic"][0])))
    run.phases["traffic"][1] = time.time()
    if args.burst > 0:
        bulk = plan_bulk(args.trips, args.burst, first_seq=len(plan))
        print(f"bulk: {len(bulk)} messages at once", file=sys.stderr)
        run.phases["bulk"] = [time.time(), 0.0]
        await drive(http, run, bulk)
        run.phases["bulk"][1] = time.time()
    # every message reaches two places; Osoto arrivals are counted at the end
    expected = sum(1 if p.origin != "osoto" else 2 for p, _ in run.sent.values())
    run.phases["drain"] = [time.time(), 0.0]
    with contextlib.suppress(RuntimeError):
        await wait_until(
            lambda: delivered(http, run, expected), within=args.drain_seconds, what="delivery"
        )
    await asyncio.sleep(0.5 if args.smoke else 2.0)  # anything doubled late shows too
    run.phases["drain"][1] = time.time()


def run_info(run: Run) -> dict[str, Any]:
    args = run.args
    return {
        "trips": args.trips,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "idle_seconds": args.idle_seconds,
        "burst": args.burst,
        "seed": args.seed,
        "bridge": args.bridge,
        "switch_interval": args.switch_interval,
        "cores": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "post_errors": run.post_errors,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="osoto-relay-bench-"))
    try:
        report = asyncio.run(execute(Run(args, workdir)))
        print_summary(report)
        if not args.smoke:
            paths = write_outputs(report, args.out, args.name or f"relay-{args.trips}",
                                  plots=not args.no_plots)  # fmt: skip
            for path in paths:
                print(f"wrote {path}", file=sys.stderr)
        if args.report is not None:
            args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    except asyncio.CancelledError:
        print("stopped (SIGTERM): the fakes and the bridge were stopped", file=sys.stderr)
        return 143
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
