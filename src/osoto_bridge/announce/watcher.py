"""The plan watch: fetch each linked trip's export, post digests, reminders, briefings.

One task for the whole process (`Announcer.run`), started and stopped by the
`Bridge`. Each trip's export is fetched every `interval` seconds (and at once after
the bot's own writes), at the key's *background* priority and only when the key's
limiter has room for it now (`RateLimiter.ready`): a spent budget defers the fetch to
the next check, it never holds a command or a post. At the default 120 s that is 30
requests per trip per hour, one every two minutes, beside the poll's background share
(see docs/announcements.md).

Exactly once: every announcement has an identity (a digest: the two snapshots it
spans; a reminder: the event and its start; a briefing: the day) that is claimed in
the store (`Store.claim_announcement`, a primary-key insert) before it is sent; a
restart, a retry or a second replica finds the claim and sends nothing. A send that
fails gives the claim back so the next check tries again. A crash between the claim
and the send loses that one announcement rather than doubling it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from osoto_bridge.announce.plan_state import TripPlan, plan_json, snapshot_hash
from osoto_bridge.announce.schedule import DueNotice
from osoto_bridge.announce.timing import (
    CLAIMS_KEPT,
    LINKS_REREAD,
    AnnounceTiming,
)
from osoto_bridge.chat.base import ChatAddress, ChatError, OutboundMessage
from osoto_bridge.commands import (
    CURRENT_CHAT,
    PlanChange,
    TripView,
    answer_digest,
    answer_reminder,
    answer_where,
    diff_plans,
    translator,
)
from osoto_bridge.osoto import OsotoClient, OsotoError, Priority, safe_projection
from osoto_bridge.store import Link, NotifySettings, Store
from osoto_bridge.text import Document

__all__ = ["Announcer", "ClientFor", "Send"]

logger = logging.getLogger(__name__)

_PRUNE_EVERY = 3600.0

Send = Callable[[OutboundMessage], Awaitable[None]]
Wait = Callable[[asyncio.Event, float], Awaitable[object]]
ClientFor = Callable[[Link], Awaitable[OsotoClient]]


async def _wait_event(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


@dataclass(slots=True)
class _TripState:
    plan: TripPlan = field(default_factory=TripPlan)
    fresh: bool = False
    fetched_at: float | None = None
    pending_since: float | None = None
    want_fetch: bool = True
    own_writes: dict[tuple[str, str], list[tuple[ChatAddress, float]]] = field(default_factory=dict)


class Announcer:
    """Watches every linked trip and tells its chats what they asked to hear.

    Args:
        store: The bridge's state (links, settings, claims, snapshots).
        client_for: The Osoto client of a link's key.
        send: Sends a message to a chat (the adapters' paced path).
        timing: The watch's knobs.
        clock: Epoch seconds (tests inject a fake one).
        wait: Waits for an event or a timeout (tests inject virtual time).
    """

    def __init__(
        self,
        *,
        store: Store,
        client_for: ClientFor,
        send: Send,
        timing: AnnounceTiming | None = None,
        clock: Callable[[], float] = time.time,
        wait: Wait = _wait_event,
    ) -> None:
        self._store = store
        self._client_for = client_for
        self._send = send
        self._timing = timing or AnnounceTiming()
        self._clock = clock
        self._wait = wait
        self._trips: dict[str, _TripState] = {}
        self._rng = random.Random()
        self._settings: dict[int, NotifySettings] = {}
        self._stop = asyncio.Event()
        self._poke = asyncio.Event()
        self.fetches = 0
        """Exports fetched since start (the benchmark reads it)."""
        self.announced: collections.Counter[str] = collections.Counter()
        """Announcements sent, by kind (`d` digest, `c`/`f`/`s` reminders, `b` briefing)."""
        self._progress = asyncio.Condition()
        # The enabled links by trip, the store's link generation they were read at,
        # and when: at thousands of trips, reading every link at every check was a
        # fifth of the idle process's CPU (docs/benchmarks.md).
        self._by_trip: dict[str, list[Link]] = {}
        self._links_read: tuple[int, float] | None = None

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        """Wait until `predicate()` holds, re-checked after each announcement or
        stored snapshot (the demo and tests bound it with `asyncio.timeout`)."""
        async with self._progress:
            await self._progress.wait_for(predicate)

    async def _progressed(self) -> None:
        async with self._progress:
            self._progress.notify_all()

    # -- the bot's own writes -----------------------------------------------------

    def note_write(self, trip_id: str, entity_id: str) -> None:
        """A command changed the plan: fetch it at once; not news for its chat."""
        state = self._trips.setdefault(trip_id, _TripState())
        address = CURRENT_CHAT.get()
        if address is not None:
            state.own_writes.setdefault((trip_id, entity_id), []).append((address, self._clock()))
        state.want_fetch = True
        self._poke.set()

    def has_plan(self, trip_id: str) -> bool:
        """Whether the watch holds a stored plan of a trip to compare with."""
        state = self._trips.get(trip_id)
        return state is not None and state.plan.stored_json is not None

    # -- the loop -------------------------------------------------------------------

    def stop(self) -> None:
        """Ask `run` to return after the current check."""
        self._stop.set()
        self._poke.set()

    async def run(self) -> None:
        """Check, then wait; until `stop`. A failing check is logged and retried."""
        self._stop.clear()
        pruned_at: float | None = None
        while not self._stop.is_set():
            try:
                await self.check()
                if pruned_at is None or self._clock() - pruned_at >= _PRUNE_EVERY:
                    pruned_at = self._clock()
                    await self._store.prune_announcements(CLAIMS_KEPT)
            except Exception:
                logger.exception("the plan watch failed; trying again later")
            self._poke.clear()
            if self._stop.is_set():
                return
            await self._wait(self._poke, self._timing.check_every)

    async def check(self) -> None:
        """One look at every linked trip: fetch where due, then announce."""
        by_trip = await self._linked_trips()
        self._settings = await self._store.all_notify_settings()
        for trip_id in self._trips.keys() - by_trip.keys():
            del self._trips[trip_id]
        now = self._clock()
        # Most trips have nothing to do at a check (a fetch is due every `interval`,
        # a check comes every `check_every`): only the others are visited.
        visits = [
            (trip_id, trip_links)
            for trip_id, trip_links in by_trip.items()
            if self._needs_visit(trip_id, trip_links, now)
        ]
        # A few workers take the trips in turn (`concurrency` at once): a task per trip
        # would be thousands of coroutines alive at once at the first check.
        queue = iter(visits)

        async def work() -> None:
            for trip_id, trip_links in queue:
                try:
                    await self._check_trip(trip_id, trip_links)
                except OsotoError as exc:
                    logger.warning("watching trip %s: %s", trip_id, type(exc).__name__)

        async with asyncio.TaskGroup() as group:
            for n in range(min(self._timing.concurrency, len(visits))):
                group.create_task(work(), name=f"announce:check:{n}")

    async def _linked_trips(self) -> dict[str, list[Link]]:
        """The enabled links by trip, read again only once they may have changed."""
        generation = self._store.link_generation
        now = self._clock()
        read = self._links_read
        if read is not None and read[0] == generation and now - read[1] < LINKS_REREAD:
            return self._by_trip
        links = await self._store.list_links(enabled_only=True)
        by_trip: dict[str, list[Link]] = {}
        for link in links:
            by_trip.setdefault(link.trip_id, []).append(link)
        self._by_trip = by_trip
        # The generation from before the read: a change during it is read next time.
        self._links_read = (generation, now)
        return by_trip

    def _needs_visit(self, trip_id: str, links: Sequence[Link], now: float) -> bool:
        """Whether `_check_trip` has anything to do for the trip now (no I/O)."""
        state = self._trips.get(trip_id)
        if state is None or self._due_fetch(state, now):
            return True
        if state.fresh or state.pending_since is not None:
            return True
        if not state.plan.known:
            return False
        schedule = state.plan.schedule()
        instant = dt.datetime.fromtimestamp(now, dt.UTC)
        if any(schedule.due(self._settings_of(link), instant) for link in links):
            return True
        state.plan.let_go()  # a schedule built just now let its plan's objects go
        return False

    def _due_fetch(self, state: _TripState, now: float) -> bool:
        return (
            state.want_fetch
            or state.fetched_at is None
            or now - state.fetched_at >= self._timing.interval
            or (
                state.pending_since is not None
                and now - state.pending_since >= self._timing.group_window
            )
        )

    def _settings_of(self, link: Link) -> NotifySettings:
        return self._settings.get(link.id) or NotifySettings()

    def _new_state(self, now: float) -> _TripState:
        state = _TripState()
        if self._timing.spread:
            # As if fetched a random part of an interval ago: the first fetches spread.
            state.want_fetch = False
            state.fetched_at = now - self._rng.uniform(0.0, self._timing.interval)
        return state

    async def _check_trip(self, trip_id: str, links: Sequence[Link]) -> None:
        now = self._clock()
        state = self._trips.get(trip_id)
        if state is None:
            state = self._trips[trip_id] = self._new_state(now)
            await self._load_stored(trip_id, state)  # a restart: what was told before
        due_fetch = self._due_fetch(state, now)
        if due_fetch:
            if state.plan.stored_json is None:
                await self._load_stored(trip_id, state)  # perhaps another replica's
            await self._fetch(trip_id, links[0], state, now)
        if not state.plan.known:
            return
        if state.fresh or state.pending_since is not None:
            await self._digest(trip_id, links, state, now)
            state.fresh = False
        await self._notices(links, state, now)
        if state.pending_since is None:
            state.plan.let_go()  # nothing pending: the texts until the next look

    async def _load_stored(self, trip_id: str, state: _TripState) -> None:
        """Read the stored snapshot, unless the one held is the same (by its time)."""
        row = await self._store.plan_snapshot_state(trip_id)
        if row is None:
            return
        raw, stored_at = row
        if stored_at != state.plan.stored_at:
            # stored by another replica, or before a restart
            state.plan.take_stored(raw, stored_at)

    async def _fetch(self, trip_id: str, link: Link, state: _TripState, now: float) -> None:
        client = await self._client_for(link)
        if not client.limiter.ready(Priority.BACKGROUND):
            return  # the key's background share is spent: next check
        export = await client.export_trip(trip_id, priority=Priority.BACKGROUND)
        self.fetches += 1
        state.plan.take_fetched(safe_projection(export))
        state.fetched_at = now
        state.want_fetch = False
        state.fresh = True
        if state.plan.stored_json is None:
            # The first look at a trip: nothing to compare with, nothing to announce.
            await self._store_snapshot(trip_id, state)

    async def _store_snapshot(self, trip_id: str, state: _TripState) -> None:
        latest = state.plan.latest_json
        assert latest is not None
        state.plan.mark_stored(await self._store.set_plan_snapshot(trip_id, latest))
        state.pending_since = None
        await self._progressed()

    def _own_change(self, state: _TripState, link: Link, change: PlanChange, now: float) -> bool:
        writers = state.own_writes.get((link.trip_id, change.entity_id), [])
        return any(
            address.platform == link.platform
            and address.chat_id == link.chat_id
            and now - at < self._timing.own_write_memory
            for address, at in writers
        )

    async def _digest(
        self, trip_id: str, links: Sequence[Link], state: _TripState, now: float
    ) -> None:
        plan = state.plan
        if plan.unchanged:
            state.pending_since = None  # the texts tell it: no parse, no diff
            return
        changes = diff_plans(plan.stored(), plan.latest())
        if not changes:
            # changed, but nothing to tell (a to-do un-ticked, a secret edited):
            # compare with this one from now on
            await self._store_snapshot(trip_id, state)
            return
        if state.pending_since is None:
            state.pending_since = now
        if now - state.pending_since < self._timing.group_window:
            return  # more edits may follow: one digest for them all
        # Another replica (or this one before a restart) may have told it already and
        # stored the plan since: compare with what the store holds now.
        await self._load_stored(trip_id, state)
        if plan.unchanged:
            state.pending_since = None  # told and stored meanwhile
            return
        stored = plan.stored()
        changes = diff_plans(stored, plan.latest())
        if not changes:
            state.pending_since = None
            return
        # The stored snapshot's time is part of the identity: a plan changed, changed
        # back and changed again is told each time, once.
        assert plan.latest_json is not None
        identity = (
            f"d:{snapshot_hash(plan_json(stored))}:{snapshot_hash(plan.latest_json)}"
            f":{plan.stored_at!r}"
        )
        for link in links:
            settings = self._settings_of(link)
            if not settings.changes:
                continue
            shown = [c for c in changes if not self._own_change(state, link, c, now)]
            if not shown:
                continue
            document = answer_digest(translator(link.language), shown)
            await self._announce(link, identity, document)
        await self._store_snapshot(trip_id, state)
        state.own_writes = {
            key: [(a, at) for a, at in writers if now - at < self._timing.own_write_memory]
            for key, writers in state.own_writes.items()
        }

    async def _notices(self, links: Sequence[Link], state: _TripState, now: float) -> None:
        schedule = state.plan.schedule()
        instant = dt.datetime.fromtimestamp(now, dt.UTC)
        for link in links:
            settings = self._settings_of(link)
            for notice in schedule.due(settings, instant):
                await self._announce(
                    link, notice.identity, self._render(link, notice, state, instant)
                )

    @staticmethod
    def _render(link: Link, notice: DueNotice, state: _TripState, now: dt.datetime) -> Document:
        tr = translator(link.language)
        if notice.reminder is not None:
            return answer_reminder(tr, notice.reminder, now=now)
        view = TripView.of(
            state.plan.latest(), now=now, language=link.language, show_sensitive=False
        )
        return answer_where(view, "")

    async def _announce(self, link: Link, identity: str, document: Document) -> bool:
        if not await self._store.claim_announcement(link.id, identity):
            return False
        address = ChatAddress(link.platform, link.chat_id, link.thread_id)
        try:
            await self._send(OutboundMessage(address, document))
        except (ChatError, OSError) as exc:
            logger.warning("announcement %s to %s failed: %s", identity, address, exc)
            await self._store.release_announcement(link.id, identity)
            return False
        kind = identity.split(":", 1)[0]
        self.announced[kind] += 1
        await self._progressed()
        logger.info("announced %s to %s", kind, address)
        return True
