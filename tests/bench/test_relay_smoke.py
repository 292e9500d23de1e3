"""The relay benchmark still runs end to end: a tiny run, its figures checked for sense.

Runs ``bench/relay.py --smoke`` (5 trips, 10 s of traffic, a 20-message burst) as a
subprocess: four processes on loopback (Osoto, the fake chats, the bridge and the
harness). What is asserted is what must hold on any machine however loaded: every
message reached every place it should, once, and each path was measured. Latency
targets are not asserted here (they need the full run and an unloaded machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(90)


def test_a_tiny_relay_benchmark_delivers_everything_once(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "relay.py"), "--smoke", "--trips", "5",
         "--seconds", "10", "--burst", "20", "--report", str(report_path)],
        capture_output=True,
        text=True,
        timeout=80,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(report_path.read_text())

    delivery = report["delivery"]
    assert delivery["messages"] >= 20 + 3
    assert (delivery["lost"], delivery["doubled"], delivery["echoed"]) == (0, 0, 0)
    assert delivery["misrouted"] == 0
    for path in ("osoto_to_chat", "chat_to_osoto", "chat_to_chat"):
        assert report["latency"][path], f"no {path} message was measured"
    assert report["bulk"]["chat_to_chat"]["delivered"] == 20
    requests = report["osoto_requests"]
    assert requests["total"] > 0
    assert requests["status_429"] == 0
    assert requests["max_per_key_60s"] <= 60
    assert report["bridge"]["rss_max_mb"] > 0
