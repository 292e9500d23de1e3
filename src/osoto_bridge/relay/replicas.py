"""Several `run` processes on one PostgreSQL database: who does which work.

The work is cut into **units**, each held by one replica under a lease in the
database (`store/_leases.py`):

* a **balanced unit** is every channel whose links use one API key (``key:<id>``; a
  channel linked under several keys goes with its lowest key id). A key's pacer (60
  requests a minute) lives in its holder's process, so a key's budget stays exact
  however the keys are spread. Each replica takes at most its fair share,
  ceil(units / live replicas), and gives back what exceeds it when others join;
* an **exclusive unit** is a job one replica runs for the whole deployment:
  `TELEGRAM_POLLER` (two ``getUpdates`` loops would get 409 Conflict) and
  `PLAN_WATCH` (the announcements' plan fetches).

`ReplicaCoordinator` runs a lease round every quarter of the lease's TTL: heartbeat,
renew, rebalance, take what is free or expired. The bridge asks it which channels to
run (`Placement.holds`) and hands it the wake-up of a channel it does not run
(`Placement.wake`): a chat line accepted here for a channel another replica holds is
already in the outbox, and ``NOTIFY`` tells the holder to drain it now.

Fencing: a replica that cannot renew (its database unreachable) stops every worker
and job once three quarters of the TTL have passed since its last renewal, before
its leases expire and another replica takes them, so two never run one unit.
A graceful stop hands everything back at once (release + ``NOTIFY``); a SIGKILLed
replica's units are taken when its leases expire (at most the TTL plus one round).
Its order (`ReplicaCoordinator.stop`): no more rounds and the exclusive jobs
stopped; then the bridge's own stop (``on_stop``: intake, the workers and the chat
lanes' sends under way, the chats closed); only then the leases given back and this
replica signed off. Signing off frees its part of the bots' rates, so it must come
after the last send: before, the survivors sized their parts as if it were gone
while its lanes still sent.

Budgets: a key's requests are reserved in the store by every replica's limiter
(`osoto/pacing_shared.py`), so a key's 60 a minute holds whoever holds it. The
bots' own rates (Telegram 30/s, Slack 50/s) are shared through a `RateShare` the
adapters' bot-wide buckets read: each round sizes this replica's part
(`store/_leases.py`: the parts of the live replicas never add up to more than
the whole), and a change is told to the others (``NOTIFY``) so that a joining
replica, which starts at 0, gets its part within a few rounds' round trips.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from types import TracebackType

from osoto_bridge.metrics import ReplicaMetrics
from osoto_bridge.relay.placement import (
    PLAN_WATCH,
    TELEGRAM_POLLER,
    ExclusiveJob,
    Placement,
    ReplicaStatus,
    unit_of,
)
from osoto_bridge.relay.replica_signals import ReplicaSignals
from osoto_bridge.store import Store, StoreError
from osoto_bridge.util import RateShare

__all__ = [
    "PLAN_WATCH",
    "TELEGRAM_POLLER",
    "ExclusiveJob",
    "Placement",
    "ReplicaCoordinator",
    "ReplicaStatus",
    "unit_of",
]

logger = logging.getLogger(__name__)

FENCE_SHARE = 0.75
"""Share of the TTL after the last renewal at which a replica stops its work."""


class ReplicaCoordinator:
    """Takes, renews, balances and gives back this replica's leases.

    Use as ``async with``: entering runs a first round (so the bridge starts with
    its share) and starts the rounds and the LISTEN connection; leaving stops the
    workers and jobs, then releases every lease and wakes the others.

    Args:
        store: the PostgreSQL store.
        replica_id: this replica's name.
        ttl: seconds a lease lasts unrenewed.
        exclusive: the exclusive jobs by unit name.
        metrics: where the rounds are counted.
        clock: monotonic seconds.
        slack: units a replica may hold above its fair share.
        share: the part of the bots' rates the adapters here pace to (sized each
            round; None: not shared).
    """

    def __init__(
        self,
        *,
        store: Store,
        replica_id: str,
        ttl: float,
        exclusive: Mapping[str, ExclusiveJob] | None = None,
        metrics: ReplicaMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        slack: int = 0,
        share: RateShare | None = None,
    ) -> None:
        self.replica_id = replica_id
        self._store = store
        self._ttl = ttl
        self._interval = ttl / 4
        self._exclusive = dict(exclusive or {})
        self._metrics = metrics
        self._clock = clock
        self._slack = slack
        self._units: frozenset[str] = frozenset()
        self._held: frozenset[str] = frozenset()
        self._running: set[str] = set()
        self._live = 1
        self._confirmed_at: float | None = None
        self._on_change: Callable[[], Awaitable[None]] | None = None
        self._on_wake: Callable[[str, str], None] | None = None
        self._on_stop: Callable[[], Awaitable[None]] | None = None
        self._kick = asyncio.Event()
        self._stopping = asyncio.Event()
        self._signals = ReplicaSignals(
            store=store,
            replica_id=replica_id,
            retry=self._interval,
            on_round=self._kick.set,
            on_wake=self._wake_here,
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._apply_lock = asyncio.Lock()
        self._share = share
        self._recorded_share: float | None = None  # the part the last round recorded

    def bind(
        self,
        *,
        on_change: Callable[[], Awaitable[None]],
        on_wake: Callable[[str, str], None],
        on_stop: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Tell the coordinator how to re-place the workers and wake one here.

        ``on_stop`` finishes every send of this replica (`Bridge.stop`); a graceful
        stop runs it before signing off (module docstring).
        """
        self._on_change = on_change
        self._on_wake = on_wake
        self._on_stop = on_stop

    # -- Placement ------------------------------------------------------------------

    def holds(self, unit: str) -> bool:
        return unit in self._held

    def offer(self, units: Collection[str]) -> None:
        offered = frozenset(units)
        if offered != self._units:
            self._units = offered
            self._kick.set()

    def wake(self, trip_id: str, channel_id: str) -> None:
        self._signals.wake(trip_id, channel_id)

    def _wake_here(self, trip_id: str, channel_id: str) -> None:
        if self._on_wake is not None:
            self._on_wake(trip_id, channel_id)

    # -- status ---------------------------------------------------------------------

    def status(self) -> ReplicaStatus:
        exclusive = tuple(sorted(self._running))
        return ReplicaStatus(
            replica_id=self.replica_id,
            balanced=len(self._held - self._exclusive.keys()),
            units=len(self._units),
            exclusive=exclusive,
            live_replicas=self._live,
            confirmed=self._confirmed(),
        )

    def _confirmed(self) -> bool:
        at = self._confirmed_at
        return at is not None and self._clock() - at < FENCE_SHARE * self._ttl

    # -- lifecycle ------------------------------------------------------------------

    async def __aenter__(self) -> ReplicaCoordinator:
        self._stopping.clear()
        await self._signals.open()
        await self._round()
        self._tasks = [asyncio.create_task(self._rounds(), name="replicas:leases")]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop the work here, give every lease back, and wake the others to take it.

        In this order: no more rounds (nothing is placed anew) and the exclusive
        jobs stopped (the Telegram poller confirms its offset, the plan watch ends);
        the ``on_stop`` of `bind` (the bridge stops its intake, lets its workers and
        chat lanes finish the sends under way, closes the chats); the workers still
        placed stopped; and last the leases released and this replica's heartbeat
        and part of the bots' rates signed off. The balanced leases, the heartbeat
        and the part stay, renewed, while the sends finish (at most the bridge's
        grace, which may outlast the TTL): given back first, another replica would
        start the same channels, or pace to the whole rate, beside the lanes still
        sending. The exclusive leases go back at once, their jobs being stopped.
        """
        self._stopping.set()
        self._kick.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._apply(self._held - self._exclusive.keys())
        on_stop, self._on_stop = self._on_stop, None
        if on_stop is not None:
            await self._draining_round()
            keep_alive = asyncio.create_task(self._keep_alive(), name="replicas:draining")
            try:
                await on_stop()
            except Exception:
                logger.exception("stopping the bridge failed; signing off anyway")
            finally:
                keep_alive.cancel()
                await asyncio.gather(keep_alive, return_exceptions=True)
        await self._apply(frozenset())
        try:
            released = await self._store.release_leases(self.replica_id)
            if released:
                await self._signals.ask_round_now()
            logger.info("released %d lease(s)", len(released))
        except StoreError as exc:
            logger.warning("could not release the leases (%s): they expire in %gs", exc, self._ttl)
        await self._signals.close()

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._draining_round()

    async def _draining_round(self) -> None:
        """A stop's round while the bridge drains: the heartbeat, the balanced leases
        and the recorded part renewed, nothing taken, the exclusive units released."""
        balanced = self._held - self._exclusive.keys()
        try:
            result = await self._store.lease_round(
                replica=self.replica_id,
                ttl=self._ttl,
                units=balanced,
                pace_share=self._share.fraction if self._share is not None else None,
            )
        except StoreError as exc:
            logger.warning("lease round while stopping failed: %s", exc)
            return
        if result.released:
            # The jobs stopped: another replica may start them now.
            self._signals.ask_round()

    async def abort(self) -> None:
        """Fall silent at once, as a crash would: no release (for chaos tests).

        The leases stay in the database until they expire; another replica then
        takes them over.
        """
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._signals.close()

    # -- rounds ---------------------------------------------------------------------

    async def _rounds(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._kick.wait()
            self._kick.clear()
            if self._stopping.is_set():
                return
            try:
                await self._round()
            except Exception:
                logger.exception("lease round failed; trying again")

    async def _round(self) -> None:
        started = self._clock()
        try:
            result = await self._store.lease_round(
                replica=self.replica_id,
                ttl=self._ttl,
                units=self._units,
                exclusive=self._exclusive.keys(),
                slack=self._slack,
                pace_share=self._share.fraction if self._share is not None else None,
            )
        except StoreError as exc:
            logger.warning("lease round failed: %s", exc)
            if not self._confirmed():
                if self._share is not None:
                    # Unconfirmed, this replica's part may soon be counted free.
                    self._share.fraction = 0.0
                if self._held:
                    logger.warning(
                        "leases not renewed for %.1fs: standing by", FENCE_SHARE * self._ttl
                    )
                    await self._apply(frozenset())
            return
        self._confirmed_at = started
        self._live = result.live_replicas
        self._resize_share(result.pace_share, result.live_replicas)
        for takeover in result.taken_over:
            logger.info(
                "took over %s from %s (unattended %.1fs past its lease)",
                takeover.unit,
                takeover.previous,
                takeover.lag,
            )
        surplus = frozenset(result.surplus)
        await self._apply(result.held - surplus)
        if surplus:
            # Above the share (another replica joined): stopped here first, then
            # given back, and the others told to take them now.
            try:
                await self._store.release_units(self.replica_id, surplus)
            except StoreError as exc:
                logger.warning("could not give back %d lease(s): %s", len(surplus), exc)
            else:
                self._signals.ask_round()
        if self._metrics is not None:
            exclusive = len(result.held & self._exclusive.keys())
            self._metrics.round_done(
                balanced=len(result.held - surplus) - exclusive,
                exclusive=exclusive,
                live=result.live_replicas,
                lags=[t.lag for t in result.taken_over],
            )

    def _resize_share(self, part: float | None, live: int) -> None:
        """Pace to the round's part; tell the others when they may resize theirs."""
        if self._share is None or part is None:
            return
        in_effect = self._share.fraction
        recorded = max(part, in_effect)
        if part != in_effect:
            logger.info("pacing to %.3f of the bots' rates (%d live replica(s))", part, live)
        self._share.fraction = part
        if part < in_effect:
            self._kick.set()  # record the smaller part now that it is in effect
        before, self._recorded_share = self._recorded_share, recorded
        lowered = before is not None and recorded < before
        # Held below an even part (a replica joined): the others should record
        # theirs smaller; a smaller record here lets a held one take its part.
        if lowered or part < 1.0 / max(1, live) - 1e-9:
            self._signals.ask_round()

    async def _apply(self, held: frozenset[str]) -> None:
        async with self._apply_lock:
            before = self._held - self._exclusive.keys()
            self._held = held
            for name in sorted(self._running - held):
                self._running.discard(name)
                try:
                    await self._exclusive[name].stop()
                except Exception:
                    logger.exception("stopping %s failed", name)
            if held - self._exclusive.keys() != before and self._on_change is not None:
                await self._on_change()
            for name in sorted((held & self._exclusive.keys()) - self._running):
                try:
                    await self._exclusive[name].start()
                except Exception:
                    logger.exception("starting %s failed; trying again next round", name)
                else:
                    self._running.add(name)
                    logger.info("running %s", name)
