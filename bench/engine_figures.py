"""The engine benchmark's arithmetic: match arrivals to lines by tag, and figures.

Every line carries the relay benchmark's tag (`relay_traffic.tag`), so each copy
the bot sent (in a chat, or as a POST to Osoto) is matched to the line it carries.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from relay_traffic import tag

TAG = re.compile(r"msg(\d{7})x")
CHATS = ("telegram", "slack")


@dataclass(frozen=True)
class Line:
    """One line a person wrote: its tag number, where, into which trip, when."""

    seq: int
    origin: str
    trip: int
    at: float

    @property
    def text(self) -> str:
        return f"line {self.seq} of the engine run {tag(self.seq)}"


class Arrivals:
    """Where each tagged line arrived: chats (with times), Osoto posts, Osoto's store."""

    def __init__(
        self,
        received: Iterable[Sequence[Any]],
        posts: Iterable[tuple[float, int, Sequence[int]]],
        stored: Iterable[str],
    ) -> None:
        self.chat: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for at, platform, _chat, text in received:
            # a merged message carries several lines: each arrived with it
            for found in TAG.findall(str(text)):
                self.chat[int(found)][str(platform)].append(float(at))
        self.osoto: dict[int, list[float]] = defaultdict(list)
        self.osoto_429 = 0
        for at, status, seqs in posts:
            if status == 201:
                for seq in seqs:
                    self.osoto[seq].append(at)
            elif status == 429:
                self.osoto_429 += 1
        self.stored: Counter[int] = Counter()
        for content in stored:
            self.stored.update(int(found) for found in TAG.findall(content))

    def in_chat(self, line: Line, platform: str) -> float | None:
        times = self.chat.get(line.seq, {}).get(platform)
        return min(times) if times else None

    def in_osoto(self, line: Line) -> float | None:
        times = self.osoto.get(line.seq)
        return min(times) if times else None


def other(platform: str) -> str:
    return "slack" if platform == "telegram" else "telegram"


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def chat_to_chat(lines: Iterable[Line], got: Arrivals) -> list[float]:
    out = []
    for line in lines:
        if line.origin in CHATS and (at := got.in_chat(line, other(line.origin))) is not None:
            out.append(at - line.at)
    return out


def chat_to_osoto(lines: Iterable[Line], got: Arrivals) -> list[float]:
    out = []
    for line in lines:
        if line.origin in CHATS and (at := got.in_osoto(line)) is not None:
            out.append(at - line.at)
    return out


def osoto_to_chat(lines: Iterable[Line], got: Arrivals) -> list[float]:
    out = []
    for line in lines:
        if line.origin == "osoto":
            out.extend(at - line.at for p in CHATS if (at := got.in_chat(line, p)) is not None)
    return out


def poll_breakdown(
    lines: Iterable[Line], got: Arrivals, polls: dict[int, list[float]]
) -> dict[str, Any]:
    """Where an Osoto line's way to the chats goes: waiting for the poll that found it
    (the first of its trip's polls to finish after it was written), then from that
    poll to each chat; and the gaps between a trip's polls while it talks."""
    waits: list[float] = []
    onward: list[float] = []
    gaps: list[float] = []
    spans = {line.trip: [math.inf, -math.inf] for line in lines}
    for line in lines:
        span = spans[line.trip]
        span[0], span[1] = min(span[0], line.at), max(span[1], line.at)
        if line.origin != "osoto":
            continue
        times = polls.get(line.trip, [])
        found = bisect.bisect_right(times, line.at)
        if found == len(times):
            continue
        waits.append(times[found] - line.at)
        onward.extend(at - times[found] for p in CHATS if (at := got.in_chat(line, p)) is not None)
    for trip, (first, last) in spans.items():
        inside = [t for t in polls.get(trip, []) if first <= t <= last]
        gaps.extend(b - a for a, b in itertools.pairwise(inside))
    return {
        "wait_for_poll": stats(waits),
        "poll_to_chat": stats(onward),
        "poll_gap_while_talking": stats(gaps),
    }


def slowest_osoto_lines(
    lines: Iterable[Line], got: Arrivals, polls: dict[int, list[float]], count: int = 5
) -> list[dict[str, Any]]:
    """The slowest Osoto lines, each with its trip's polls around it (seconds after it
    was written), to see which poll brought it."""
    found = []
    for line in lines:
        arrived = [at for p in CHATS if (at := got.in_chat(line, p)) is not None]
        if line.origin == "osoto" and arrived:
            found.append((max(arrived) - line.at, line))
    found.sort(key=lambda item: item[0], reverse=True)
    return [
        {
            "seq": line.seq,
            "trip": line.trip,
            "at": line.at,
            "took_s": round(took, 3),
            "polls_s": [
                round(t - line.at, 3)
                for t in polls.get(line.trip, [])
                if -3 <= t - line.at <= took + 1
            ],
        }
        for took, line in found[:count]
    ]


def delivery(lines: Sequence[Line], got: Arrivals) -> dict[str, int]:
    """Lines missing somewhere they belong, and lines stored twice in Osoto."""
    missing_chat = missing_osoto = doubled_osoto = doubled_chat = 0
    for line in lines:
        targets = [other(line.origin)] if line.origin in CHATS else list(CHATS)
        for platform in targets:
            copies = len(got.chat.get(line.seq, {}).get(platform, []))
            missing_chat += copies == 0
            doubled_chat += copies > 1
        stored = got.stored.get(line.seq, 0)
        if line.origin in CHATS:
            missing_osoto += stored == 0
        doubled_osoto += stored > 1
    return {
        "missing_in_chat": missing_chat,
        "missing_in_osoto": missing_osoto,
        "doubled_toward_osoto": doubled_osoto,
        "doubled_in_chat": doubled_chat,
    }


def last_arrival(lines: Iterable[Line], got: Arrivals, place: str) -> float | None:
    """When the last of ``lines`` arrived in ``place`` (a chat, or ``osoto``); None if any
    has not."""
    latest = 0.0
    for line in lines:
        at = got.in_osoto(line) if place == "osoto" else got.in_chat(line, place)
        if at is None:
            return None
        latest = max(latest, at)
    return latest


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def stats(values: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_s": round(percentile(values, 0.5), 4),
        "p99_s": round(percentile(values, 0.99), 4),
        "max_s": round(max(values), 4) if values else math.nan,
    }


def print_table(rows: Sequence[tuple[str, str, str]]) -> None:
    """The issue's figures table: figure, target, measured."""
    widths = [max(len(r[i]) for r in [("figure", "target", "measured"), *rows]) for i in range(3)]
    head = ("figure", "target", "measured")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
