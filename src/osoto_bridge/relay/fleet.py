"""`WorkerFleet`: one worker per linked Osoto channel, kept in step with the links.

The fleet owns the workers' tasks (named, kept, awaited on stop: no fire-and-forget)
and the chat lanes the workers feed. `sync_links` starts a worker for each newly
linked channel (with replicas, only those of the units this replica holds) and stops
those no longer linked; a worker that fails is logged and restarted.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.drain import ClientFor, Notify
from osoto_bridge.relay.lanes import ChatLanes
from osoto_bridge.relay.placement import Placement, unit_of
from osoto_bridge.relay.schedule import ActivePollBudget, PollTiming
from osoto_bridge.relay.worker import ChannelKey, ChannelWorker, Wait
from osoto_bridge.store import Link, OutboxEntry, Store

__all__ = ["FIRST_PASSES_AT_ONCE", "STOP_GRACE", "WorkerFleet"]

logger = logging.getLogger("osoto_bridge.relay.bridge")

FIRST_PASSES_AT_ONCE = 32
"""Workers that may run their first pass at the same time."""

_RESTART_DELAY = 5.0
STOP_GRACE = 30.0
"""Seconds a stop waits for the workers' in-flight deliveries before cancelling them."""


class WorkerFleet:
    """The channel workers of the bridge and the chat lanes they feed.

    Args:
        store: the bridge's state.
        deliverer: every chat lane's sender.
        client_for: the Osoto client of a link's key.
        notify: posts a notice into a chat (a link the key no longer serves).
        timing: the poll schedule's knobs.
        clock: monotonic time, for schedules.
        wall_clock: epoch time, for the outbox's retry times.
        wait: how a worker waits for its next pass (tests inject virtual time).
        rng: the one generator of every worker's jitter.
        metrics: the relay's counters and histograms.
        placement: PostgreSQL replicas: which channels this replica runs; None (one
            process) runs every channel.
    """

    def __init__(
        self,
        *,
        store: Store,
        deliverer: Deliverer,
        client_for: ClientFor,
        notify: Notify,
        timing: PollTiming,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        wait: Wait,
        rng: random.Random,
        metrics: RelayMetrics,
        placement: Placement | None,
    ) -> None:
        self._store = store
        self._deliverer = deliverer
        self._client_for = client_for
        self._notify = notify
        self._timing = timing
        self._active_polls = ActivePollBudget(timing.active_polls_per_second, clock=clock)
        # Workers starting together take turns for their first pass (reading keys and
        # cursors, a first poll), so the event loop stays responsive meanwhile.
        self._first_passes = asyncio.Semaphore(FIRST_PASSES_AT_ONCE)
        self._clock = clock
        self._wall_clock = wall_clock
        self._wait = wait
        self._rng = rng
        self._metrics = metrics
        self._placement = placement
        self._lanes = self._new_lanes()
        self._workers: dict[ChannelKey, ChannelWorker] = {}
        self._tasks: dict[ChannelKey, asyncio.Task[None]] = {}
        self._channels_per_key: dict[int, int] = {}
        self._pass_done = asyncio.Condition()
        self._syncing = asyncio.Lock()

    def open(self) -> None:
        """Fresh chat lanes for a (re)start: a stop ended the previous ones."""
        self._lanes = self._new_lanes()

    def _new_lanes(self) -> ChatLanes:
        return ChatLanes(
            self._deliverer,
            wait=self._wait,
            clock=self._clock,
            rng=self._rng,
            metrics=self._metrics,
        )

    async def sync_links(self) -> None:
        """Start a worker for each newly linked channel; stop those no longer linked.

        With replicas, only the channels of the units this replica holds.
        """
        async with self._syncing:  # the link watch and the lease rounds both call it
            await self._sync_links()

    async def _sync_links(self) -> None:
        # Links changed by another process (the `links` command, another replica)
        # reach the inbound lookups at the latest here.
        self._store.forget_cached_links()
        links = await self._store.list_links(enabled_only=True)
        by_channel: dict[ChannelKey, list[Link]] = {}
        per_key: dict[int, set[ChannelKey]] = {}
        for link in links:
            channel = ChannelKey(link.trip_id, link.channel_id)
            by_channel.setdefault(channel, []).append(link)
            per_key.setdefault(link.key_id, set()).add(channel)
        self._channels_per_key = {key_id: len(keys) for key_id, keys in per_key.items()}
        placement = self._placement
        if placement is not None:
            placement.offer({unit_of(channel_links) for channel_links in by_channel.values()})
            by_channel = {
                channel: channel_links
                for channel, channel_links in by_channel.items()
                if placement.holds(unit_of(channel_links))
            }
        wanted = by_channel.keys()
        for key in wanted - self._workers.keys():
            self._spawn(key)
        # Each worker serves the links just read instead of reading its own every
        # pass: an idle pass then costs the store nothing.
        for key, channel_links in by_channel.items():
            self._workers[key].set_links(channel_links)
        for key in self._workers.keys() - wanted:
            self._workers[key].stop()
            task = self._tasks.pop(key)
            del self._workers[key]
            await asyncio.gather(task, return_exceptions=True)

    def _spawn(self, key: ChannelKey) -> None:
        worker = ChannelWorker(
            key,
            store=self._store,
            deliverer=self._deliverer,
            lanes=self._lanes,
            client_for=self._client_for,
            notify=self._notify,
            timing=self._timing,
            channels_on_key=lambda link: self._channels_per_key.get(link.key_id, 1),
            clock=self._clock,
            wall_clock=self._wall_clock,
            wait=self._wait,
            on_pass=self._note_pass,
            rng=self._rng,
            metrics=self._metrics,
            active_polls=self._active_polls,
            first_pass_gate=self._first_passes,
        )
        self._workers[key] = worker
        self._tasks[key] = asyncio.create_task(
            self._supervise(worker), name=f"relay:{key.trip_id}/{key.channel_id}"
        )

    async def _supervise(self, worker: ChannelWorker) -> None:
        """Run a worker; an unexpected error is logged and the worker restarted."""
        while True:
            try:
                await worker.run()
                return
            except Exception:
                self._metrics.error("worker_crash")
                logger.exception(
                    "relay worker for %s/%s failed; restarting",
                    worker.key.trip_id,
                    worker.key.channel_id,
                )
                await asyncio.sleep(_RESTART_DELAY)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop every worker after its in-flight send, then the chat lanes after theirs."""
        for worker in self._workers.values():
            worker.stop()
        tasks = list(self._tasks.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            if pending:
                logger.warning(
                    "%d channel worker(s) still busy after %.0fs: cancelled", len(pending), grace
                )
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        # The chats' lanes after the workers (which put lines into them), before the
        # chats close: each finishes its send in flight.
        try:
            async with asyncio.timeout(grace):
                await self._lanes.stop()
        except TimeoutError:
            logger.warning("chat lanes still sending after %.0fs: cut", grace)
            await self._lanes.stop(at_once=True)
        self._workers.clear()
        self._tasks.clear()

    async def abort(self) -> None:
        """Cancel every worker and lane mid-pass, as a crash would."""
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        await self._lanes.stop(at_once=True)
        self._workers.clear()
        self._tasks.clear()

    def link_changed(self, link: Link) -> None:
        """A link's row changed under a send: its worker reads its links again."""
        worker = self._workers.get(ChannelKey(link.trip_id, link.channel_id))
        if worker is not None:
            worker.forget_links()

    def poke(self, trip_id: str, channel_id: str, written: Sequence[OutboxEntry] = ()) -> bool:
        """Wake a channel's worker now; False when this process runs no such worker."""
        worker = self._workers.get(ChannelKey(trip_id, channel_id))
        if worker is None:
            return False
        worker.poke(written)
        return True

    def worker(self, trip_id: str, channel_id: str) -> ChannelWorker | None:
        return self._workers.get(ChannelKey(trip_id, channel_id))

    async def room(self) -> None:
        """Wait while the chat lanes hold as many lines as they may (`ChatLanes.room`)."""
        await self._lanes.room()

    def lane_backlog(self) -> int:
        """Lines queued in the longest chat lane."""
        return self._lanes.backlog()

    async def lanes_drained(self) -> None:
        """Wait until the lines the chat lanes hold now are sent."""
        await self._lanes.drained()

    async def _note_pass(self) -> None:
        async with self._pass_done:
            self._pass_done.notify_all()

    @property
    def has_workers(self) -> bool:
        return bool(self._workers)

    async def next_pass(self) -> None:
        """Wake every worker and wait until one of them completes a pass."""
        if not self._workers:
            return
        async with self._pass_done:
            for worker in self._workers.values():
                worker.poke()
            await self._pass_done.wait()
