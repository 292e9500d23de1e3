"""The running relay: adapters in, one worker per linked Osoto channel, store beneath.

`Bridge` is what the adapters see (their `InboundSink`) and the order of a start and
a stop: the chats, the channel workers (`relay.fleet.WorkerFleet`, kept in step
with the links in the store), the background services. Stopping finishes each
worker's in-flight send, so deliveries under way complete and are recorded before exit.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol

from osoto_bridge.chat.base import (
    ChatAdapter,
    ChatAddress,
    InboundAction,
    InboundMessage,
    IntakeControl,
    OutboundMessage,
    SeenCopy,
)
from osoto_bridge.commands import COMMAND_CATALOG, CURRENT_CHAT, CommandService
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.relay.clients import ClientPool
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.fleet import STOP_GRACE, WorkerFleet
from osoto_bridge.relay.inbound import InboundDeps, InboundRouter
from osoto_bridge.relay.intake import Intake
from osoto_bridge.relay.lifecycle import SeenCopies, adapter_task, bounded
from osoto_bridge.relay.link_service import LinkService
from osoto_bridge.relay.placement import Placement
from osoto_bridge.relay.recent import RecentMessages
from osoto_bridge.relay.schedule import PollTiming
from osoto_bridge.relay.worker import ChannelWorker, Wait, wait_event
from osoto_bridge.store import OutboxEntry, Store
from osoto_bridge.text.storable import storable_value

logger = logging.getLogger(__name__)

__all__ = ["STOP_GRACE", "BackgroundService", "Bridge"]

_LINK_SYNC_INTERVAL = 30.0


class BackgroundService(Protocol):
    """A long-running job the bridge starts and stops with itself (the plan watch)."""

    async def run(self) -> None:
        """Work until `stop` is called."""

    def stop(self) -> None:
        """Ask `run` to return soon."""


class Bridge:
    """The relay service for every link in the store.

    Args:
        store: the bridge's state.
        adapters: the chat platforms to serve, one adapter per platform.
        pool: the Osoto clients of the links' keys.
        commands: the command service, or None to relay only.
        timing: the poll schedule's knobs.
        clock: monotonic time, for schedules.
        wall_clock: epoch time, for "now" in answers and the outbox's retry times.
        bot_usernames: each platform's bot username, for "/cmd@bot" commands.
        wait: how a worker waits for its next pass (tests inject virtual time).
        link_sync_interval: how often links changed by another process (the
            `links` command, another replica) are picked up; ``inf`` turns it off.
        metrics: the relay's counters and histograms (a private set by default).
        services: background services the bridge runs beside its workers, started
            after the chats and stopped before them (the plan watch, `announce/`).
        placement: PostgreSQL replicas: which channels this replica runs (those of
            the units it leases) and how the holder of another is woken; None (one
            process) runs every channel.
    """

    def __init__(
        self,
        *,
        store: Store,
        adapters: Sequence[ChatAdapter],
        pool: ClientPool,
        commands: CommandService | None = None,
        timing: PollTiming | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        bot_usernames: dict[str, str] | None = None,
        wait: Wait = wait_event,
        link_sync_interval: float = _LINK_SYNC_INTERVAL,
        metrics: RelayMetrics | None = None,
        services: Sequence[BackgroundService] = (),
        placement: Placement | None = None,
    ) -> None:
        self._store = store
        self._metrics = metrics if metrics is not None else RelayMetrics()
        self._adapters = {adapter.platform: adapter for adapter in adapters}
        self.links = LinkService(
            store=store, pool=pool, on_change=self.sync_links, wall_clock=wall_clock
        )
        self.commands = COMMAND_CATALOG
        self._clock = clock
        self._wait = wait
        deliverer = Deliverer(
            store=store,
            adapters=self._adapters,
            recent=RecentMessages(),
            metrics=self._metrics,
            on_link_changed=lambda link: self._fleet.link_changed(link),
        )
        self._fleet = WorkerFleet(
            store=store,
            deliverer=deliverer,
            client_for=pool.client_for,
            notify=self._notify,
            timing=timing or PollTiming(),
            clock=clock,
            wall_clock=wall_clock,
            wait=wait,
            # One generator for every worker's jitter: a `random.Random` each would be
            # 2.9 KB of state per channel (15 MB at 5,000 trips) for nothing.
            rng=random.Random(),
            metrics=self._metrics,
            placement=placement,
        )
        self._bot_usernames = bot_usernames or {}
        self._started = False
        self._link_sync_interval = link_sync_interval
        self._link_watch: asyncio.Task[None] | None = None
        self._link_watch_stop = asyncio.Event()
        self._services = tuple(services)
        self._placement = placement
        self._service_tasks: list[asyncio.Task[None]] = []
        self._seen_copies = SeenCopies(store)
        self.intake = Intake(store, poke=self.poke)
        self._router = InboundRouter(
            InboundDeps(
                store=store,
                intake=self.intake,
                adapter_for=self._adapters.get,
                client_for=pool.client_for,
                commands=commands,
                wall_clock=wall_clock,
                bot_username=self._bot_username,
                metrics=self._metrics,
            )
        )

    # -- lifecycle ----------------------------------------------------------------

    async def __aenter__(self) -> Bridge:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._started:
            raise RuntimeError("the bridge is already started")
        self._started = True
        self._fleet.open()
        started: list[ChatAdapter] = []
        try:
            # The chats first: at thousands of links the workers' first passes keep
            # the event loop busy for seconds, and a platform's handshake (Telegram's
            # getMe) must not time out behind them. A message that arrives before its
            # channel's worker waits in the outbox for the worker's first pass.
            for adapter in self._adapters.values():
                await adapter.start(self)
                started.append(adapter)
            await self.sync_links()
            if self._link_sync_interval != float("inf"):
                self._link_watch_stop.clear()
                self._link_watch = asyncio.create_task(self._watch_links(), name="relay:link-sync")
            self._service_tasks = [
                asyncio.create_task(service.run(), name=f"relay:service:{n}")
                for n, service in enumerate(self._services)
            ]
        except BaseException:
            for adapter in reversed(started):
                await adapter.stop()
            await self._fleet.stop()
            self._started = False
            raise

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop in three steps: intake, then the workers' in-flight sends, then the chats.

        1. Intake: the chats stop taking events in (`IntakeControl.stop_intake`:
           Telegram's polling ends, Slack's events are answered 503, so the platform
           keeps what comes meanwhile for the next start); the event being handled
           finishes, its line written to the outbox as always.
        2. The workers: each stops after its in-flight post or delivery, not its
           whole pass, so a stop with nothing stuck is as long as one send.
        3. The chats close (HTTP sessions, connections): only now, as a chat closed
           under a worker fails the send it is making ("HTTPXRequest is not
           initialized") and the line waits for a restart.

        The whole stop is bounded by ``grace`` seconds: a step still running when
        they are up is cancelled (what a worker had not recorded is redone after a
        restart, never lost).
        """
        if not self._started:
            return
        started = self._clock()
        deadline = time.monotonic() + grace
        await self._stop_link_watch()
        # The background services (the plan watch) post into the chats too.
        await self._stop_services()
        intakes = [a for a in self._adapters.values() if isinstance(a, IntakeControl)]
        await bounded(
            "stopping intake",
            [adapter_task(a.platform, a.stop_intake()) for a in intakes],
            deadline,
        )
        await self._fleet.stop(max(0.0, deadline - time.monotonic()))
        await bounded(
            "closing",
            [adapter_task(a.platform, a.stop()) for a in self._adapters.values()],
            deadline,
        )
        self._started = False
        logger.info("bridge stopped in %.1fs", self._clock() - started)

    async def abort(self) -> None:
        """Stop at once, mid-pass, as a crash would (for chaos tests and fast exits).

        Nothing is finished or flushed: whatever the store holds is what a restart
        finds, which is exactly what the restart tests need to exercise.
        """
        await self._stop_link_watch()
        for service_task in self._service_tasks:
            service_task.cancel()
        await self._stop_services()
        await self._fleet.abort()
        for adapter in self._adapters.values():
            await adapter.stop()
        self._started = False

    async def _stop_services(self) -> None:
        for service in self._services:
            service.stop()
        await asyncio.gather(*self._service_tasks, return_exceptions=True)
        self._service_tasks = []

    async def _stop_link_watch(self) -> None:
        if self._link_watch is not None:
            self._link_watch_stop.set()
            await asyncio.gather(self._link_watch, return_exceptions=True)
            self._link_watch = None

    async def _watch_links(self) -> None:
        while not self._link_watch_stop.is_set():
            await self._wait(self._link_watch_stop, self._link_sync_interval)
            if self._link_watch_stop.is_set():
                return
            try:
                await self.sync_links()
            except Exception:
                logger.exception("re-reading the links failed; trying again later")

    # -- links and workers ----------------------------------------------------------

    async def sync_links(self) -> None:
        """Start a worker for each newly linked channel; stop those no longer linked.

        With replicas, only the channels of the units this replica holds.
        """
        await self._fleet.sync_links()

    def _bot_username(self, platform: str) -> str | None:
        """The bot's own username on a platform (for `/cmd@bot`), once it is known."""
        configured = self._bot_usernames.get(platform)
        if configured is not None:
            return configured
        adapter = self._adapters.get(platform)
        return adapter.bot_username if adapter is not None else None

    def poke(self, trip_id: str, channel_id: str, written: Sequence[OutboxEntry] = ()) -> None:
        """Wake a channel's worker now (a chat message waits in the outbox).

        ``written``: the entries just written for it, if this process wrote them (its
        worker hands them to the other chats without reading them back). A channel
        another replica runs: its holder is woken (`Placement.wake`) and reads them.
        """
        if not self._fleet.poke(trip_id, channel_id, written) and self._placement is not None:
            self._placement.wake(trip_id, channel_id)

    def poke_here(self, trip_id: str, channel_id: str) -> None:
        """Wake a channel's worker if this replica runs it (another replica's wake-up)."""
        self._fleet.poke(trip_id, channel_id)

    def lane_backlog(self) -> int:
        """Lines queued in the longest chat lane (tests, the operator)."""
        return self._fleet.lane_backlog()

    def worker(self, trip_id: str, channel_id: str) -> ChannelWorker | None:
        return self._fleet.worker(trip_id, channel_id)

    async def _notify(self, address: ChatAddress, message: OutboundMessage) -> None:
        adapter = self._adapters.get(address.platform)
        if adapter is not None:
            await adapter.send(message)

    # -- the adapters' sink -----------------------------------------------------------

    async def on_message(self, message: InboundMessage) -> None:
        # The one place inbound failures are logged, with their context. They are
        # raised on, so the adapter does not confirm the event: a platform that
        # redelivers (Telegram, Slack) brings it back rather than it being lost.
        # Text no store can encode (a lone surrogate) is made storable here, once,
        # for every platform: otherwise it fails on every redelivery and is lost.
        message = storable_value(message)
        # The chat the event came from, for the announcements: its own plan changes
        # are not told back to it, and /remind, /brief, /notify store its settings.
        token = CURRENT_CHAT.set(message.address)
        try:
            await self._router.on_message(message)
        except Exception:
            self._metrics.error("inbound")
            logger.exception(
                "handling message %s from %s failed", message.message_id, message.address
            )
            raise
        finally:
            CURRENT_CHAT.reset(token)

    async def on_action(self, action: InboundAction) -> None:
        action = storable_value(action)
        token = CURRENT_CHAT.set(action.address)
        try:
            await self._router.on_action(action)
        except Exception:
            self._metrics.error("inbound")
            logger.exception("handling action %s from %s failed", action.action_id, action.address)
            raise
        finally:
            CURRENT_CHAT.reset(token)

    async def copy_seen(self, copy: SeenCopy) -> None:
        """A chat showed a copy the bridge posted: its id joins the message map, so
        replies to a copy whose send response was lost resolve (issue 14.2)."""
        await self._seen_copies.record(copy)

    async def first_time(self, platform: str, event_id: str) -> bool:
        return await self._store.mark_event_seen(platform, event_id)

    def batch(
        self, platform: str, event_ids: Collection[str] = ()
    ) -> AbstractAsyncContextManager[None]:
        return self.intake.batch(platform, event_ids)

    async def room(self) -> None:
        await self._fleet.room()

    async def handled_before(self, platform: str, event_id: str) -> bool:
        return await self.intake.handled_before(platform, event_id)

    async def mark_handled(self, platform: str, event_id: str) -> None:
        await self.intake.mark_handled(platform, event_id)

    async def migrate_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        for link in await self._store.list_links(platform=platform):
            if link.chat_id == old_chat_id:
                await self._store.update_link(link.id, chat_id=new_chat_id)
        await self.sync_links()

    async def next_pass(self) -> None:
        """Wake every worker and wait until one of them completes a pass."""
        await self._fleet.next_pass()

    async def idle(self) -> None:
        """Wait until no outbox entry is pending and the chat lanes are empty (tests, demo).

        Callers bound it with `asyncio.timeout`: a message Osoto keeps refusing
        transiently would otherwise keep it waiting.
        """
        while self._fleet.has_workers and await self._store.pending_outbox_count() > 0:
            await self._fleet.next_pass()
        # The chat lanes send on their own: what they hold now reaches its chats.
        while self._fleet.lane_backlog() > 0:
            await self._fleet.lanes_drained()

    @property
    def adapters(self) -> dict[str, ChatAdapter]:
        return dict(self._adapters)
