"""Replicas on PostgreSQL: takeover time, lease balance, cross-replica latency.

    OSOTO_BRIDGE_TEST_POSTGRES_URL=postgresql+asyncpg://… python bench/replicas.py \\
        [--kills 10] [--trips 6] [--lease-ttl 10] [--lines 30] [--only takeover]

Prints three figures:

1. **takeover after SIGKILL**: three `run` processes (bench/replicas_world.py); one is
   SIGKILLed, and the time until every key lease and job is held by the others is
   measured (from the kill, read from the lease table); the victim is restarted and
   waited for; ``--kills`` times, round robin. p50 and max. Meanwhile people write
   (``--rate`` lines a second, from Telegram, Slack and Osoto in turn, and a
   ``/where`` command every ``--commands`` seconds, answered on whichever replica
   its Slack event reached), and afterwards Osoto's own log gives the **most
   requests of one key in any sliding 60 s** across all the takeovers (the budget:
   60), the 429s, and every line's copies (lost, doubled).
2. **lease balance at 300 channels** over 1, 2 and 3 replicas: 300 keys' units
   offered to that many `ReplicaCoordinator`s (each with its own store, in one
   process: the coordination code and SQL of `run`, without 300 trips of traffic),
   settled, then each replica's count and max/min.
3. **chat → Osoto latency** with two replicas while every Slack event goes to one of
   them (r0): lines for channels r0 holds (local) against those r1 holds (woken
   through NOTIFY); from the person's write to Osoto's 201; p50 and max.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from replicas_world import World, pg_url_from_env, wait_for, world  # noqa: E402

from osoto_bridge.relay.replicas import ReplicaCoordinator  # noqa: E402
from osoto_bridge.store import Store, generate_secret_key  # noqa: E402


def _spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"p50 {statistics.median(values):.2f} s, max {max(values):.2f} s (n={len(values)})"


async def takeovers(pg_url: str, args: argparse.Namespace) -> list[float]:
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        async with world(
            Path(tmp), pg_url, trips=args.trips, replicas=3, lease_ttl=args.lease_ttl
        ) as w:
            names = {r.name for r in w.replicas}
            for replica in w.replicas:
                await w.start(replica)
            for replica in w.replicas:
                await w.ready(replica)
            times: list[float] = []
            stop = asyncio.Event()
            traffic = asyncio.create_task(_traffic(w, stop, args))
            try:
                await _kills(w, names, args, times)
            finally:
                stop.set()
                await traffic
            await _budget_report(w, names)
            return times


async def _traffic(w: World, stop: asyncio.Event, args: argparse.Namespace) -> None:
    """Lines at ``--rate`` a second (Telegram, Slack, Osoto in turn) and commands."""
    origins = ("telegram", "slack", "osoto")
    n = 0
    next_command = time.monotonic() + args.commands
    while not stop.is_set():
        await w.write(origins[n % 3], n % args.trips)
        if args.commands > 0 and time.monotonic() >= next_command:
            await w.command("slack", n % args.trips, "/where")
            next_command += args.commands
        n += 1
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0 / args.rate):
                await stop.wait()


async def _budget_report(w: World, names: set[str]) -> None:
    await w.leased_by(names, within=60)

    async def arrived() -> bool:
        return not (await w.tally()).missing()

    with contextlib.suppress(TimeoutError):
        await wait_for(arrived, within=90, what="every line everywhere")
    tally = await w.tally()
    limited, most = await w.budget()
    print(
        f"budget across the takeovers: most requests of one key in any sliding 60 s {most} "
        f"(limit 60); 429s {limited}; {len(w.sent)} lines, missing {len(tally.missing())}, "
        f"doubled toward Osoto {len(tally.doubled('osoto'))}, chat copies doubled "
        f"{len(tally.doubled('chat'))}; {w.commands} commands"
    )
    if tally.missing() or tally.doubled("chat"):
        print(f"  missing {tally.missing()}; chat copies doubled {tally.doubled('chat')}")


async def _kills(w: World, names: set[str], args: argparse.Namespace, times: list[float]) -> None:
    for n in range(args.kills):
        # The victim holds work when it is killed (else there is nothing to take).
        await w.spread_over(names, within=60)
        victim = w.replicas[n % 3]
        began = time.monotonic()
        w.kill(victim)
        assert victim.process is not None
        await victim.process.wait()
        await w.leased_by(names - {victim.name}, within=60)
        times.append(time.monotonic() - began)
        print(f"  kill {n + 1}: {victim.name} taken over in {times[-1]:.2f} s",
              file=sys.stderr)  # fmt: skip
        await w.start(victim)
        await w.ready(victim)


async def balance(pg_url: str, replicas: int, units: int = 300) -> list[int]:
    schema = f"replicas_bench_{uuid.uuid4().hex[:10]}"
    keys = [generate_secret_key()]
    offered = {f"key:{n}" for n in range(units)}
    stores = [await Store.open(pg_url, secret_keys=keys, schema=schema) for _ in range(replicas)]
    coordinators = [
        ReplicaCoordinator(store=s, replica_id=f"b{n}", ttl=4.0) for n, s in enumerate(stores)
    ]
    try:
        for c in coordinators:

            async def nothing() -> None:
                return None

            c.bind(on_change=nothing, on_wake=lambda trip, channel: None)
            c.offer(offered)
            await c.__aenter__()

        async def settled() -> bool:
            held = await stores[0].lease_holders()
            return sum(held.values()) == units and len(held) == replicas

        await wait_for(settled, within=60, what="the leases to settle")
        # One more round each: a replica above its share gives back in its next round.
        await asyncio.sleep(2.5)
        await wait_for(settled, within=60, what="the leases to settle")
        held = await stores[0].lease_holders()
        return sorted(held.values())
    finally:
        for c in coordinators:
            await c.stop()
        async with stores[0].engine.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        for s in stores:
            await s.close()


async def _holder_of_units(w: World) -> dict[str, str]:
    assert w.store is not None
    async with w.store.engine.connect() as conn:
        rows = await conn.exec_driver_sql("SELECT unit, holder FROM leases")
        return {str(unit): str(who) for unit, who in rows}


async def latency(pg_url: str, args: argparse.Namespace) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        async with world(
            Path(tmp), pg_url, trips=args.trips, replicas=2, lease_ttl=args.lease_ttl
        ) as w:
            names = {r.name for r in w.replicas}
            for replica in w.replicas:
                await w.start(replica)
            for replica in w.replicas:
                await w.ready(replica)
            # Both hold keys (r1 joined after r0 took everything: wait for the hand-back).
            await w.spread_over(names, within=60)
            assert w.http is not None and w.store is not None
            # Every Slack event to r0 only.
            await w.http.post(
                f"{w.control_url}/bridge",
                json={"events_urls": [f"{w.replicas[0].url}/slack/events"]},
            )
            links = await w.store.list_links(platform="slack")
            key_of = {link.trip_id: link.key_id for link in links}
            holder = await _holder_of_units(w)
            local, remote = [], []
            sent = []
            for n in range(args.lines):
                trip = n % args.trips
                sent.append((await w.write("slack", trip), trip))
                await asyncio.sleep(1.0)  # a conversation's pace: one line a second

            async def posted() -> bool:
                at = await w.posted_at()
                return all(line.tag in at for line, _ in sent)

            await wait_for(posted, within=60, what="every line in Osoto")
            if await _holder_of_units(w) != holder:
                print("  (the leases moved during the run: the split below is approximate)")
            at = await w.posted_at()
            for line, trip in sent:
                took = at[line.tag] - line.at
                unit = f"key:{key_of[w.trips[trip].trip_id]}"
                (local if holder.get(unit) == "r0" else remote).append(took)
            return local, remote


async def main(args: argparse.Namespace) -> int:
    pg_url = pg_url_from_env()
    if pg_url is None:
        print("set OSOTO_BRIDGE_TEST_POSTGRES_URL", file=sys.stderr)
        return 2
    if "balance" in args.only:
        print("lease balance at 300 channels (one key each):")
        for replicas in (1, 2, 3):
            counts = await balance(pg_url, replicas)
            print(f"  {replicas} replica(s): {counts}; max/min {max(counts) / min(counts):.2f}")
    if "latency" in args.only:
        local, remote = await latency(pg_url, args)
        print("chat → Osoto, Slack events all to r0 (two replicas):")
        print(f"  channel held by r0 (local):            {_spread(local)}")
        print(f"  channel held by r1 (woken by NOTIFY):  {_spread(remote)}")
    if "takeover" in args.only:
        times = await takeovers(pg_url, args)
        print(f"takeover after SIGKILL (lease TTL {args.lease_ttl:g} s): {_spread(times)}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--trips", type=int, default=6)
    parser.add_argument("--lease-ttl", type=float, default=10.0)
    parser.add_argument(
        "--only", default="balance,latency,takeover", help="comma-separated figures to run"
    )
    parser.add_argument("--workdir", default=None, help="where the logs go (a temporary dir)")
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--rate", type=float, default=3.0, help="lines a second (takeover)")
    parser.add_argument(
        "--commands", type=float, default=5.0, help="seconds between commands (takeover; 0: none)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
