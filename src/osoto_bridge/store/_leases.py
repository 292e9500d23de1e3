"""Work leases among replicas sharing one PostgreSQL database (`relay/replicas.py`).

One lease round is one transaction (`lease_round`): the replica's heartbeat, the
renewal of what it holds, the release of what exceeds its share, and the taking of
free units up to that share. The primitives, chosen for what each does best:

* **balanced units** (all channels of one API key) are taken with
  ``SELECT … FOR UPDATE SKIP LOCKED``: replicas taking at the same moment each lock
  different free rows and never wait on one another, and the "still free?" test is
  made under the row lock, so two can never take one unit;
* **exclusive units** (one holder in the whole deployment, such as Telegram's long
  poller) are claimed with ``INSERT … ON CONFLICT (unit) DO UPDATE … WHERE`` the
  lease is free or expired: one statement, atomic under the primary key;
* **wake-ups** go through ``LISTEN/NOTIFY`` (`notify`, `listening`);
* **bot-rate shares** (`pace_share`, below) are computed under a transaction-scoped
  advisory lock, so no two replicas size their shares on the same stale reading.

Bot-rate shares: Telegram's 30 messages a second and Slack's 50 posts a second are
per bot, so replicas each pace to a part of them. A replica's part is
min(1 / live replicas, 1 − the parts the other live replicas recorded), and the
recorded part is never below the part in effect: a part goes up in the record
before it is used and comes down in the record only once it is down in the
pacers (the round after). So the live replicas' parts never add up to more than
the whole, a joining replica included: it starts at 0 (holding its sends) and
takes its part once the others recorded theirs smaller.

All times are the server's `now()`, so the replicas' clocks never have to agree.
Only PostgreSQL runs these: with SQLite one process holds everything (`cli/single_run.py`).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store.errors import StoreError

__all__ = ["LeaseRound", "LeasesMixin", "Takeover", "fair_share"]


def fair_share(units: int, live: int, slack: int = 0) -> int:
    """The most balanced units one of ``live`` replicas takes: ceil(units / live) + slack."""
    return math.ceil(units / max(1, live)) + slack


@dataclass(frozen=True, slots=True)
class Takeover:
    """A unit taken from a holder whose lease had expired (it crashed or stalled).

    Attributes:
        unit: the unit.
        previous: who held it.
        lag: seconds the unit stood unattended past its lease's expiry.
    """

    unit: str
    previous: str
    lag: float


@dataclass(frozen=True, slots=True)
class LeaseRound:
    """What one round left this replica holding.

    Attributes:
        held: the units this replica holds now (balanced and exclusive).
        live_replicas: replicas whose heartbeat has not expired, this one included.
        share: the most balanced units this replica may hold (`fair_share`).
        taken_over: units taken from an expired holder in this round.
        released: units given up in this round (no longer offered: their links went).
        surplus: balanced units held (and renewed) above the share: the caller stops
            their work, then gives them back with `release_units`, in that order,
            so that no other replica starts on a unit before its work here ended.
        pace_share: the part of each bot-wide rate this replica may pace to now
            (None: not asked).
    """

    held: frozenset[str]
    live_replicas: int
    share: int
    taken_over: tuple[Takeover, ...]
    released: tuple[str, ...]
    surplus: tuple[str, ...] = ()
    pace_share: float | None = None


_EXPIRES = "now() + make_interval(secs => :ttl)"

_HEARTBEAT = sa.text(
    f"INSERT INTO replicas (replica_id, started_at, expires_at) VALUES (:me, now(), {_EXPIRES}) "
    f"ON CONFLICT (replica_id) DO UPDATE SET expires_at = {_EXPIRES}"
)
_FORGET_DEAD = sa.text("DELETE FROM replicas WHERE expires_at < now() - interval '1 hour'")
_LIVE = sa.text("SELECT count(*) FROM replicas WHERE expires_at > now()")
_KNOWN = sa.text(
    "INSERT INTO leases (unit, holder, expires_at) "
    "SELECT u, NULL, '-infinity' FROM unnest(CAST(:units AS text[])) AS u "
    "ON CONFLICT (unit) DO NOTHING"
)
# Whatever this replica holds that it no longer wants (its unit left, or above its share).
_RELEASE = sa.text(
    "UPDATE leases SET holder = NULL, expires_at = '-infinity' "
    "WHERE holder = :me AND unit = ANY(CAST(:units AS text[]))"
)
_RELEASE_ALL = sa.text(
    "UPDATE leases SET holder = NULL, expires_at = '-infinity' WHERE holder = :me RETURNING unit"
)
_HELD = sa.text("SELECT unit FROM leases WHERE holder = :me")
_RENEW = sa.text(
    f"UPDATE leases SET expires_at = {_EXPIRES} "
    "WHERE holder = :me AND unit = ANY(CAST(:units AS text[])) RETURNING unit"
)
_TAKE = sa.text(
    f"UPDATE leases AS l SET holder = :me, expires_at = {_EXPIRES}, acquired_at = now() "
    "FROM (SELECT unit, holder, expires_at FROM leases "
    "      WHERE unit = ANY(CAST(:units AS text[])) "
    "        AND (holder IS NULL OR expires_at < now()) "
    "      ORDER BY unit LIMIT :n FOR UPDATE SKIP LOCKED) AS free "
    "WHERE l.unit = free.unit "
    "RETURNING l.unit, free.holder, "
    "  CASE WHEN free.holder IS NULL THEN 0 "
    "  ELSE extract(epoch FROM now() - free.expires_at) END"
)
_CLAIM = sa.text(
    f"INSERT INTO leases AS l (unit, holder, expires_at, acquired_at) "
    f"VALUES (:unit, :me, {_EXPIRES}, now()) "
    f"ON CONFLICT (unit) DO UPDATE SET holder = :me, expires_at = {_EXPIRES}, "
    "  acquired_at = CASE WHEN l.holder = :me THEN l.acquired_at ELSE now() END "
    "WHERE l.holder = :me OR l.holder IS NULL OR l.expires_at < now() "
    "RETURNING (SELECT holder FROM leases WHERE unit = :unit), "
    "  (SELECT CASE WHEN holder IS NULL OR expires_at = '-infinity' THEN 0 "
    "   ELSE extract(epoch FROM now() - expires_at) END FROM leases WHERE unit = :unit)"
)
# Any constant works; it only has to be the same in every replica.
_SHARES_LOCK = sa.text("SELECT pg_advisory_xact_lock(:id)")
_SHARES_LOCK_ID = 0x05070B1F
_SHARES = sa.text("SELECT replica_id, pace_share FROM replicas WHERE expires_at > now()")
_RECORD_SHARE = sa.text("UPDATE replicas SET pace_share = :share WHERE replica_id = :me")
_SIGN_OFF = sa.text("DELETE FROM replicas WHERE replica_id = :me")
_NOTIFY = sa.text("SELECT pg_notify(:channel, :payload)")
_SCHEMA = sa.text("SELECT current_schema()")
_HOLDERS = sa.text(
    "SELECT holder, count(*) FROM leases "
    "WHERE holder IS NOT NULL AND expires_at > now() GROUP BY holder"
)


async def _size_share(conn: AsyncConnection, replica: str, in_effect: float) -> float:
    """This replica's next part of the bot-wide rates; records it (module docstring)."""
    await conn.execute(_SHARES_LOCK, {"id": _SHARES_LOCK_ID})
    rows = list(await conn.execute(_SHARES))
    others = sum(float(part or 0.0) for who, part in rows if who != replica)
    # Rounded down to a billionth: 1 - 2/3 in floating point must not leave a
    # sliver that a bucket would round up to one whole request.
    share = math.floor(max(0.0, min(1.0 / max(1, len(rows)), 1.0 - others)) * 1e9) / 1e9
    await conn.execute(_RECORD_SHARE, {"me": replica, "share": max(share, in_effect)})
    return share


class LeasesMixin(StoreBase):
    """Replicas' heartbeats and work leases; PostgreSQL only."""

    def _require_postgresql(self) -> None:
        if self.dialect != "postgresql":
            raise StoreError("leases need PostgreSQL: with SQLite one process holds everything")

    @atomic
    async def lease_round(
        self,
        *,
        replica: str,
        ttl: float,
        units: Collection[str],
        exclusive: Collection[str] = (),
        slack: int = 0,
        pace_share: float | None = None,
    ) -> LeaseRound:
        """Heartbeat, renew, rebalance and take, in one transaction.

        Args:
            replica: this replica's id.
            ttl: seconds the leases (and the heartbeat) last from now.
            units: every balanced unit there is (all replicas see the same links).
            exclusive: units this replica wants whole (taken if free, kept while held).
            slack: units a replica may hold above its fair share.
            pace_share: the part of the bot-wide rates in effect here now, to size
                and record the next (None: this replica paces nothing shared).
        """
        self._require_postgresql()
        wanted = sorted(set(units))
        exclusive = sorted(set(exclusive) - set(wanted))
        async with self._tx() as conn:
            await conn.execute(_HEARTBEAT, {"me": replica, "ttl": ttl})
            await conn.execute(_FORGET_DEAD)
            live = int(await conn.scalar(_LIVE) or 1)
            if wanted:
                await conn.execute(_KNOWN, {"units": wanted})
            held = {row[0] for row in await conn.execute(_HELD, {"me": replica})}
            wanted_set = set(wanted)
            share = fair_share(len(wanted), live, slack)
            balanced = sorted(held & wanted_set)
            # Beyond its share, a replica names its last units (by name) as surplus;
            # the caller gives them back once their work stopped (`release_units`).
            extra = balanced[share:] if len(balanced) > share else []
            released = sorted(held - wanted_set - set(exclusive))
            if released:
                await conn.execute(_RELEASE, {"me": replica, "units": released})
            keep = sorted(held & wanted_set)
            renewed: set[str] = set()
            if keep:
                result = await conn.execute(_RENEW, {"me": replica, "ttl": ttl, "units": keep})
                renewed = {row[0] for row in result}
            takeovers: list[Takeover] = []
            need = share - len(renewed - set(exclusive))
            if need > 0 and wanted:
                result = await conn.execute(
                    _TAKE, {"me": replica, "ttl": ttl, "units": wanted, "n": need}
                )
                for unit, previous, lag in result:
                    renewed.add(unit)
                    if previous is not None and previous != replica:
                        takeovers.append(Takeover(unit, previous, max(0.0, float(lag))))
            for unit in exclusive:
                row = (
                    await conn.execute(_CLAIM, {"me": replica, "ttl": ttl, "unit": unit})
                ).first()
                if row is None:
                    continue
                renewed.add(unit)
                previous, lag = row[0], row[1]
                if previous is not None and previous != replica and unit not in held:
                    takeovers.append(Takeover(unit, previous, max(0.0, float(lag or 0.0))))
            part = None
            if pace_share is not None:
                part = await _size_share(conn, replica, pace_share)
        return LeaseRound(
            held=frozenset(renewed),
            live_replicas=live,
            share=share,
            taken_over=tuple(takeovers),
            released=tuple(released),
            surplus=tuple(unit for unit in extra if unit in renewed),
            pace_share=part,
        )

    @atomic
    async def release_units(self, replica: str, units: Collection[str]) -> None:
        """Give back some of this replica's leases (its surplus, once its work stopped)."""
        self._require_postgresql()
        async with self._tx() as conn:
            await conn.execute(_RELEASE, {"me": replica, "units": sorted(units)})

    @atomic
    async def release_leases(self, replica: str) -> list[str]:
        """Give up every lease and the heartbeat (a graceful stop); returns the units."""
        self._require_postgresql()
        async with self._tx() as conn:
            released = [row[0] for row in await conn.execute(_RELEASE_ALL, {"me": replica})]
            await conn.execute(_SIGN_OFF, {"me": replica})
        return released

    @atomic
    async def lease_holders(self) -> dict[str, int]:
        """Live leases per holder (the benchmark's and the operator's view)."""
        self._require_postgresql()
        async with self._tx(read_only=True) as conn:
            return {str(holder): int(n) for holder, n in await conn.execute(_HOLDERS)}

    @atomic
    async def notify(self, channel: str, payload: str) -> None:
        """`pg_notify`: every connection listening on ``channel`` gets ``payload``."""
        self._require_postgresql()
        async with self._tx() as conn:
            await conn.execute(_NOTIFY, {"channel": channel, "payload": payload})

    async def notify_channel(self, name: str) -> str:
        """``name`` made distinct per schema (NOTIFY channels are database-wide)."""
        self._require_postgresql()
        async with self._engine.connect() as conn:
            schema = await conn.scalar(_SCHEMA)
        return f"{name}:{schema}"

    @asynccontextmanager
    async def listening(
        self, channel: str, on_payload: Callable[[str], None], on_lost: Callable[[], None]
    ) -> AsyncIterator[None]:
        """LISTEN on ``channel`` on a connection of its own, while entered.

        ``on_payload`` gets each notification's payload; ``on_lost`` is called if
        the connection ends (notifications sent meanwhile are lost: the caller
        listens again and treats everything as woken).
        """
        self._require_postgresql()
        async with self._engine.connect() as conn:
            # SQLAlchemy's public way to the driver's connection (an asyncpg one here):
            # asyncpg's add_listener is what LISTEN/NOTIFY needs.
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection

            def received(_conn: object, _pid: int, _channel: str, payload: str) -> None:
                on_payload(payload)

            def terminated(_conn: object) -> None:
                on_lost()

            driver.add_termination_listener(terminated)
            await driver.add_listener(channel, received)
            try:
                yield
            finally:
                driver.remove_termination_listener(terminated)
                if not driver.is_closed():
                    await driver.remove_listener(channel, received)
