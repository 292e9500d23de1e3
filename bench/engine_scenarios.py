"""The engine benchmark's scenarios, each on a fresh stack (`engine_stack.Stack`).

Each returns its figures (rows of the issue's table) and its raw numbers. Sizes come
from the command line (`engine.parse_args`) so a quick re-run stays quick.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from engine_figures import (
    Arrivals,
    Line,
    chat_to_chat,
    chat_to_osoto,
    delivery,
    last_arrival,
    ms,
    osoto_to_chat,
    percentile,
    poll_breakdown,
    slowest_osoto_lines,
    stats,
)
from engine_stack import Stack, until

Row = tuple[str, str, str]
Result = dict[str, Any]
_seq = itertools.count(1)


async def arrivals(stack: Stack) -> Arrivals:
    return Arrivals(await stack.received(), await stack.osoto_posts(), await stack.osoto_messages())


async def write(stack: Stack, origin: str, trip: int, lines: list[Line]) -> None:
    """One person writes one line (chat or Osoto); its time is noted in ``lines``."""
    seq = next(_seq)
    text = Line(seq, origin, trip, 0.0).text
    if origin == "osoto":
        at = await stack.osoto_says(trip, text)
        if at is None:
            return
    else:
        (at,) = await stack.inject([(text, origin, trip)])
    lines.append(Line(seq, origin, trip, at))


async def burst(stack: Stack, plan: list[tuple[str, int]]) -> list[Line]:
    """Many lines written at once into the chats: ``(platform, trip)`` each."""
    seqs = [next(_seq) for _ in plan]
    texts = [(Line(s, o, t, 0.0).text, o, t) for s, (o, t) in zip(seqs, plan, strict=True)]
    times = await stack.inject(texts)
    return [Line(s, o, t, at) for s, (o, t), at in zip(seqs, plan, times, strict=True)]


async def drained(stack: Stack, lines: list[Line], cap: float) -> tuple[Arrivals, bool]:
    """Wait until every line is everywhere it belongs (at most ``cap`` s)."""

    async def done() -> bool:
        got = await arrivals(stack)
        counts = delivery(lines, got)
        return counts["missing_in_chat"] == 0 and counts["missing_in_osoto"] == 0

    complete = await until(done, within=cap, what="delivery", every=0.5)
    await asyncio.sleep(1.0)  # a late double shows too
    return await arrivals(stack), complete


async def throttled(stack: Stack) -> dict[str, int]:
    """429s each fake chat sent the bridge."""
    s = await stack.stats()
    return {
        "telegram": int(s["telegram_429"]),
        "slack": int(s["slack_429"]),
        **{f"telegram {k}": int(v) for k, v in s.get("telegram_429_by", {}).items()},
        **{f"slack {k}": int(v) for k, v in s.get("slack_429_by", {}).items()},
    }


def _crossed(at: float | None, start: float, by_cap: int, total: int, cap: float) -> str:
    """How long until every line was there, or how many were by the cap."""
    if at is not None:
        return f"{at - start:.1f} s"
    return f"> {cap:.0f} s ({by_cap} of {total} by then)"


def _lost(counts: dict[str, int], complete: bool) -> str:
    if not complete:
        return "not drained by the cap"
    return str(counts["missing_in_chat"] + counts["missing_in_osoto"])


def _bounced(chat: dict[str, int], osoto: int) -> str:
    return f"{chat['telegram'] + chat['slack'] + osoto} (Telegram {chat['telegram']}, " + (
        f"Slack {chat['slack']}, Osoto {osoto})"
    )


async def _key_window(stack: Stack, trip: int, at: float) -> dict[str, int]:
    """The trip's owner key's requests (by kind) in the 60 s before ``at``."""
    kinds: dict[str, int] = {}
    for when, whose, kind, _, _ in await stack.osoto_log():
        if whose == trip and at - 60.0 <= when <= at:
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


# -- the scenarios -------------------------------------------------------------------


async def conversation(stack: Stack, args: argparse.Namespace) -> tuple[list[Row], Result]:
    """Each trip's conversation: a line every 2 s, Telegram, Osoto, Slack, Osoto …

    The trips talk independently, each at its own moment of the 2 s; with
    ``--lockstep`` all write in the same instant, and each line then also waits for
    the others' work (the worst case of as many conversations).
    """
    trips, seconds, warmup = args.conversation_trips, args.conversation_seconds, args.warmup
    origins = ("telegram", "osoto", "slack", "osoto")
    lines: list[Line] = []
    began = time.time()
    async with asyncio.TaskGroup() as group:
        for step in range(int(seconds / 2.0)):
            for trip in range(trips):
                phase = 0.0 if args.lockstep else 2.0 * trip / trips
                await asyncio.sleep(max(0.0, began + 2.0 * step + phase - time.time()))
                group.create_task(write(stack, origins[step % 4], trip, lines))
        await asyncio.sleep(max(0.0, began + 2.0 * (step + 1) - time.time()))
    measured = [line for line in lines if line.at >= began + warmup]
    got, complete = await drained(stack, lines, args.cap)
    c2c, c2o, o2c = (f(measured, got) for f in (chat_to_chat, chat_to_osoto, osoto_to_chat))
    polls = await stack.osoto_polls()
    rows = [
        ("conversation: chat → chat p50 / p99", "≤ 5 ms / ≤ 50 ms",
         f"{ms(percentile(c2c, 0.5))} / {ms(percentile(c2c, 0.99))}"),
        ("conversation: chat → Osoto p50", "≤ 20 ms", ms(percentile(c2o, 0.5))),
        ("conversation: Osoto → chat active p50 / p99", "≤ 1 s / ≤ 3 s",
         f"{ms(percentile(o2c, 0.5))} / {ms(percentile(o2c, 0.99))}"),
    ]  # fmt: skip
    return rows, {
        "trips": trips,
        "lockstep": args.lockstep,
        "seconds": seconds,
        "warmup_s": warmup,
        "lines": len(lines),
        "complete": complete,
        "chat_to_chat": stats(c2c),
        "chat_to_osoto": stats(c2o),
        "osoto_to_chat_active": stats(o2c),
        "osoto_to_chat_breakdown": poll_breakdown(measured, got, polls),
        "slowest_osoto_lines": [
            {**row, "key_requests_60s_before": await _key_window(stack, row["trip"], row["at"])}
            for row in slowest_osoto_lines(measured, got, polls)
        ],
        "delivery": delivery(lines, got),
        "chat_429": await throttled(stack),
        "osoto_429": got.osoto_429,
    }


async def one_group(stack: Stack, args: argparse.Namespace) -> tuple[list[Row], Result]:
    """``--group-lines`` (300) lines at once into one Telegram group."""
    lines = await burst(stack, [("telegram", 0)] * args.group_lines)
    start = min(line.at for line in lines)
    got, complete = await drained(stack, lines, args.cap)
    in_slack, in_osoto = (last_arrival(lines, got, p) for p in ("slack", "osoto"))
    counts = delivery(lines, got)
    bounced = await throttled(stack)
    slack_by_cap = sum(1 for line in lines if got.in_chat(line, "slack") is not None)
    osoto_by_cap = sum(1 for line in lines if got.in_osoto(line) is not None)
    n = len(lines)
    rows = [
        (f"{n} lines at once into one Telegram group: every line in Slack / in Osoto",
         "≤ 15 s / ≤ 15 s",
         f"{_crossed(in_slack, start, slack_by_cap, n, args.cap)} / "
         f"{_crossed(in_osoto, start, osoto_by_cap, n, args.cap)}"),
        ("  same: lost; 429 received", "0; 0",
         f"{_lost(counts, complete)}; {_bounced(bounced, got.osoto_429)}"),
    ]  # fmt: skip
    return rows, {
        "lines": len(lines),
        "complete": complete,
        "in_slack_s": None if in_slack is None else round(in_slack - start, 2),
        "in_osoto_s": None if in_osoto is None else round(in_osoto - start, 2),
        "in_slack_by_cap": slack_by_cap,
        "in_osoto_by_cap": osoto_by_cap,
        "cap_s": args.cap,
        "delivery": counts,
        "chat_429": bounced,
        "osoto_429": got.osoto_429,
    }


async def pairs(stack: Stack, args: argparse.Namespace) -> tuple[list[Row], Result]:
    """``--pairs`` groups ↔ channels, ``--pair-lines`` lines at once into each side."""
    plan = [(p, t) for t in range(args.pairs) for p in ("telegram", "slack")]
    lines = await burst(stack, [item for item in plan for _ in range(args.pair_lines)])
    start = min(line.at for line in lines)
    got, complete = await drained(stack, lines, args.cap)
    into = {p: [line for line in lines if line.origin != p] for p in ("telegram", "slack")}
    chats_done = [last_arrival(into[p], got, p) for p in ("telegram", "slack")]
    ends = [*chats_done, last_arrival(lines, got, "osoto")]
    last = max(e for e in ends if e is not None) if None not in ends else None
    counts = delivery(lines, got)
    bounced = await throttled(stack)
    # copies expected: one in the other chat and one in Osoto per line
    arrived = sum(
        (got.in_chat(line, "slack" if line.origin == "telegram" else "telegram") is not None)
        + (got.in_osoto(line) is not None)
        for line in lines
    )
    rows = [
        (f"{args.pairs} groups ↔ {args.pairs} channels, {args.pair_lines} at once into each "
         "side: all crossed; lost; 429 received", "≤ 15 s; 0; 0",
         f"{_crossed(last, start, arrived, 2 * len(lines), args.cap)}; "
         f"{_lost(counts, complete)}; {_bounced(bounced, got.osoto_429)}"),
    ]  # fmt: skip
    return rows, {
        "pairs": args.pairs,
        "lines": len(lines),
        "complete": complete,
        "all_crossed_s": None if last is None else round(last - start, 2),
        "chats_crossed_s": None
        if None in chats_done
        else round(max(t for t in chats_done if t is not None) - start, 2),
        "copies_by_cap": arrived,
        "cap_s": args.cap,
        "delivery": counts,
        "chat_429": bounced,
        "osoto_429": got.osoto_429,
    }


async def cost(stack: Stack, args: argparse.Namespace) -> tuple[list[Row], Result]:
    """Limits off: ``--cost-lines`` lines at once into ``--pairs`` Telegram groups."""
    plan = [("telegram", n % args.pairs) for n in range(args.cost_lines)]
    await asyncio.sleep(1.0)  # the start's own work done
    idle_cpu, idle_wall = stack.bridge_cpu(), time.time()
    await asyncio.sleep(3.0)
    cpu_before, wall_before = stack.bridge_cpu(), time.time()
    idle_cores = (cpu_before - idle_cpu) / (wall_before - idle_wall)
    lines = await burst(stack, plan)
    start = min(line.at for line in lines)

    async def in_osoto() -> bool:
        got = await arrivals(stack)
        return all(got.in_osoto(line) is not None for line in lines)

    complete = await until(in_osoto, within=args.cap, what="delivery", every=0.25)
    cpu, wall = stack.bridge_cpu() - cpu_before, time.time() - wall_before
    got = await arrivals(stack)
    end = last_arrival(lines, got, "osoto")
    slack_end = last_arrival(lines, got, "slack")
    posted = sum(1 for line in lines if got.in_osoto(line) is not None)
    span = (end - start) if end is not None else wall
    rate = posted / span if span > 0 else float("nan")
    per_line = cpu / max(1, posted) * 1000
    rows = [
        (f"engine cost, limits off ({args.pairs} pairs, {len(lines)} lines at once, each "
         "persisted and posted to Osoto): bridge CPU per line; lines/s", "≤ 0.5 ms; ≥ 600/s",
         f"{per_line:.1f} ms; {rate:.0f}/s"
         + ("" if complete else f" ({posted} of {len(lines)} in Osoto by {args.cap:.0f} s)")),
    ]  # fmt: skip
    return rows, {
        "lines": len(lines),
        "complete": complete,
        "bridge_cpu_s": round(cpu, 3),
        "in_osoto_by_cap": posted,
        "bridge_cpu_ms_per_line_in_osoto": round(per_line, 3),
        "wall_s": round(wall, 2),
        "idle_cores_before": round(idle_cores, 3),
        "bridge_cpu_ms_per_line_less_idle": round(
            max(0.0, cpu - idle_cores * wall) / max(1, posted) * 1000, 3
        ),
        "lines_per_s_to_osoto": round(rate, 1),
        "all_in_osoto_s": None if end is None else round(end - start, 2),
        "all_in_slack_s": None if slack_end is None else round(slack_end - start, 2),
        "osoto_429": got.osoto_429,
        "exchanges": await exchanges(stack),
    }


async def exchanges(stack: Stack) -> dict[str, int]:
    """The bridge's requests that carried lines: Osoto posts, Slack and Telegram sends
    (a merged message carries several lines in one)."""
    chats = await stack.stats()
    return {
        "osoto_posts": len(await stack.osoto_posts()),
        "slack_postMessage": int(chats["slack_calls"].get("chat.postMessage", 0)),
        "telegram_sendMessage": int(chats["telegram_calls"].get("sendMessage", 0)),
        "telegram_getUpdates": int(chats["telegram_calls"].get("getUpdates", 0)),
    }


async def kill(stack: Stack, args: argparse.Namespace) -> tuple[list[Row], Result]:
    """A 20 lines/s Telegram stream over ``--kill-trips``; SIGKILL half way, restart."""
    lines: list[Line] = []
    rate, seconds = args.kill_rate, args.kill_seconds
    total = int(rate * seconds)
    began = time.time()
    killed_at = restarted_at = 0.0

    async def restart() -> None:
        nonlocal killed_at, restarted_at
        await asyncio.sleep(seconds / 2)
        killed_at = time.time()
        await stack.kill_bridge()
        await stack.start_bridge()
        restarted_at = time.time()

    async with asyncio.TaskGroup() as group:
        group.create_task(restart())
        for n in range(total):
            lines.extend(await burst(stack, [("telegram", n % args.kill_trips)]))
            await asyncio.sleep(max(0.0, began + (n + 1) / rate - time.time()))
    got, complete = await drained(stack, lines, args.cap)
    counts = delivery(lines, got)
    rows = [
        (f"SIGKILL during a {rate:.0f} lines/s stream, restart: lost / doubled toward Osoto",
         "0 / 0",
         f"{counts['missing_in_osoto']}{'' if complete else ' not yet'} / "
         f"{counts['doubled_toward_osoto']}"),
    ]  # fmt: skip
    return rows, {
        "lines": len(lines),
        "complete": complete,
        "killed_after_s": round(killed_at - began, 2),
        "restart_took_s": round(restarted_at - killed_at, 2),
        "delivery": counts,
        "chat_429": await throttled(stack),
        "osoto_429": got.osoto_429,
    }


Scenario = Callable[[Stack, argparse.Namespace], Awaitable[tuple[list[Row], Result]]]

SCENARIOS: dict[str, tuple[Scenario, bool]] = {
    "conversation": (conversation, True),
    "group": (one_group, True),
    "pairs": (pairs, True),
    "cost": (cost, False),
    "kill": (kill, True),
}
"""Each scenario and whether the platforms' limits are on for it."""


def trips_for(name: str, args: argparse.Namespace) -> int:
    return {
        "conversation": args.conversation_trips,
        "group": 1,
        "pairs": args.pairs,
        "cost": args.pairs,
        "kill": args.kill_trips,
    }[name]


async def run_scenario(name: str, args: argparse.Namespace, work: Path) -> tuple[list[Row], Result]:
    scenario, limits = SCENARIOS[name]
    stack = Stack(work, limits=limits, osoto_rate=60 if limits else 1_000_000)
    began = time.monotonic()
    try:
        await stack.start(trips_for(name, args))
        rows, result = await scenario(stack, args)
    finally:
        await stack.stop()
    result["limits"] = limits
    result["setup_s"] = stack.took
    result["scenario_wall_s"] = round(time.monotonic() - began, 1)
    return rows, result
