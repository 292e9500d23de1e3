"""Three replicas as three `osoto-bridge run` processes, on one PostgreSQL.

Given six linked trips (a key each) and three replicas behind round-robin Slack
events, while people write in Telegram, Slack and Osoto: one replica is SIGKILLed
(its keys and jobs are taken over once its leases expire), restarted, and then every
replica is restarted in turn (each hands its leases over on the way out). Then every
line is in every place once: in Osoto exactly once, in each chat at least once (a
lost platform response may double a chat copy: the test prints how many), no key
answered 429 or made more than 60 requests in any sliding 60 s, and
Telegram never answered 409 (two pollers). Waits on readiness and on the lease
table, never on time passing.

Needs ``OSOTO_BRIDGE_TEST_POSTGRES_URL`` (skipped without it, failed under CI).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_world() -> Any:
    # bench/ is no package; by path, so tests/relay's relay_world is not shadowed.
    spec = importlib.util.spec_from_file_location(
        "bench_replicas_world", ROOT / "bench" / "replicas_world.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_bench = _load_world()
World = _bench.World
pg_url_from_env = _bench.pg_url_from_env
wait_for = _bench.wait_for
world = _bench.world

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

TRIPS = 6


def _pg_url() -> str:
    url = pg_url_from_env()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but OSOTO_BRIDGE_TEST_POSTGRES_URL is not")
        pytest.skip("OSOTO_BRIDGE_TEST_POSTGRES_URL is not set")
    return url


async def _traffic(w: World, stop: asyncio.Event) -> None:
    """A line about every 0.3 s, turn by turn from Telegram, Slack and Osoto."""
    origins = ("telegram", "slack", "osoto")
    n = 0
    while not stop.is_set():
        await w.write(origins[n % 3], n % TRIPS)
        n += 1
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.3):
                await stop.wait()


async def test_replicas_survive_a_sigkill_and_a_rolling_restart_under_traffic(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, _pg_url(), trips=TRIPS, replicas=3, lease_ttl=10.0) as w:
        names = {r.name for r in w.replicas}
        for replica in w.replicas:
            await w.start(replica)
        for replica in w.replicas:
            await w.ready(replica)
        await w.spread_over(names, within=60)  # the victim below holds work
        stop = asyncio.Event()
        traffic = asyncio.create_task(_traffic(w, stop))
        try:
            first = len(w.sent)
            await wait_for(lambda: _ready(len(w.sent) >= first + 6), within=30, what="traffic")
            victim = w.replicas[1]
            w.kill(victim)  # SIGKILL under traffic
            await victim.process.wait()  # type: ignore[union-attr]
            took = await w.leased_by(names - {victim.name}, within=60)
            print(f"\ntakeover after SIGKILL: {took:.1f}s (lease TTL {w.lease_ttl:g}s)")
            await w.start(victim)
            await w.ready(victim)
            for replica in w.replicas:  # rolling restart
                assert await w.stop(replica) == 0
                await w.start(replica)
                await w.ready(replica)
        finally:
            stop.set()
            await traffic
        await w.leased_by(names, within=30)

        async def all_arrived() -> bool:
            return not (await w.tally()).missing()

        with contextlib.suppress(TimeoutError):
            await wait_for(all_arrived, within=60, what="every line everywhere")
        tally = await w.tally()
        limited, most = await w.budget()
        stats = await w.chat_stats()
        chat_doubles = tally.doubled("chat")
        print(
            f"{len(w.sent)} lines; missing {len(tally.missing())}; doubled toward Osoto "
            f"{len(tally.doubled('osoto'))}; chat copies doubled {len(chat_doubles)} "
            f"{chat_doubles}; 429s {limited}; most requests of one key in 60 s {most}; "
            f"Telegram 409s {stats['telegram_conflicts']}; echoes {len(tally.echoes())}"
        )
        assert tally.missing() == []
        assert tally.doubled("osoto") == []
        assert tally.echoes() == []
        # Every replica reserves a key's requests in the shared record (schema 7):
        # no 429, and never more than 60 in any sliding 60 s, across the SIGKILL's
        # takeover and every hand-over of the rolling restart.
        assert limited == 0
        assert most <= 60
        assert stats["telegram_conflicts"] == 0


async def _ready(value: bool) -> bool:
    return value
