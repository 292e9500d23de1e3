"""The Slack ack benchmark still runs: a tiny burst at a real ``osoto-bridge run``.

Runs ``bench/slack_acks.py`` small (20 events across 2 channels in 1 s). Asserted:
every event answered 200 and every line in Osoto afterwards (acknowledged once
persisted, posted later). The latencies are printed by the run, never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(200)


def test_a_tiny_burst_is_acknowledged_and_relayed(tmp_path: Path) -> None:
    report_path = tmp_path / "acks.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "slack_acks.py"), "--events", "20",
         "--channels", "2", "--seconds", "1", "--drain-seconds", "60",
         "--report", str(report_path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["answers"] == {"200": 20}, done.stdout
    assert report["refused"] == 0
    assert report["in_osoto"] == 20, done.stdout
