"""The fault run's verdict: what each side shows, matched line by line, then printed.

Every line carries a token (``L00012x``; ``H…`` hostile, ``E…`` edits). A copy of a
line is a message on another side whose own text (quotes left out: a reply's quote
of its parent is no copy of the parent) holds the token: an Osoto message, or a bot
message in a chat. The chat rows also say whether the fake lost the answer to that
send (``lost``), which is what explains a double toward a chat, and whether the
reply target the bot used is a copy of the parent. A reply to a message that carries
several lines (merged under a platform's pace) is threaded when it answers any of them.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from relay_world import BenchTrip

LIVE_MENTIONS = ("<!channel>", "<!here>", "<!everyone>")
COMMANDS = ("unknown_command", "malformed_command")
ROW_PLATFORM, ROW_CHAT, ROW_OWN, ROW_ID, ROW_REPLY, ROW_LOST = 1, 2, 4, 5, 6, 7


@dataclass
class Line:
    token: str
    room: int
    origin: str  # "osoto", "telegram", "slack"
    parent: str | None = None  # the token of the line it answers
    hostile: str | None = None
    own_id: str | None = None  # its id where it was written
    parent_copy: str | None = None  # the copy of the parent it answers, in its own chat
    thread: str | None = None  # Slack: the root of the thread it was written in
    # the lines the answered message carries, when it carries several (merged under a
    # platform's pace): the reply is threaded if it answers any of them
    parent_choices: tuple[str, ...] = ()


class Timed(Protocol):
    starts: list[float]
    stops: list[float]
    stop_codes: list[int | None]
    kills: int
    downs: list[float]


class View:
    """What the chats (bot messages) and Osoto (every message) show."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self.osoto: list[list[Any]] = []  # id, channel, content, parent id
        self._lines: dict[str, Line] = {}

    def add(self, line: Line) -> None:
        self._lines[line.token] = line

    def line(self, token: str | None) -> Line | None:
        return self._lines.get(token) if token else None

    def osoto_copies(self, line: Line, trip: BenchTrip | None = None) -> list[str]:
        return [
            m[0]
            for m in self.osoto
            if (trip is None or m[1] == trip.channel_id)
            and line.token in _unquoted(m[2])
            and m[0] != (line.own_id if line.origin == "osoto" else None)
        ]

    def chat_rows(self, line: Line, platform: str, trip: BenchTrip) -> list[list[Any]]:
        chat = trip.telegram_chat if platform == "telegram" else trip.slack_channel
        return [
            r
            for r in self.rows
            if r[ROW_PLATFORM] == platform and r[ROW_CHAT] == chat and line.token in r[ROW_OWN]
        ]

    def chat_of(self, platform: str, trip: BenchTrip) -> list[list[Any]]:
        """The bot's messages in one room's chat (ids are per chat on Telegram)."""
        chat = trip.telegram_chat if platform == "telegram" else trip.slack_channel
        return [r for r in self.rows if r[ROW_PLATFORM] == platform and r[ROW_CHAT] == chat]

    def chat_copies(self, line: Line, platform: str, trip: BenchTrip) -> list[str]:
        return [str(r[ROW_ID]) for r in self.chat_rows(line, platform, trip)]

    def copies(self, line: Line, where: str, trip: BenchTrip) -> list[str]:
        if where == "osoto":
            return self.osoto_copies(line, trip)
        return self.chat_copies(line, where, trip)

    def answered(self, line: Line, trip: BenchTrip) -> bool:
        """A command line: the bot answered it in its chat (replying to it)."""
        chat = trip.telegram_chat if line.origin == "telegram" else trip.slack_channel
        return any(
            r[ROW_PLATFORM] == line.origin and r[ROW_CHAT] == chat and r[ROW_REPLY] == line.own_id
            for r in self.rows
        )

    def arrived(self, line: Line, trips: list[BenchTrip]) -> bool:
        trip = trips[line.room]
        if line.hostile in COMMANDS and line.origin != "osoto" and self.answered(line, trip):
            return True
        return all(self.copies(line, where, trip) for where in expected(line))


def expected(line: Line) -> list[str]:
    if line.origin == "osoto":
        return ["telegram", "slack"]
    return ["osoto", "slack" if line.origin == "telegram" else "telegram"]


def report(
    lines: list[Line],
    view: View,
    trips: list[BenchTrip],
    *,
    args: dict[str, Any],
    drained: bool,
    drain_took: float,
    stats: dict[str, Any],
    proxy: dict[str, int],
    bridge: Timed | None,
    log: Path,
    secrets: list[str],
) -> dict[str, Any]:
    paths: dict[str, Counter[str]] = {}
    why: Counter[str] = Counter()
    odd: list[str] = []
    # Texts of Slack events Slack stopped redelivering (the bridge was down or slow for
    # all its retries): never taken in, told apart from what the bridge lost.
    gave_up = " ".join(stats.get("slack_never_accepted_texts", []))
    for line in lines:
        trip = trips[line.room]
        if line.hostile in COMMANDS and line.origin != "osoto" and view.answered(line, trip):
            paths.setdefault(f"{line.origin} command", Counter())["answered"] += 1
            continue
        for where in expected(line):
            path = f"{line.origin}→{where}"
            tally = paths.setdefault(path, Counter())
            found = view.copies(line, where, trip)
            tally["sent"] += 1
            if not found and line.origin == "slack" and line.token in gave_up:
                tally["never taken in"] += 1
                continue
            tally["once" if len(found) == 1 else "lost" if not found else "doubled"] += 1
            if len(found) > 1 and where != "osoto":
                reason = _doubled_why(view.chat_rows(line, where, trip), bridge)
                why[reason] += 1
                if reason == "unexplained":
                    odd.append(f"{path} {line.token} doubled with no lost answer or stop")
            if not found or (len(found) > 1 and where == "osoto"):
                odd.append(f"{path} {line.token} ({line.hostile or 'line'}): {len(found)} copies")
            if line.parent is not None and found and line.hostile is None:
                verdict = _threaded(view, line, where, found[0], trip)
                if verdict != "ok":
                    tally[verdict] += 1
                    if verdict == "lost parent":
                        odd.append(f"{path} {line.token} lost its parent {line.parent}")
        if line.origin != "osoto":
            echoes = view.chat_copies(line, line.origin, trip)
            if echoes:
                paths.setdefault(f"{line.origin}→osoto", Counter())["echoes"] += len(echoes)
                odd.append(f"echo {line.token} in {line.origin}")
    hostile = _hostile(lines, view, trips)
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    own_stops = [float(m) for m in re.findall(r"bridge stopped in ([0-9.]+)s", text)]
    leaks = sum(text.count(s) for s in secrets if s)
    answers: dict[str, int] = stats.get("slack_answers", {})
    refused = {k: v for k, v in answers.items() if not k.startswith("2")}
    figures: dict[str, Any] = {
        "args": args,
        "drained": drained,
        "drain_seconds": round(drain_took, 1),
        "paths": {path: dict(tally) for path, tally in sorted(paths.items())},
        "chat_doubles_why": dict(why),
        "hostile": hostile,
        "injected": {"osoto": proxy, "chats": stats.get("injected", {})},
        "slack_events": {
            "answers": answers,
            "refused": refused,
            "never_accepted": stats.get("slack_never_accepted", 0),
        },
        "keys_in_logs": leaks,
        "log_bytes": len(text),
        "kills": bridge.kills if bridge else 0,
        "sigterm_stops": bridge.stops if bridge else [],
        "sigterm_exit_codes": bridge.stop_codes if bridge else [],
        "bridge_stop_in_log": own_stops,
        "starts": bridge.starts if bridge else [],
        "odd": odd[:60],
    }
    _print(figures)
    return figures


def _doubled_why(rows: list[list[Any]], bridge: Timed | None) -> str:
    """Why a chat shows a line more than once: a send whose answer was lost (the
    bridge could not know it was shown), or a kill or stop after the first copy was
    shown and before the next (the bridge died before recording the send); else
    ``unexplained``."""
    if any(r[ROW_LOST] for r in rows):
        return "lost response"
    times = sorted(float(r[0]) for r in rows)
    downs = bridge.downs if bridge is not None else []
    if any(times[0] - 1.0 <= down <= times[-1] for down in downs):
        return "kill or stop"
    return "unexplained"


def _threaded(view: View, line: Line, where: str, copy: str, trip: BenchTrip) -> str:
    """Whether ``line``'s copy in ``where`` answers its parent there: ``ok``, ``lost
    parent``, or ``parent never told`` (the reply was written to a chat copy whose
    send response was lost, or that a kill kept from being recorded, and that the
    platform never named to the bridge: Telegram shows a bot nothing of its own)."""
    parent = view.line(line.parent)
    assert parent is not None
    targets: set[str] = set()
    for token in line.parent_choices or (parent.token,):
        answered = view.line(token)
        assert answered is not None
        targets |= set(view.copies(answered, where, trip))
        if answered.origin == where and answered.own_id:
            targets.add(answered.own_id)
            if where == "slack" and answered.thread:
                targets.add(answered.thread)  # a reply goes in the thread's root
    if where == "osoto":
        got = next((m[3] for m in view.osoto if m[0] == copy), None)
    else:
        rows = view.chat_of(where, trip)  # ids are per chat on Telegram
        got = next(r[ROW_REPLY] for r in rows if str(r[ROW_ID]) == copy)
        if where == "slack":  # a thread names its root
            targets |= {str(r[ROW_REPLY] or r[ROW_ID]) for r in rows if str(r[ROW_ID]) in targets}
    if got in targets:
        if line.parent_copy is not None and any(
            r[ROW_LOST] and str(r[ROW_ID]) == line.parent_copy
            for r in view.chat_of(line.origin, trip)
        ):
            return f"parent recovered ({line.origin}, lost response)"
        return "ok"
    if not targets:
        return "parent never taken in"  # Slack gave up delivering the parent's event
    if line.parent_copy is not None:
        chosen = [r for r in view.chat_of(line.origin, trip) if str(r[ROW_ID]) == line.parent_copy]
        lost = any(r[ROW_LOST] for r in chosen)
        doubled = len(view.chat_copies(parent, line.origin, trip)) > 1
        if lost or doubled:
            return f"parent never told ({line.origin}, {'lost response' if lost else 'kill'})"
    return "lost parent"


def _hostile(lines: list[Line], view: View, trips: list[BenchTrip]) -> dict[str, Any]:
    dropped: Counter[str] = Counter()
    live = 0
    for line in lines:
        if line.hostile is None:
            continue
        trip = trips[line.room]
        if not view.arrived(line, trips):
            dropped[line.hostile] += 1
        if line.hostile == "mentions":
            for row in view.rows:
                if row[ROW_PLATFORM] == "slack" and line.token in row[ROW_OWN]:
                    live += any(m in row[3] for m in LIVE_MENTIONS)
        del trip
    altered = sum(1 for line in lines if line.hostile == "lone_surrogate")
    return {
        "dropped": dict(dropped),
        "live_mentions_in_slack": live,
        "altered_lone_surrogate_to_U+FFFD": altered,
    }


def _unquoted(content: str) -> str:
    return "\n".join(row for row in content.splitlines() if not row.startswith(">"))


def _spread(values: list[float]) -> str:
    if not values:
        return "none"
    return f"n={len(values)} p50 {statistics.median(values):.2f} s, max {max(values):.2f} s"


def _print(f: dict[str, Any]) -> None:
    a = f["args"]
    print(
        f"fault run (processes): seed {a['seed']}, {a['rooms']} rooms, {a['lines']} lines "
        f"over {a['seconds']:.0f} s + {a['hostile']} hostile; drained: {f['drained']} "
        f"({f['drain_seconds']:.0f} s)"
    )
    print(
        f"injected: osoto {f['injected']['osoto']}; chats {f['injected']['chats']}; "
        f"SIGKILLs {f['kills']}, SIGTERMs {len(f['sigterm_stops'])}"
    )
    columns = ["sent", "once", "lost", "doubled", "echoes", "lost parent", "never taken in"]
    columns += ["parent never taken in"]
    never = sorted(
        {
            k
            for t in f["paths"].values()
            for k in t
            if k.startswith(("parent never told", "parent recovered"))
        }
    )
    print(f"{'path':<18}" + "".join(f"{c:>12}" for c in columns) + "".join(f"  {c}" for c in never))
    for path, tally in f["paths"].items():
        if "command" in path:
            continue
        print(
            f"{path:<18}"
            + "".join(f"{tally.get(c, 0):>12}" for c in columns)
            + "".join(f"  {tally.get(c, 0):>{len(c)}}" for c in never)
        )
    commands = {p: t.get("answered", 0) for p, t in f["paths"].items() if "command" in p}
    print(f"commands answered (not relayed): {commands or 0}")
    print(f"doubles toward chats, why: {f['chat_doubles_why'] or 0}")
    h = f["hostile"]
    print(
        f"hostile inputs dropped: {h['dropped'] or 0}; altered: "
        f"{h['altered_lone_surrogate_to_U+FFFD']} lone surrogates → U+FFFD (by design); "
        f"live mentions reaching Slack: {h['live_mentions_in_slack']}"
    )
    s = f["slack_events"]
    print(
        f"Slack event answers: {s['answers']}; refused (non-2xx, timeout, no connection): "
        f"{sum(s['refused'].values())}; never accepted: {s['never_accepted']}"
    )
    print(f"keys and tokens in logs: {f['keys_in_logs']} ({f['log_bytes']:,} bytes of logs)")
    codes = sorted({str(code) for code in f["sigterm_exit_codes"]})
    print(
        f"SIGTERM stop: {_spread(f['sigterm_stops'])} (exit codes {codes}); "
        f"start to ready: {_spread(f['starts'])}"
    )
    print(f"  of which Bridge.stop itself (its log line): {_spread(f['bridge_stop_in_log'])}")
    print(f"load average at the end: {f['args'].get('load_average')}")
    for note in f["odd"][:30]:
        print("  " + note)
