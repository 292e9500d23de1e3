"""`osoto-bridge run` serves /healthz, /readyz and /metrics, logs JSON lines on request,
and stops its HTTP server cleanly with the bridge on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

from osoto_bridge.store import generate_secret_key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_serves_the_probes_and_logs_json(tmp_path: Path) -> None:
    port = free_port()
    secret = generate_secret_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSOTO_BRIDGE_")}
    env.update(
        OSOTO_BRIDGE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}",
        OSOTO_BRIDGE_SECRET_KEY=secret,
        OSOTO_BRIDGE_CONSOLE="true",
        OSOTO_BRIDGE_HTTP_PORT=str(port),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "osoto_bridge",
        "run",
        "--log-format",
        "json",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not any("bridge running" in line for line in lines):
                line = (await proc.stderr.readline()).decode()
                assert line, f"run ended early: {lines}"
                lines.append(line)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                health = await client.get("/healthz")
                ready = await client.get("/readyz")
                metrics = await client.get("/metrics")
            proc.send_signal(signal.SIGTERM)
            rest = (await proc.stderr.read()).decode()
            assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"]["adapters"]["detail"] == "started: console"
    assert "osoto_bridge_store_up 1.0" in metrics.text
    assert "# TYPE osoto_bridge_messages_relayed_total counter" in metrics.text
    records = [json.loads(line) for line in [*lines, *rest.splitlines()] if line.strip()]
    messages = [record["message"] for record in records]
    assert any(m == f"HTTP server listening on http://127.0.0.1:{port}" for m in messages)
    assert any(m.startswith("stopping") for m in messages)
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    assert secret not in "".join(lines) + rest
