"""One Osoto channel's relay: its Osoto lane, its ahead feed and its poll.

The parts, one job each:

- `OutboxDrain` (chat → Osoto, `relay/drain.py`): the channel's Osoto lane, in a
  task of its own, posts the outbox in order under the key's pace;
- `AheadFeed` (chat → chat, `relay/ahead.py`): hands each new outbox line to the
  channel's other chats' lanes at once, named by its outbox entry;
- `ChannelPoll` (Osoto → chats, `relay/poll.py`): pages through new messages into
  the chats' lanes;
- `EchoGuard` (`relay/echo.py`): decides for each polled message own / foreign /
  hold back (`Route.CATCH_UP` for an own post a chat does not have yet).

Every chat is a lane of its own (`relay/lanes.py`, shared by the workers): a slow
or failing chat, or a slow Osoto, holds no other destination. The echo guarantee
(DESIGN invariant 3) no longer comes from running the drain before the poll: the
poll asks the Osoto lane, for each message it meets, whether every post is
recorded; while one is not (poked, posting, retrying), messages by the link owners'
accounts are held back, as they may be a post of ours whose id is not known yet.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from osoto_bridge.chat.base import ChatError
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto.errors import RateLimited, ServerError, TransportError
from osoto_bridge.relay.ahead import AheadFeed
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.drain import MAX_RETRY_DELAY, ClientFor, Notify, OutboxDrain
from osoto_bridge.relay.echo import EchoGuard
from osoto_bridge.relay.lanes import ChatLanes
from osoto_bridge.relay.poll import ChannelPoll, reader_of, seek_end
from osoto_bridge.relay.schedule import ActivePollBudget, PollSchedule, PollTiming
from osoto_bridge.store import Link, OutboxEntry, Store
from osoto_bridge.util import Backoff, Flag, Wait, Wakeup

__all__ = ["ChannelKey", "ChannelWorker", "Wait", "seek_end", "wait_event"]

logger = logging.getLogger(__name__)

SLOW_PASS = 5.0
"""Seconds after which a pass is logged: a chat platform's pace or Osoto held it up."""


@dataclass(frozen=True)
class ChannelKey:
    """An Osoto channel: the unit the relay polls."""

    trip_id: str
    channel_id: str


async def wait_event(event: Flag, seconds: float) -> None:
    """Wait for ``event`` at most ``seconds`` (the default, real-time `Wait`)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass


class ChannelWorker:
    """Relays one Osoto channel to and from every chat linked to it."""

    def __init__(
        self,
        key: ChannelKey,
        *,
        store: Store,
        deliverer: Deliverer,
        lanes: ChatLanes,
        client_for: ClientFor,
        notify: Notify,
        timing: PollTiming,
        channels_on_key: Callable[[Link], int],
        clock: Callable[[], float],
        wall_clock: Callable[[], float] = time.time,
        wait: Wait = wait_event,
        on_pass: Callable[[], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
        metrics: RelayMetrics | None = None,
        active_polls: ActivePollBudget | None = None,
        first_pass_gate: asyncio.Semaphore | None = None,
    ) -> None:
        self.key = key
        self._metrics = metrics if metrics is not None else RelayMetrics()
        self._store = store
        self._client_for = client_for
        self._timing = timing
        self._channels_on_key = channels_on_key
        self._clock = clock
        self._wait = wait
        self._on_pass = on_pass
        self._rng = rng or random.Random()
        self._schedule = PollSchedule(timing, clock=clock)
        self._first_pass_gate = first_pass_gate
        echo = EchoGuard(store)
        self._feed = AheadFeed(key.trip_id, key.channel_id, store=store, lanes=lanes)
        self._drain = OutboxDrain(
            key.trip_id,
            key.channel_id,
            store=store,
            feed=self._feed,
            client_for=client_for,
            notify=notify,
            echo=echo,
            metrics=self._metrics,
            clock=clock,
            wall_clock=wall_clock,
            wait=wait,
            rng=self._rng,
        )
        self._poll = ChannelPoll(
            key.trip_id,
            key.channel_id,
            store=store,
            deliverer=deliverer,
            lanes=lanes,
            feed=self._feed,
            client_for=client_for,
            echo=echo,
            schedule=self._schedule,
            active_polls=active_polls or ActivePollBudget(None, clock=clock),
            metrics=self._metrics,
            clock=clock,
        )
        self._wake = Wakeup()
        self._stopping = False
        self._failures = 0
        self._links: list[Link] | None = None
        self._spread_pending = True
        # When the next poll is due (monotonic). A poke (a chat line) runs a pass at
        # once for the ahead feed, but the poll keeps its cadence: polled at every
        # chat line, an Osoto line written between two chat lines would wait for
        # the next spacing after the line before it, not for the next of a steady
        # rhythm (measured: 1.5 s p50 in a conversation instead of about half a
        # spacing).
        self._poll_at = -math.inf
        self._waiting = False  # between passes (a poke then starts one)
        self._drain_after_feed = False  # a poke's Osoto lane waits for the feed's read

    @property
    def polls(self) -> int:
        """Poll requests this worker made (pages fetched)."""
        return self._poll.requests

    def set_links(self, links: Sequence[Link]) -> None:
        """Serve these links (the bridge's fresh read of the store) until told otherwise.

        Without them (or after `forget_links`) each pass reads the channel's links
        from the store itself.
        """
        self._links = [link for link in links if link.enabled]

    def forget_links(self) -> None:
        """A link of this channel changed: read the links from the store again."""
        self._links = None

    def poke(self, written: Sequence[OutboxEntry] = ()) -> None:
        """Run the loop now (a chat message is waiting in the outbox).

        ``written``: the entries this process has just written for the channel; the
        feed hands them to the other chats at once (`AheadFeed.offer`), with no read.
        The conversation is active: a poll planned further off than the active
        interval (an idle channel's) comes forward to it.
        """
        links = self._links
        if written and links is not None and self._feed.offer(written, links):
            # In the other chats' lanes already: the Osoto lane starts now (unless an
            # earlier poke's start waits for the feed's read: it comes with that).
            self._drain.poke(wake=not self._drain_after_feed)
        else:
            # Waiting between passes, the loop hands the line to the other chats
            # first and then starts the Osoto lane: woken together, the lane's reads
            # before its post (links, due entries, parent) ran first and held chat →
            # chat back (measured: about 5 of a line's 18 ms). Mid-pass, the lane
            # starts at once.
            self._drain.poke(wake=not self._waiting)
            self._drain_after_feed = self._drain_after_feed or self._waiting
            self._feed.poke()
        self._schedule.note_activity()
        self._poll_at = min(self._poll_at, self._clock() + self._timing.active_interval)
        self._wake.set()

    def stop(self) -> None:
        """Finish the in-flight post or delivery, then return from `run`."""
        self._stopping = True
        self._drain.stop()
        self._poll.stop()
        self._wake.set()

    async def run(self) -> None:
        """Run the Osoto lane and the poll loop until `stop`."""
        lane = asyncio.create_task(
            self._drain.run(self._links_now),
            name=f"relay:osoto-lane:{self.key.trip_id}/{self.key.channel_id}",
        )
        try:
            await self._poll_loop()
        except BaseException:
            lane.cancel()  # cancelled (an abort) or failed: the lane goes down with it
            await asyncio.gather(lane, return_exceptions=True)
            raise
        self._drain.stop()
        await lane  # the post in flight finishes and is recorded

    async def _links_now(self) -> Sequence[Link]:
        links = self._links
        if links is None:
            stored = await self._store.links_for_channel(self.key.trip_id, self.key.channel_id)
            links = [link for link in stored if link.enabled]
        return links

    def _links_held(self, fallback: Sequence[Link]) -> Callable[[], Sequence[Link]]:
        """The links `set_links` gave last, or ``fallback`` (the pass's read) without."""
        return lambda: self._links if self._links is not None else fallback

    async def _poll_loop(self) -> None:
        gate = self._first_pass_gate
        while not self._stopping:
            self._wake.clear()
            if gate is not None:
                async with gate:  # the first pass only: workers starting together take turns
                    delay = await self.run_once()
                gate = None
            else:
                delay = await self.run_once()
            if self._on_pass is not None:
                await self._on_pass()
            if self._stopping:
                break
            self._waiting = True
            try:
                await self._wait(self._wake, delay)
            finally:
                self._waiting = False

    async def run_once(self) -> float:
        """One pass: hand new lines ahead, poll into the lanes. The delay to the next."""
        try:
            links = await self._links_now()
        except BaseException:
            self._start_drain()
            raise
        if not links:
            self._start_drain()
            return self._timing.idle_interval
        started = self._clock()
        try:
            try:
                if self._feed.due:
                    await self._feed.read(links, links_now=self._links_held(links))
            finally:
                self._start_drain()
            fed_at = self._clock()
            if fed_at < self._poll_at:
                return self._poll_at - fed_at  # woken for the feed: the poll keeps its time
            if self._feed.unconfirmed:
                # Lines handed over at their write: the read passes them (and hands
                # over what another process wrote among them), off their way.
                await self._feed.read(links, links_now=self._links_held(links))
            polled = await self._poll.poll(
                links, outbox_clear=lambda: self._drain.clear, links_now=self._links_held(links)
            )
            self._note_slow_pass(started, fed_at)
        except (ChatError, RateLimited, ServerError, TransportError) as exc:
            self._metrics.failed(exc)
            self._failures += 1
            backoff = Backoff(
                first=2 * self._timing.active_interval,
                cap=MAX_RETRY_DELAY,
                jitter=0.5,
                random=self._rng.random,
            )
            delay = backoff.ceiling(self._failures)
            if isinstance(exc, RateLimited) and exc.retry_after:
                delay = max(delay, exc.retry_after)
            logger.warning(
                "channel %s/%s: %s; retrying in %.1fs",
                self.key.trip_id,
                self.key.channel_id,
                type(exc).__name__,
                delay,
            )
            delay = backoff.jittered(delay)
            self._poll_at = self._clock() + delay  # a poke meanwhile does not poll sooner
            return delay
        self._failures = 0
        if polled is None:
            pass  # no poll this time (the key's budget): neither active nor quiet
        elif polled:
            self._schedule.note_activity()
        else:
            self._schedule.note_empty_poll()
        reader = reader_of(links)
        channels = self._channels_on_key(reader) if reader else 1
        delay = self._schedule.next_delay(channels)
        if reader is not None and self._schedule.is_active:
            # Posts and commands on the key leave less for polling: spread what is
            # left, rather than poll at full speed into the end of the share and
            # then not at all for seconds.
            client = await self._client_for(reader)
            delay = max(delay, client.limiter.background_spacing() * channels)
        if self._spread_pending and not self._schedule.is_active:
            # Every worker starts at once (bridge start): left alone, all channels
            # would poll in lockstep, thousands of requests in the same second every
            # idle interval. A random first wait, never longer than the idle
            # interval, spreads them over it for good.
            delay = max(delay, self._rng.uniform(0.0, self._timing.idle_interval))
        self._spread_pending = False
        self._poll_at = self._clock() + delay
        return delay

    def _start_drain(self) -> None:
        """The Osoto lane a poke announced starts now, the feed's read done."""
        if self._drain_after_feed:
            self._drain_after_feed = False
            self._drain.wake()

    def _note_slow_pass(self, started: float, drained_at: float) -> None:
        """Say when a pass held the channel up: its messages waited that long."""
        took = self._clock() - started
        if took >= SLOW_PASS:
            logger.info(
                "channel %s/%s: a pass took %.1fs (ahead %.1fs, polling %.1fs)",
                self.key.trip_id,
                self.key.channel_id,
                took,
                drained_at - started,
                took - (drained_at - started),
            )
