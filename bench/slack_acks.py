"""How fast a real ``osoto-bridge run`` acknowledges a burst of Slack events.

    .venv/bin/python bench/slack_acks.py [--events 500] [--channels 20] [--seconds 4]

Issue 14 item 5: Slack waits 3 s for the answer to each event, then counts it failed
and delivers it again. The bridge answers once the event's line is persisted
(`relay/intake.py`) and does the work later; this measures that under a burst.

The parts, each its own process on 127.0.0.1 (as in `relay_faults.py`, no faults):
Osoto (the sandbox, `relay_osoto.py`), the fake Telegram and Slack
(`relay_faults_chats.py`; its Slack echoes the bot's own posts to the bridge, as the
real one does) and the bridge in HTTP events mode over a SQLite store. ``--channels``
trips, each linked to a Slack channel and a Telegram group. Then ``--events``
message events, spread evenly over ``--seconds`` across the channels, each posted
signed at its moment on its own connection (Slack does not wait for one answer to
send the next), and timed from the request to its answer. The script prints the
answers by status, the latency p50/p99/max, how many took longer than Slack's
3 s, whether every line reached Osoto (bounded wait) and the bridge's CPU time
from the burst to then (its process, from /proc), with the load average.
``--profile out.txt`` samples the bridge with py-spy (``pip install py-spy``) over
the burst and its acks, as collapsed stacks (``--format raw``; one line a stack,
then its sample count), to see where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import relay_procs as procs
from relay_faults import Bridge, bridge_env
from relay_world import link_trips, seed_osoto, with_chats

from fakes.slack_api import BOT_USER_ID, TEAM_ID, signature
from osoto_bridge.store import generate_secret_key

HERE = Path(__file__).resolve().parent
SLACK_TIMEOUT = 3.0
"""Seconds Slack waits for an answer before it counts the event failed."""
WAIT_AT_MOST = 30.0
"""Seconds an answer is waited for here (beyond Slack's 3 s: to see how late it is)."""
LINE_TAG = re.compile(r"\bA\d{5}x")
"""The tag each burst line carries (``A00042x``)."""
TS_BASE = 1_800_000_000
"""The events' ts start here, far from the fake Slack's own (1,700,000,000 on)."""


def event_payload(n: int, channel: str, user: str) -> dict[str, Any]:
    ts = f"{TS_BASE + n}.{n:06d}"
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0FAKE",
        "type": "event_callback",
        "event_id": f"EvBurst{n:06d}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": f"A{n:05d}x burst line {n}",
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": TEAM_ID,
        },
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def signed_request(url: str, secret: str, payload: dict[str, Any]) -> bytes:
    """The whole HTTP/1.1 request of one event, signed as Slack signs it, built
    before the burst so that firing it costs the sender next to nothing."""
    parts = urlsplit(url)
    body = json.dumps(payload).encode()
    stamp = int(time.time())
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Slack-Request-Timestamp: {stamp}\r\n"
        f"X-Slack-Signature: {signature(secret, stamp, body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


async def fire(url: str, request: bytes, at: float) -> tuple[str, float]:
    """Send one prepared event at monotonic time ``at`` on a connection of its own;
    its answer's status (or why none) and how long the answer took.

    Raw streams, not an HTTP client: with hundreds in flight, a client's own work
    per request would be timed as the bridge's.
    """
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    parts = urlsplit(url)
    began = time.monotonic()
    try:
        async with asyncio.timeout(WAIT_AT_MOST):
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            try:
                writer.write(request)
                await writer.drain()
                status = await reader.readline()
                took = time.monotonic() - began
            finally:
                writer.close()
    except TimeoutError:
        return "timeout", time.monotonic() - began
    except OSError:
        return "no_connection", time.monotonic() - began
    fields = status.split()
    return (fields[1].decode() if len(fields) > 1 else "no_answer"), took


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def osoto_lines(http: httpx.AsyncClient, osoto_root: str) -> int:
    """The burst's lines Osoto holds (a merged post carries several)."""
    threads = (await http.get(f"{osoto_root}/_bench/threads")).json()
    return len({token for m in threads for token in LINE_TAG.findall(m[2])})


async def execute(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    python = sys.executable
    trips = seed_osoto(str(work / "osoto.db"), args.channels)
    osoto_port = procs.free_port()
    osoto_root = f"http://127.0.0.1:{osoto_port}"
    started: list[asyncio.subprocess.Process] = []
    bridge: Bridge | None = None
    try:
        started.append(
            await procs.start(
                [python, str(HERE / "relay_osoto.py"), "--db", str(work / "osoto.db"),
                 "--port", str(osoto_port), "--rate-limit", "1000000"],
                log=work / "osoto.log",
            )
        )  # fmt: skip
        chats_proc = await procs.start(
            [python, str(HERE / "relay_faults_chats.py"), "--seed", "0"],
            log=work / "chats.log",
            stdout_pipe=True,
        )
        started.append(chats_proc)
        assert chats_proc.stdout is not None
        async with asyncio.timeout(60):
            chats = json.loads(await chats_proc.stdout.readline())
        control = chats["control"]
        async with httpx.AsyncClient(timeout=60.0) as http:
            for _ in range(600):  # Osoto answering
                try:
                    if (await http.get(f"{osoto_root}/_bench/requests?since=0")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            ids = (await http.post(f"{control}/setup", json={"trips": args.channels})).json()
            trips = with_chats(trips, ids["telegram"], ids["slack"])
            secret = generate_secret_key()
            db_url = f"sqlite+aiosqlite:///{work / 'bridge.db'}"
            await link_trips(db_url, secret, f"{osoto_root}/api/v1", trips)
            port = procs.free_port()
            events_url = f"http://127.0.0.1:{port}/slack/events"
            await http.post(f"{control}/bridge", json={"events_url": events_url})
            env = bridge_env(chats, f"{osoto_root}/api/v1", db_url, secret, port)
            env["OSOTO_BRIDGE_LOG_LEVEL"] = "WARNING"
            bridge = Bridge(
                argv=[python, "-m", "osoto_bridge.cli.main", "run"],
                env=env,
                log=work / "bridge.log",
                ready_url=f"http://127.0.0.1:{port}/readyz",
            )
            await bridge.start(http)
            gap, rooms = args.seconds / args.events, args.channels
            await asyncio.sleep(args.settle)  # the bridge's first passes, if wanted
            load_before = os.getloadavg()
            spy = None
            if args.profile is not None:
                assert bridge.process is not None
                spy = await asyncio.create_subprocess_exec(
                    shutil.which("py-spy") or str(Path(python).parent / "py-spy"),
                    "record", "--pid", str(bridge.process.pid), "--rate", "200",
                    "--duration", str(int(args.seconds + 6)), "--format", "raw",
                    "--output", str(args.profile), "--nonblocking",
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                await asyncio.sleep(0.5)  # py-spy attached
            requests = [
                signed_request(
                    events_url,
                    chats["slack_signing_secret"],
                    event_payload(n, ids["slack"][n % rooms], f"U{n % rooms:08d}"),
                )
                for n in range(args.events)
            ]
            assert bridge.process is not None
            cpu_before = procs.cpu_seconds(bridge.process.pid)
            began = time.monotonic() + 0.2
            results = await asyncio.gather(
                *(fire(events_url, request, began + n * gap) for n, request in enumerate(requests))
            )
            fired_in = time.monotonic() - began
            if spy is not None:
                await spy.wait()
            arrived, waited = 0, time.monotonic()
            while time.monotonic() - waited < args.drain_seconds:
                arrived = await osoto_lines(http, osoto_root)
                if arrived >= args.events:
                    break
                await asyncio.sleep(0.5)
            drained_in = time.monotonic() - began
            cpu = procs.cpu_seconds(bridge.process.pid) - cpu_before
            await bridge.terminate()
    finally:
        if bridge is not None and bridge.process is not None:
            await procs.stop(bridge.process, grace=0)
        await asyncio.gather(*(procs.stop(p, grace=0) for p in started))
    latencies = [took for _, took in results]
    outcomes = Counter(outcome for outcome, _ in results)
    figures = {
        "events": args.events,
        "channels": args.channels,
        "seconds": args.seconds,
        "fired_in": round(fired_in, 2),
        "answers": dict(outcomes),
        "refused": sum(v for k, v in outcomes.items() if not k.startswith("2")),
        "p50": round(statistics.median(latencies), 3),
        "p99": round(percentile(latencies, 0.99), 3),
        "max": round(max(latencies), 3),
        "over_3s": sum(1 for took in latencies if took > SLACK_TIMEOUT),
        "in_osoto": arrived,
        "in_osoto_after": round(drained_in, 1),
        "bridge_cpu_seconds": round(cpu, 2),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
    }
    print(
        f"Slack acks: {figures['events']} events over {figures['seconds']:.0f} s "
        f"(fired in {figures['fired_in']:.1f} s) across {figures['channels']} channels"
    )
    print(f"answers: {figures['answers']}; refused (non-2xx or none): {figures['refused']}")
    print(
        f"ack latency: p50 {figures['p50'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} ms, "
        f"max {figures['max'] * 1000:.0f} ms; over Slack's 3 s: {figures['over_3s']}"
    )
    print(
        f"lines in Osoto: {figures['in_osoto']} of {figures['events']} "
        f"({figures['in_osoto_after']:.0f} s after the first event); the bridge's CPU "
        f"meanwhile {cpu:.1f} s ({1000 * cpu / args.events:.1f} ms a line)"
    )
    print(f"load average before {figures['load_before']}, after {figures['load_after']}")
    return figures


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=4.0, help="the burst's length")
    parser.add_argument(
        "--drain-seconds", type=float, default=120.0, help="wait at most this for Osoto"
    )
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds between ready and the burst"
    )
    parser.add_argument("--report", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--profile", type=Path, help="py-spy the bridge: collapsed stacks here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="osoto-acks-"))
    try:
        figures = asyncio.run(execute(args, work))
        if args.report is not None:
            args.report.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
