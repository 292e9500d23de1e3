"""The relay benchmark's figures: from what each process saw to one report.

Inputs: when each message was written (`Run.sent`), what the fake chats received and
when, the request log of Osoto (time, key, status, kind, tag) and its stored
messages, and the bridge's CPU/RSS samples. Every message is matched by its tag.

Paths and their classes:

* Osoto → chat (``osoto_to_chat``): ``active`` when the trip's previous message had
  crossed before this one was written, less than 100 s earlier (the channel is in
  its fast rhythm); ``after_quiet`` when the trip was silent for 150 s or more (or
  throughout): the first message after a quiet spell;
* chat → Osoto (``chat_to_osoto``) and chat → chat (``chat_to_chat``), split by what
  was written: ``conversation`` lines, ``burst`` (several lines in a row from one
  person, so platform pacing shows) and ``bulk`` (the big burst).
"""

from __future__ import annotations

import bisect
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay_osoto import fingerprint
from relay_procs import Samples
from relay_traffic import BULK, Planned
from relay_world import BenchTrip

TAG = re.compile(r"msg(\d{7})x")
ACTIVE_WITHIN = 100.0
QUIET_AFTER = 150.0
IDLE_INTERVAL = 20.0
WINDOW = 60.0


@dataclass(frozen=True)
class Collected:
    """What the servers recorded, fetched from their control routes at the end."""

    received: list[list[Any]]
    requests: dict[str, Any]
    messages: list[list[str]]
    chat_stats: dict[str, Any]
    queued: list[str]
    """Texts still waiting at the end: in the bridge's outbox or the chats' queues."""


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))]


def latency_stats(seconds: list[float]) -> dict[str, Any]:
    values = sorted(seconds)
    ms = [v * 1000.0 for v in values]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(ms[-1], 1) if ms else float("nan"),
    }


def max_in_window(times: Sequence[float], window: float = WINDOW) -> int:
    """The most of ``times`` (sorted) inside any half-open window of ``window`` seconds."""
    best = 0
    start = 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


class _Matcher:
    """Where each tagged message arrived, and where it was expected."""

    def __init__(
        self, trips: Sequence[BenchTrip], sent: dict[int, tuple[Planned, float]], c: Collected
    ) -> None:
        self.trips = trips
        self.sent = sent
        self.chat_trip = {t.telegram_chat: t.index for t in trips}
        self.chat_trip.update({t.slack_channel: t.index for t in trips})
        self.owner_trip = {fingerprint(t.owner_key): t.index for t in trips}
        self.arrivals: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.misrouted = 0
        self.untagged = 0
        for at, platform, chat, text in c.received:
            # a merged message carries several lines: each arrived with it
            seqs = [int(found) for found in TAG.findall(str(text))]
            if not seqs:
                self.untagged += 1
            for seq in seqs:
                planned = sent.get(seq)
                if planned is not None and self.chat_trip.get(str(chat)) != planned[0].trip:
                    self.misrouted += 1
                self.arrivals[seq][str(platform)].append(float(at))
        req = c.requests
        for at, key, status, kind, tags in zip(
            req["at"], req["key"], req["status"], req["kind"], req["tags"], strict=True
        ):
            if kind == "post" and status == 201 and key in self.owner_trip:
                for tag in tags:
                    self.arrivals[int(tag)]["osoto"].append(float(at))
        self.queued = {int(found) for text in c.queued for found in TAG.findall(text)}
        self.osoto_count: Counter[int] = Counter()
        for _, content in c.messages:
            self.osoto_count.update(int(found) for found in TAG.findall(content))

    def counts(self, seq: int, origin: str) -> dict[str, int]:
        arrived = self.arrivals.get(seq, {})
        counts = {p: len(arrived.get(p, [])) for p in ("telegram", "slack")}
        counts["osoto"] = self.osoto_count.get(seq, 0)
        return counts

    def first(self, seq: int, platform: str) -> float | None:
        times = self.arrivals.get(seq, {}).get(platform)
        return min(times) if times else None


def _delivery(m: _Matcher) -> dict[str, Any]:
    lost = doubled = echoed = queued = 0
    by_path: dict[str, Counter[str]] = defaultdict(Counter)
    for seq, (planned, _) in m.sent.items():
        counts = m.counts(seq, planned.origin)
        for place in ("osoto", "telegram", "slack"):
            path = _path(planned.origin, place)
            got = counts[place]
            if place == planned.origin:
                if planned.origin != "osoto" and got:
                    echoed += got
                    by_path[f"{planned.origin}_echo"]["echoed"] += got
                elif planned.origin == "osoto" and got > 1:
                    doubled += got - 1
                continue
            by_path[path]["expected"] += 1
            if got == 0 and seq in m.queued:
                # still waiting in the bridge's outbox or the platform's queue at the
                # end of the drain: late (the run ended), not lost
                queued += 1
                by_path[path]["queued_at_end"] += 1
            elif got == 0:
                lost += 1
                by_path[path]["lost"] += 1
            elif got > 1:
                doubled += got - 1
                by_path[path]["doubled"] += got - 1
    return {
        "messages": len(m.sent),
        "lost": lost,
        "queued_at_end": queued,
        "doubled": doubled,
        "echoed": echoed,
        "misrouted": m.misrouted,
        "untagged_bot_messages": m.untagged,
        "by_path": {path: dict(counter) for path, counter in sorted(by_path.items())},
    }


def _path(origin: str, place: str) -> str:
    if origin == "osoto":
        return "osoto_to_chat"
    return "chat_to_osoto" if place == "osoto" else "chat_to_chat"


def _latencies(m: _Matcher) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    by_trip: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for seq, (planned, at) in m.sent.items():
        if planned.category != BULK:
            by_trip[planned.trip].append((at, seq))
    crossed: dict[int, float] = {}
    for seq in m.sent:
        firsts = [t for p in ("osoto", "telegram", "slack") if (t := m.first(seq, p)) is not None]
        if firsts:
            crossed[seq] = min(firsts)
    klass: dict[int, str] = {}
    for messages in by_trip.values():
        messages.sort()
        for n, (at, seq) in enumerate(messages):
            if n == 0:
                klass[seq] = "after_quiet"
                continue
            before_at, before = messages[n - 1]
            if at - before_at >= QUIET_AFTER:
                klass[seq] = "after_quiet"
            elif at - before_at < ACTIVE_WITHIN and crossed.get(before, math.inf) < at:
                klass[seq] = "active"
            else:
                klass[seq] = "other"
    for seq, (planned, at) in m.sent.items():
        if planned.origin == "osoto":
            for place in ("telegram", "slack"):
                first = m.first(seq, place)
                if first is not None:
                    out["osoto_to_chat"][klass.get(seq, "other")].append(first - at)
                    out["osoto_to_chat"]["all"].append(first - at)
            continue
        other = "slack" if planned.origin == "telegram" else "telegram"
        for path, place in (("chat_to_osoto", "osoto"), ("chat_to_chat", other)):
            first = m.first(seq, place)
            if first is not None:
                out[path][planned.category].append(first - at)
                out[path][f"{planned.category}:{planned.origin}"].append(first - at)
    return out


def _slowest(m: _Matcher, start: float, count: int = 20) -> list[dict[str, Any]]:
    """The slowest crossings (when, which trip, where to): what a tail is made of."""
    rows: list[dict[str, Any]] = []
    for seq, (planned, at) in m.sent.items():
        if planned.category == BULK:
            continue  # the bulk has its own figures; these are the conversations' tails
        for place in ("osoto", "telegram", "slack"):
            first = m.first(seq, place)
            if place == planned.origin or first is None:
                continue
            rows.append(
                {
                    "seq": seq,
                    "trip": planned.trip,
                    "category": planned.category,
                    "from": planned.origin,
                    "to": place,
                    "written_at_s": round(at - start, 2),
                    "latency_ms": round((first - at) * 1000, 1),
                }
            )
    rows.sort(key=lambda row: -float(row["latency_ms"]))
    return rows[:count]


def _requests(
    m: _Matcher,
    c: Collected,
    phases: dict[str, list[float]],
    sent: dict[int, tuple[Planned, float]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    begin = phases["bridge_start"][0]
    per_key: dict[int, list[float]] = defaultdict(list)
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    companion_429 = 0
    req = c.requests
    for at, key, status, kind in zip(
        req["at"], req["key"], req["status"], req["kind"], strict=True
    ):
        if at < begin:
            continue
        trip = m.owner_trip.get(key)
        if trip is None:
            companion_429 += status == 429
            continue
        per_key[trip].append(at)
        statuses[status] += 1
        kinds[kind] += 1
    windows = {trip: max_in_window(sorted(times)) for trip, times in per_key.items()}
    busiest = max(windows, key=windows.__getitem__, default=-1)
    touched = {p.trip for p, _ in sent.values() if p.category != BULK}

    def per_minute(phase: str, trips: Sequence[int]) -> dict[str, float]:
        if phase not in phases or not trips:
            return {"max": float("nan"), "mean": float("nan")}
        start, end = phases[phase]
        minutes = (end - start) / 60.0
        rates = [
            (
                bisect.bisect_left(per_key.get(t, []), end)
                - bisect.bisect_left(per_key.get(t, []), start)
            )
            / minutes
            for t in trips
        ]
        return {"max": round(max(rates), 2), "mean": round(sum(rates) / len(rates), 2)}

    idle_trips = [t.index for t in m.trips if t.index not in touched]
    if "idle" in phases and "traffic" in phases:
        # the idle cost over the longest quiet stretch: idle phase and traffic phase
        # together, for the trips nobody wrote in (edge effects shrink with length)
        phases = {**phases, "quiet": [phases["idle"][0], phases["traffic"][1]]}
    for times in per_key.values():
        times.sort()
    summary = {
        "total": sum(statuses.values()),
        "by_kind": dict(kinds),
        "by_status": {str(k): v for k, v in sorted(statuses.items())},
        "status_429": statuses.get(429, 0),
        "companion_429": companion_429,
        "max_per_key_60s": max(windows.values(), default=0),
        "busiest_trip": busiest,
        "median_per_key_60s": percentile(sorted(windows.values()), 0.5) if windows else 0,
        "idle_phase_per_key_per_min": per_minute("idle", [t.index for t in m.trips]),
        "untouched_keys_in_traffic_per_min": per_minute("traffic", idle_trips),
        "untouched_keys_per_min": per_minute("quiet", idle_trips),
    }
    # the timeline for the plot: each key's requests in the trailing 60 s, every 5 s
    end = max((times[-1] for times in per_key.values() if times), default=begin)
    ticks = [begin + 5.0 * n for n in range(int((end - begin) / 5.0) + 2)]
    trailing: list[list[int]] = []
    for times in per_key.values():
        trailing.append(
            [bisect.bisect_right(times, t) - bisect.bisect_right(times, t - WINDOW) for t in ticks]
        )
    series = {
        "t": [round(t - begin, 1) for t in ticks],
        "max": [max((row[i] for row in trailing), default=0) for i in range(len(ticks))],
        "median": [
            percentile(sorted(row[i] for row in trailing), 0.5) if trailing else 0
            for i in range(len(ticks))
        ],
        "busiest": [
            bisect.bisect_right(per_key.get(busiest, []), t)
            - bisect.bisect_right(per_key.get(busiest, []), t - WINDOW)
            for t in ticks
        ],
    }
    return summary, series


def _bulk(m: _Matcher) -> dict[str, Any]:
    bulk = [(seq, at) for seq, (p, at) in m.sent.items() if p.category == BULK]
    if not bulk:
        return {}
    first = min(at for _, at in bulk)
    result: dict[str, Any] = {"messages": len(bulk)}
    for path, place in (("chat_to_osoto", "osoto"), ("chat_to_chat", "slack")):
        arrived = [t for seq, _ in bulk if (t := m.first(seq, place)) is not None]
        if arrived:
            seconds = max(arrived) - first
            result[path] = {
                "delivered": len(arrived),
                "seconds": round(seconds, 2),
                "per_second": round(len(arrived) / seconds, 1) if seconds > 0 else float("nan"),
            }
    return result


def _into_chats(c: Collected, phases: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Per platform, over the traffic phase: the lines the bot delivered there a second
    and the messages that carried them (a merged one carries several). Telegram lets a
    bot send 30 messages a second in all: lines asked above that must wait and merge."""
    start, end = phases["traffic"]
    seconds = max(end - start, 1e-9)
    lines: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    for at, platform, _, text in c.received:
        tags = TAG.findall(str(text))
        if tags and start <= float(at) < end:
            lines[str(platform)] += len(tags)
            messages[str(platform)] += 1
    return {
        platform: {
            "lines_per_s": round(lines[platform] / seconds, 1),
            "messages_per_s": round(messages[platform] / seconds, 1),
        }
        for platform in sorted(lines)
    }


def _bridge(samples: Samples, phases: dict[str, list[float]]) -> dict[str, Any]:
    def cores(phase: str) -> float:
        if phase not in phases:
            return float("nan")
        return round(samples.cpu_between(*phases[phase]), 3)

    idle = phases.get("idle", [0.0, 0.0])
    return {
        "rss_max_mb": round(samples.rss_max() / 2**20, 1),
        "rss_idle_mb": round(samples.rss_max(*idle) / 2**20, 1),
        "cpu_idle_cores": cores("idle"),
        "cpu_traffic_cores": cores("traffic"),
        # The bulk is written in a moment; the bridge works on it through the drain.
        "cpu_bulk_cores": (
            round(samples.cpu_between(phases["bulk"][0], phases["drain"][1]), 3)
            if "bulk" in phases and "drain" in phases
            else float("nan")
        ),
    }


def build_report(
    info: dict[str, Any],
    trips: Sequence[BenchTrip],
    sent: dict[int, tuple[Planned, float]],
    collected: Collected,
    samples: Samples,
    phases: dict[str, list[float]],
) -> dict[str, Any]:
    """Every figure of one run, plus the data behind the plots (under ``series``)."""
    m = _Matcher(trips, sent, collected)
    raw = _latencies(m)
    requests, timeline = _requests(m, collected, phases, sent)
    report: dict[str, Any] = {
        "run": info,
        "phases": {
            k: [
                round(v[0] - phases["bridge_start"][0], 1),
                round(v[1] - phases["bridge_start"][0], 1),
            ]
            for k, v in phases.items()
        },
        "latency": {
            path: {klass: latency_stats(values) for klass, values in sorted(classes.items())}
            for path, classes in sorted(raw.items())
        },
        "throughput_per_s": {
            path: round(
                sum(len(v) for k, v in classes.items() if k not in ("all", BULK) and ":" not in k)
                / info["seconds"],
                2,
            )
            for path, classes in sorted(raw.items())
        },
        "delivery": _delivery(m),
        "osoto_requests": requests,
        "bulk": _bulk(m),
        "bridge": _bridge(samples, phases),
        "chat_stats": collected.chat_stats,
        "into_chats": _into_chats(collected, phases),
        "slowest": _slowest(m, phases["bridge_start"][0]),
        "series": {
            "latency": {
                f"{p} {k}": sorted(v)
                for p, c in raw.items()
                for k, v in c.items()
                if k != "all" and ":" not in k
            },
            "requests": timeline,
        },
    }
    report["checks"] = checks(report)
    return report


def _get(report: dict[str, Any], *path: str) -> float:
    value: Any = report
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return float("nan")
        value = value[part]
    return float(value)


TARGETS: list[tuple[str, tuple[str, ...], str, float]] = [
    ("chat→chat p50 ms", ("latency", "chat_to_chat", "conversation", "p50_ms"), "<=", 30),
    ("chat→chat p99 ms", ("latency", "chat_to_chat", "conversation", "p99_ms"), "<=", 150),
    ("chat→Osoto p50 ms", ("latency", "chat_to_osoto", "conversation", "p50_ms"), "<=", 50),
    ("chat→Osoto p99 ms", ("latency", "chat_to_osoto", "conversation", "p99_ms"), "<=", 250),
    ("Osoto→chat active p50 ms", ("latency", "osoto_to_chat", "active", "p50_ms"), "<=", 1500),
    ("Osoto→chat active p99 ms", ("latency", "osoto_to_chat", "active", "p99_ms"), "<=", 3000),
    ("Osoto→chat after quiet max ms", ("latency", "osoto_to_chat", "after_quiet", "max_ms"), "<=",
     (IDLE_INTERVAL + 1) * 1000),
    ("most requests by a key in 60 s", ("osoto_requests", "max_per_key_60s"), "<=", 60),
    ("429s", ("osoto_requests", "status_429"), "==", 0),
    ("idle channel requests/min", ("osoto_requests", "untouched_keys_per_min", "max"), "<=", 4),
    ("lost", ("delivery", "lost"), "==", 0),
    ("doubled", ("delivery", "doubled"), "==", 0),
    ("echoed", ("delivery", "echoed"), "==", 0),
    ("bridge RSS MB", ("bridge", "rss_max_mb"), "<=", 300),
    ("bridge CPU idle (cores)", ("bridge", "cpu_idle_cores"), "<", 0.5),
]  # fmt: skip


def checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue with this run's figure; ``ok`` is None without data."""
    out = []
    for name, path, op, target in TARGETS:
        value = _get(report, *path)
        ok: bool | None
        if math.isnan(value):
            ok = None
        elif op == "<=":
            ok = value <= target
        elif op == "<":
            ok = value < target
        else:
            ok = value == target
        out.append({"name": name, "value": value, "target": f"{op} {target:g}", "ok": ok})
    return out


def print_summary(report: dict[str, Any]) -> None:
    run = report["run"]
    print(f"\nrelay benchmark: {run['trips']} trips, traffic {run['seconds']:.0f} s, "
          f"bulk {run['burst']}")  # fmt: skip
    print(
        f"{'path':<16}{'class':<14}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}"
    )
    for path, classes in report["latency"].items():
        for klass, s in classes.items():
            print(f"{path:<16}{klass:<14}{s['n']:>7}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}"
                  f"{s['p99_ms']:>10.1f}{s['max_ms']:>10.1f}")  # fmt: skip
    for check in report["checks"]:
        mark = {True: "ok", False: "MISSED", None: "n/a"}[check["ok"]]
        print(f"  {mark:<7}{check['name']:<34}{check['value']:>10.3g}  target {check['target']}")
    print(f"delivery: {json.dumps(report['delivery'])}")
    print(f"bulk: {json.dumps(report['bulk'])}")
    print(f"bridge: {json.dumps(report['bridge'])}")
    print(f"into the chats in the traffic phase: {json.dumps(report.get('into_chats', {}))}")
    requests = {k: v for k, v in report["osoto_requests"].items()}
    print(f"osoto requests: {json.dumps(requests)}")


def write_outputs(
    report: dict[str, Any], out: Path, stem: str, *, plots: bool = True
) -> list[Path]:
    """The JSON (without the plot series) and, if matplotlib is there, the plots."""
    out.mkdir(parents=True, exist_ok=True)
    series = report["series"]
    slim = {k: v for k, v in report.items() if k != "series"}
    path = out / f"{stem}.json"
    path.write_text(json.dumps(slim, indent=2, allow_nan=True) + "\n", encoding="utf-8")
    written = [path]
    if plots:
        try:
            from relay_plots import plot_latency, plot_requests
        except ModuleNotFoundError as exc:  # the figures are in the JSON all the same
            print(f"no plots: {exc.name} is missing (make bench-relay has it)", file=sys.stderr)
            return written
        written.append(plot_latency(series["latency"], out / f"{stem}-latency.png", report["run"]))
        written.append(plot_requests(series["requests"], out / f"{stem}-requests.png", report))
    return written
