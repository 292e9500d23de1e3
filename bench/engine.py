"""Benchmark the relay engine under the platforms' limits (issue #16's figures).

    .venv/bin/python bench/engine.py                       # every scenario, ~5 min
    .venv/bin/python bench/engine.py --only conversation   # one (or several) of them
    .venv/bin/python bench/engine.py --conversation-seconds 20 --group-lines 60 --cap 30

Each scenario runs on its own fresh stack on 127.0.0.1 (`engine_stack`): Osoto (the
sandbox, 60 requests a minute per key), the fake Telegram and Slack enforcing the
platforms' documented limits (``tests/fakes/limits.py``) and `osoto-bridge run` as a
subprocess, whose own CPU is read apart from the sandbox's and the fakes'. The
scenarios (`engine_scenarios`):

* ``conversation``: in each of ``--conversation-trips`` trips a line every 2 s, in
  turn from Telegram, Osoto, Slack, Osoto (both directions); the first ``--warmup``
  seconds are not counted. Every Osoto line is in an active conversation. The trips
  talk independently, each at its own moment of the 2 s (``--lockstep``: all at once).
* ``group``: ``--group-lines`` lines at once into one Telegram group.
* ``pairs``: ``--pairs`` Telegram groups ↔ Slack channels, ``--pair-lines`` lines at once
  into each side of each pair.
* ``cost``: limits off (the fakes' and Osoto's; the bridge paces itself as shipped):
  ``--cost-lines`` lines at once into ``--pairs`` Telegram groups, each persisted and
  posted to Osoto; the bridge's CPU per line and lines/s until all are in Osoto.
* ``kill``: a ``--kill-rate`` lines/s Telegram stream over ``--kill-trips`` trips for
  ``--kill-seconds``; SIGKILL half way, start again on the same store.

Waiting for lines to arrive is capped at ``--cap`` seconds a scenario (what has not
arrived by then is reported as not yet, not as lost). It prints the figures table
and writes ``bench/results/engine.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_figures import print_table
from engine_scenarios import SCENARIOS, Row, run_scenario

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS), help="scenarios"
    )
    parser.add_argument("--conversation-trips", type=int, default=3)
    parser.add_argument("--conversation-seconds", type=float, default=45.0)
    parser.add_argument(
        "--lockstep",
        action="store_true",
        help="the conversations' lines all at once (default: each trip at its own moment)",
    )
    parser.add_argument(
        "--warmup", type=float, default=8.0, help="conversation seconds not counted"
    )
    parser.add_argument("--group-lines", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--pair-lines", type=int, default=6)
    parser.add_argument("--cost-lines", type=int, default=1000)
    parser.add_argument("--kill-rate", type=float, default=20.0, help="lines a second")
    parser.add_argument("--kill-seconds", type=float, default=10.0)
    parser.add_argument("--kill-trips", type=int, default=40)
    parser.add_argument("--cap", type=float, default=40.0, help="most seconds to wait for arrivals")
    parser.add_argument("--out", type=Path, default=RESULTS / "engine.json")
    parser.add_argument("--keep", action="store_true", help="keep the work directories and logs")
    return parser.parse_args(argv)


async def run_all(args: argparse.Namespace, work: Path) -> tuple[list[Row], dict[str, Any]]:
    rows: list[Row] = []
    results: dict[str, Any] = {}
    for name in args.only:
        print(f"engine: {name} …", file=sys.stderr, flush=True)
        folder = work / name
        folder.mkdir()
        found, result = await run_scenario(name, args, folder)
        rows.extend(found)
        results[name] = result
        print(f"engine: {name} done in {result['scenario_wall_s']} s", file=sys.stderr)
    return rows, results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="osoto-engine-"))
    began = time.monotonic()
    try:
        rows, results = asyncio.run(run_all(args, work))
    finally:
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        },
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "wall_s": round(time.monotonic() - began, 1),
        "table": [list(row) for row in rows],
        "scenarios": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"written: {args.out} ({report['wall_s']} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
