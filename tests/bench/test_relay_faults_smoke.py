"""The fault run still runs: a tiny one, in processes, and the promises that hold.

Runs ``bench/relay_faults.py`` small (2 rooms, 40 lines, every fault kind, the real
``osoto-bridge run`` killed with SIGKILL and stopped with SIGTERM, 9 hostile
inputs). Asserted: nothing lost, nothing doubled toward Osoto, no echo, no reply
that lost its parent (beyond those whose parent's id no platform told), no hostile
input dropped or live mention through, no key in the logs, and every SIGTERM stop
a clean exit (status 0: within the bridge's grace, never killed). Doubles toward the
chats are allowed (they follow lost send responses and kills, by design); times are
printed by the run, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(400)


def test_a_tiny_fault_run_loses_doubles_and_echoes_nothing(tmp_path: Path) -> None:
    report_path = tmp_path / "faults.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "relay_faults.py"), "--rooms", "2",
         "--lines", "40", "--seconds", "10", "--hostile", "9", "--drain-seconds", "90",
         "--report", str(report_path)],
        capture_output=True,
        text=True,
        timeout=380,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["drained"] is True, done.stdout
    paths = {path: tally for path, tally in report["paths"].items() if "→" in path}
    assert len(paths) == 6
    assert sum(tally.get("lost", 0) for tally in paths.values()) == 0, done.stdout
    assert sum(tally.get("echoes", 0) for tally in paths.values()) == 0, done.stdout
    assert sum(tally.get("lost parent", 0) for tally in paths.values()) == 0, done.stdout
    to_osoto = [tally for path, tally in paths.items() if path.endswith("osoto")]
    assert sum(tally.get("doubled", 0) for tally in to_osoto) == 0, done.stdout
    assert report["hostile"]["dropped"] == {}, done.stdout
    assert report["hostile"]["live_mentions_in_slack"] == 0
    assert report["keys_in_logs"] == 0
    assert report["kills"] >= 1
    assert report["sigterm_stops"], "the run stops the bridge with SIGTERM at least at the end"
    assert set(report["sigterm_exit_codes"]) == {0}, done.stdout
