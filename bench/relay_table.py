"""The relay benchmark's results as one Markdown table (for the README and the docs).

    .venv/bin/python bench/relay_table.py            # print the table
    .venv/bin/python bench/relay_table.py --update   # also rewrite it in README.md
                                                     # and docs/benchmarks.md

Reads ``bench/results/relay-*.json`` (one row per run, by number of trips) and puts
the table between the ``<!-- relay-bench:start -->`` and ``<!-- relay-bench:end -->``
markers of each file.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START, END = "<!-- relay-bench:start -->", "<!-- relay-bench:end -->"


def _ms(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def _lat(report: dict[str, Any], path: str, klass: str) -> str:
    stats = report["latency"].get(path, {}).get(klass)
    if not stats:
        return "–"
    return f"{_ms(stats['p50_ms'])} / {_ms(stats['p99_ms'])}"


def row(report: dict[str, Any]) -> str:
    run, req, bridge = report["run"], report["osoto_requests"], report["bridge"]
    quiet = report["latency"].get("osoto_to_chat", {}).get("after_quiet", {})
    bulk = report.get("bulk", {}).get("chat_to_chat", {})
    delivery = report["delivery"]
    idle = req.get("untouched_keys_per_min", {}).get("max")
    cells = [
        f"{run['trips']:,}",
        _lat(report, "chat_to_chat", "conversation"),
        _lat(report, "chat_to_osoto", "conversation"),
        _lat(report, "osoto_to_chat", "active"),
        _ms(quiet.get("max_ms")),
        str(req["max_per_key_60s"]),
        str(req["status_429"]),
        "–" if idle is None or math.isnan(idle) else f"{idle:g}",
        f"{delivery['lost']} / {delivery.get('queued_at_end', 0)} / "
        f"{delivery['doubled'] + delivery['echoed']}",
        f"{bulk['per_second']:.0f}/s" if bulk else "–",
        f"{bridge['rss_max_mb']:.0f} MB",
        f"{bridge['cpu_idle_cores']:.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


def table(results: Path) -> str:
    reports = []
    for path in sorted(results.glob("relay-*.json")):
        reports.append(json.loads(path.read_text(encoding="utf-8")))
    reports.sort(key=lambda r: r["run"]["trips"])
    header = (
        "| trips | chat→chat p50 / p99 | chat→Osoto p50 / p99 | Osoto→chat active p50 / p99 "
        "| first after quiet (max) | most requests by a key in 60 s | 429s "
        "| idle channel req/min | lost / queued at end / doubled | bulk chat→chat | bridge RSS "
        "| bridge CPU idle (cores) |\n"
        "|---:|---|---|---|---|---:|---:|---:|---|---:|---:|---:|"
    )
    return "\n".join([header, *(row(r) for r in reports)])


def update(path: Path, text: str) -> bool:
    """Put ``text`` between the markers of ``path``; False if it has no markers."""
    content = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(content):
        return False
    path.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", content), encoding="utf-8")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--update", action="store_true", help="rewrite README and docs")
    args = parser.parse_args()
    text = table(args.results)
    print(text)
    if args.update:
        for target in (ROOT / "README.md", ROOT / "docs" / "benchmarks.md"):
            if not update(target, text):
                print(f"no {START} marker in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
