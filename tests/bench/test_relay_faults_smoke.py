"""The fault run still runs: a tiny one, and the promises that hold under any load.

Runs ``bench/relay_faults.py`` small (2 rooms, 40 lines, every fault kind, kills and
stops, 9 hostile inputs). Asserted: nothing lost, nothing doubled toward Osoto, no
echo, no hostile input dropped or live mention through, no key in the logs. Doubles
toward the chats are allowed (they follow lost send responses, by design).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(120)


def test_a_tiny_fault_run_loses_doubles_and_echoes_nothing(tmp_path: Path) -> None:
    report_path = tmp_path / "faults.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "relay_faults.py"), "--rooms", "2",
         "--lines", "40", "--seconds", "8", "--hostile", "9", "--drain-seconds", "60",
         "--report", str(report_path)],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["drained"] is True
    paths = report["paths"]
    assert len(paths) == 6
    assert sum(tally.get("lost", 0) for tally in paths.values()) == 0
    assert sum(tally.get("echoes", 0) for tally in paths.values()) == 0
    to_osoto = [tally for path, tally in paths.items() if path.endswith("osoto")]
    assert sum(tally.get("doubled", 0) for tally in to_osoto) == 0
    assert report["hostile_dropped"] == 0
    assert report["keys_in_logs"] == 0
