"""Work leases on PostgreSQL: taken once, balanced, renewed, released, taken over.

Times are the server's `now()`, so expiry is made real with a short TTL and a wait
on the database's own clock (`pg_sleep`), never on the test's.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from storetest import Backend

from osoto_bridge.store import Store, StoreError, fair_share, generate_secret_key

UNITS = [f"key:{n}" for n in range(300)]


async def _pg_sleep(store: Store, seconds: float) -> None:
    # The server's clock is the leases' clock: let it pass there.
    async with store.engine.connect() as conn:
        await conn.execute(sa.text("SELECT pg_sleep(:s)"), {"s": seconds})


@pytest.mark.postgres
async def test_three_replicas_share_300_units_evenly_and_never_hold_one_twice(
    pg: Backend,
) -> None:
    async with pg.open() as a, pg.open() as b, pg.open() as c:
        first = await a.lease_round(replica="a", ttl=30, units=UNITS)
        assert len(first.held) == 300  # alone: everything
        await b.lease_round(replica="b", ttl=30, units=UNITS)  # joins: a must give back
        held = {}
        for _ in range(3):  # each replica's rounds converge on its share
            for name, store in (("a", a), ("b", b), ("c", c)):
                result = await store.lease_round(replica=name, ttl=30, units=UNITS)
                # The surplus is still held (its work must stop first), then given back.
                assert result.surplus == () or set(result.surplus) <= result.held
                await store.release_units(name, result.surplus)
                held[name] = result.held - set(result.surplus)
        assert {len(h) for h in held.values()} == {100}
        assert not (held["a"] & held["b"]) and not (held["b"] & held["c"])
        assert not (held["a"] & held["c"])
        assert await a.lease_holders() == {"a": 100, "b": 100, "c": 100}


@pytest.mark.postgres
async def test_replicas_taking_at_once_each_get_different_units(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        await a.lease_round(replica="a", ttl=30, units=[])  # both live from the start
        await b.lease_round(replica="b", ttl=30, units=[])
        ra, rb = await asyncio.gather(
            a.lease_round(replica="a", ttl=30, units=UNITS),
            b.lease_round(replica="b", ttl=30, units=UNITS),
        )
        assert not (ra.held & rb.held)
        assert len(ra.held) <= fair_share(300, 2) and len(rb.held) <= fair_share(300, 2)


@pytest.mark.postgres
async def test_an_expired_holder_is_taken_over_and_a_released_one_at_once(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        units = ["key:1", "key:2"]
        await a.lease_round(replica="a", ttl=1, units=units, exclusive=["telegram-poller"])
        taken = await b.lease_round(replica="b", ttl=30, units=units, exclusive=["telegram-poller"])
        assert taken.held == frozenset()  # a's leases still run; b stands by
        await _pg_sleep(a, 1.2)  # a stops renewing (as if SIGKILLed): its leases run out
        taken = await b.lease_round(replica="b", ttl=30, units=units, exclusive=["telegram-poller"])
        assert taken.held == {"key:1", "key:2", "telegram-poller"}
        assert {t.unit for t in taken.taken_over} == {"key:1", "key:2", "telegram-poller"}
        assert all(t.previous == "a" and t.lag >= 0.0 for t in taken.taken_over)
        assert sorted(await b.release_leases("b")) == ["key:1", "key:2", "telegram-poller"]
        again = await a.lease_round(replica="a", ttl=30, units=units, exclusive=["telegram-poller"])
        assert again.held == {"key:1", "key:2", "telegram-poller"}
        assert again.taken_over == ()  # released, not expired: no takeover


@pytest.mark.postgres
async def test_a_notification_reaches_a_listener(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        channel = await a.notify_channel("osoto_bridge_wake")
        got: asyncio.Queue[str] = asyncio.Queue()
        async with b.listening(channel, got.put_nowait, lambda: None):
            await a.notify(channel, "trip-1\tchannel-1")
            async with asyncio.timeout(10):
                assert await got.get() == "trip-1\tchannel-1"


async def test_sqlite_has_no_leases() -> None:
    async with Store.open("sqlite+aiosqlite://", secret_keys=[generate_secret_key()]) as store:
        with pytest.raises(StoreError, match="PostgreSQL"):
            await store.lease_round(replica="a", ttl=10, units=["key:1"])


@pytest.mark.postgres
async def test_bot_rate_parts_never_add_up_to_more_than_the_whole_as_replicas_join(
    pg: Backend,
) -> None:
    async with pg.open() as a, pg.open() as b, pg.open() as c:
        stores = {"a": a, "b": b, "c": c}
        in_effect: dict[str, float] = {}

        async def round_of(name: str) -> float:
            result = await stores[name].lease_round(
                replica=name, ttl=30, units=UNITS, pace_share=in_effect.get(name, 0.0)
            )
            assert result.pace_share is not None
            in_effect[name] = result.pace_share  # what the pacers now use
            assert sum(in_effect.values()) <= 1.0, in_effect
            return result.pace_share

        assert await round_of("a") == 1.0  # alone: the whole rate
        # b joins: a's record still says 1, so b holds its sends (0) until a's part
        # is down in a's pacers and then in the record.
        assert await round_of("b") == 0.0
        assert await round_of("a") == 0.5
        assert await round_of("b") == 0.0  # a recorded 1 still (it was in effect)
        await round_of("a")  # records 0.5
        assert await round_of("b") == 0.5
        # c joins while a and b run at a half each; every order of rounds keeps the sum.
        for name in ("c", "b", "c", "a", "c", "b", "a", "c", "a", "b", "c"):
            await round_of(name)
        assert in_effect == {"a": pytest.approx(1 / 3), "b": pytest.approx(1 / 3),
                             "c": pytest.approx(1 / 3)}  # fmt: skip
        # b leaves for good: once its heartbeat is gone the others take its part.
        await b.release_leases("b")
        del in_effect["b"]
        for name in ("a", "c", "a", "c", "a", "c"):
            await round_of(name)
        assert in_effect == {"a": 0.5, "c": 0.5}


@pytest.mark.postgres
async def test_replicas_sizing_their_parts_at_once_take_turns(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        ra, rb = await asyncio.gather(
            a.lease_round(replica="a", ttl=30, units=[], pace_share=0.0),
            b.lease_round(replica="b", ttl=30, units=[], pace_share=0.0),
        )
        # Whoever sized second saw the first's record: never 1 and 1, or 0.5 and 1.
        assert ra.pace_share is not None and rb.pace_share is not None
        assert ra.pace_share + rb.pace_share <= 1.0
