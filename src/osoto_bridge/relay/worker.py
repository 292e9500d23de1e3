"""One Osoto channel's relay loop: post the outbox, then poll and deliver.

Both directions of one channel run in this one loop, in this order, on purpose: the
outbox is drained (and each posted message's id recorded) *before* the channel is
polled, so the poller always knows which messages the bridge wrote itself and never
relays them back (DESIGN invariant 3), whatever account wrote them. If the outbox
cannot drain (Osoto failing), messages by the link owners' accounts are held back
until it can, rather than risk an echo.

The cursor is stored only after every message of a page reached every chat; a
restart re-reads that page and the message map skips what was delivered.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from osoto_bridge.chat.base import ChatAddress, ChatError, OutboundMessage
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import OsotoClient, Priority
from osoto_bridge.osoto.errors import (
    ApiError,
    OsotoError,
    RateLimited,
    ServerError,
    TransportError,
)
from osoto_bridge.osoto.models import Message
from osoto_bridge.osoto.scopes import MESSAGES_READ
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.outbox import CHAT_PARENT_PREFIX
from osoto_bridge.relay.schedule import ActivePollBudget, PollSchedule, PollTiming
from osoto_bridge.store import (
    Link,
    OutboxEntry,
    Store,
    is_provisional,
    provisional_message_id,
)
from osoto_bridge.text import Paragraph, Text, doc
from osoto_bridge.util import LRU, Backoff

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_RETRY_DELAY = 300.0
_OUTBOX_BACKOFF = Backoff(first=2.0, cap=MAX_RETRY_DELAY)  # 2, 4, 8 … s
DUE_BATCH = 50
"""Outbox entries one drain takes."""
CURSOR_SAVE_EVERY = 30.0
"""Seconds the stored cursor may lag behind pages holding only the worker's own posts."""
HANDED_OVER_KEPT = 128
"""Own posts a worker remembers as fully handed over (more than a poll page's worth
is never needed: the poll that follows a drain meets them)."""
SLOW_PASS = 5.0
"""Seconds after which a pass is logged: a chat platform's pace or Osoto held it up."""
OUTBOX_RECHECK = 300.0
"""Seconds after which an idle channel looks at its outbox unasked (see `_outbox_due`)."""


@dataclass(frozen=True)
class ChannelKey:
    """An Osoto channel: the unit the relay polls."""

    trip_id: str
    channel_id: str


ClientFor = Callable[[Link], Awaitable[OsotoClient]]
Wait = Callable[[asyncio.Event, float], Awaitable[None]]


async def wait_event(event: asyncio.Event, seconds: float) -> None:
    """Wait for ``event`` at most ``seconds`` (the default, real-time `Wait`)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass


Notify = Callable[[ChatAddress, OutboundMessage], Awaitable[None]]


class ChannelWorker:
    """Relays one Osoto channel to and from every chat linked to it."""

    def __init__(
        self,
        key: ChannelKey,
        *,
        store: Store,
        deliverer: Deliverer,
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
        self._deliverer = deliverer
        self._client_for = client_for
        self._notify = notify
        self._timing = timing
        self._channels_on_key = channels_on_key
        self._clock = clock
        # The outbox schedules retries in epoch seconds (the store's time), the
        # poll schedule in monotonic seconds: two clocks, never mixed.
        self._wall_clock = wall_clock
        self._wait = wait
        self._on_pass = on_pass
        self._rng = rng or random.Random()
        self._schedule = PollSchedule(timing, clock=clock)
        self._active_polls = active_polls or ActivePollBudget(None, clock=clock)
        self._first_pass_gate = first_pass_gate
        self._wake = asyncio.Event()
        self._stopping = False
        self._failures = 0
        self.polls = 0
        # What the worker knows of its channel, to spare the store a read per pass:
        # whether the outbox may hold entries (unknown at start: a restart may have
        # left some), when it last looked, and the cursor it last read or wrote.
        self._outbox_dirty = True
        self._pokes = 0
        self._outbox_checked_at = -math.inf
        self._cursor: str | None = None
        self._links: list[Link] | None = None
        self._spread_pending = True
        # Messages this worker posted and handed to every chat, newest last: the
        # poll that meets them next skips them without asking the store.
        self._handed_over = RecentIds(HANDED_OVER_KEPT)
        # Whether the outbox may hold entries waiting for a retry (unknown at start).
        self._retries_possible = True
        self._cursor_saved_at = -math.inf

    def set_links(self, links: Sequence[Link]) -> None:
        """Serve these links (the bridge's fresh read of the store) until told otherwise.

        Without them (or after `forget_links`) each pass reads the channel's links
        from the store itself.
        """
        self._links = [link for link in links if link.enabled]

    def forget_links(self) -> None:
        """A link of this channel changed: read the links from the store again."""
        self._links = None

    def poke(self) -> None:
        """Run the loop now (a chat message is waiting in the outbox)."""
        self._outbox_dirty = True
        self._pokes += 1
        self._schedule.note_activity()
        self._wake.set()

    def stop(self) -> None:
        """Finish the current pass, then return from `run`."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
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
            await self._wait(self._wake, delay)

    async def run_once(self) -> float:
        """One pass: drain the outbox, poll, deliver. Returns the delay to the next."""
        links = self._links
        if links is None:
            stored = await self._store.links_for_channel(self.key.trip_id, self.key.channel_id)
            links = [link for link in stored if link.enabled]
        if not links:
            return self._timing.idle_interval
        started = self._clock()
        try:
            drained = await self._drain_outbox(links) if self._outbox_due() else True
            drained_at = self._clock()
            polled = await self._poll(links, outbox_clear=drained)
            self._note_slow_pass(started, drained_at)
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
            return backoff.jittered(delay)
        self._failures = 0
        if polled is None:
            pass  # no poll this time (the key's budget): neither active nor quiet
        elif polled:
            self._schedule.note_activity()
        else:
            self._schedule.note_empty_poll()
        reader = self._reader(links)
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
        return delay

    def _note_slow_pass(self, started: float, drained_at: float) -> None:
        """Say when a pass held the channel up: its messages waited that long."""
        took = self._clock() - started
        if took >= SLOW_PASS:
            logger.info(
                "channel %s/%s: a pass took %.1fs (outbox %.1fs, polling %.1fs)",
                self.key.trip_id,
                self.key.channel_id,
                took,
                drained_at - started,
                took - (drained_at - started),
            )

    # -- chat → Osoto -------------------------------------------------------------

    def _outbox_due(self) -> bool:
        """Whether this pass must read the outbox.

        Every chat message is written to the outbox and then pokes its channel's
        worker, so an idle pass that was not poked finds nothing there; skipping the
        two reads is most of an idle pass's cost. Entries left pending (a retry
        later) keep the flag up, and a look every `OUTBOX_RECHECK` seconds catches
        whatever was written without a poke (another process).
        """
        return self._outbox_dirty or (self._clock() - self._outbox_checked_at >= OUTBOX_RECHECK)

    async def _drain_outbox(self, links: Sequence[Link]) -> bool:
        """Post every due outbox entry in order; True when nothing is left pending."""
        self._outbox_checked_at = self._clock()
        # Dirty until proven empty: a post that fails part-way (its message may be
        # in Osoto already, the response lost) must keep the next pass reading the
        # outbox and holding back the owners' messages, or it could echo.
        self._outbox_dirty = True
        pokes = self._pokes
        by_id = {link.id: link for link in links}
        entries = await self._store.due_outbox(
            trip_id=self.key.trip_id, channel_id=self.key.channel_id, limit=DUE_BATCH
        )
        work: list[tuple[OutboxEntry, Link]] = []
        for entry in entries:
            link = by_id.get(entry.link_id) or await self._store.get_link(entry.link_id)
            if link is None:
                await self._store.mark_outbox_failed(entry.id, error="link removed")
            else:
                work.append((entry, link))
        # chat → chat does not wait for Osoto: each line goes to the channel's other
        # chats at once, under a provisional id, while the same lines are posted to
        # Osoto; neither waits for the other (Slack takes a line a second, Osoto
        # may be slow or down). The map moves the other chats' copies to the Osoto
        # id when a post completes, so the hand-over below finds them there and
        # sends nothing twice; it delivers what the quick way could not.
        quick = (
            asyncio.create_task(self._relay_to_other_chats(work, links), name="relay:chat-to-chat")
            if work and len(links) > 1
            else None
        )
        posted: list[tuple[OutboxEntry, Message]] = []
        try:
            for entry, link in work:
                message = await self._post(entry, link)
                if message is not None:
                    posted.append((entry, message))
        finally:
            served = await self._finish_quick_relay(quick) if quick is not None else set()
            for entry, message in posted:
                if entry.id not in served and len(links) > 1:
                    await self._deliverer.deliver(message, links, by_bridge=True)
                self._handed_over.add(message.id)
        if not self._retries_possible and len(entries) < DUE_BATCH:
            # Everything due was taken and none is waiting for a retry: nothing is
            # pending but what a poke announced since (counted just below).
            pending = 0
        else:
            pending = await self._store.pending_outbox_count(self.key.trip_id, self.key.channel_id)
            self._retries_possible = pending > 0
        # A poke since the drain began may be for an entry written after the count
        # was taken: it keeps the flag up, or that entry would wait for the recheck.
        self._outbox_dirty = pending > 0 or self._pokes != pokes
        return pending == 0

    async def _relay_to_other_chats(
        self, work: Sequence[tuple[OutboxEntry, Link]], links: Sequence[Link]
    ) -> set[int]:
        """Hand each line to the channel's other chats, in order, before Osoto has it.

        Returns the entries every other chat now has (the hand-over after the posts
        need not look at those again).
        """
        served: set[int] = set()
        for entry, source in work:
            others = [link for link in links if link.id != source.id]
            if not others:
                continue
            message = Message(
                id=provisional_message_id(entry.id),
                creation_time=entry.created_at * 1000.0,
                trip_id=entry.trip_id,
                channel_id=entry.channel_id,
                content=entry.content,
                parent_id=await self._parent_of(entry),
            )
            await self._deliverer.deliver(message, others, by_bridge=True)
            served.add(entry.id)
        return served

    async def _finish_quick_relay(self, quick: asyncio.Task[set[int]]) -> set[int]:
        """Wait for the quick chat → chat hand-over (never cut a send in half).

        Returns the entries it served. Its failure is no loss: the hand-over after
        the posts delivers, under the Osoto id, whatever did not arrive (and is
        where a failing chat shows).
        """
        try:
            return await asyncio.shield(quick)
        except asyncio.CancelledError:
            if not quick.done():
                await asyncio.gather(quick, return_exceptions=True)
            raise
        except ChatError as exc:
            logger.info(
                "channel %s/%s: chat → chat deferred to the Osoto hand-over: %s",
                self.key.trip_id,
                self.key.channel_id,
                exc,
            )
        except Exception:
            logger.exception(
                "channel %s/%s: the quick chat → chat hand-over failed",
                self.key.trip_id,
                self.key.channel_id,
            )
        return set()

    async def _parent_of(self, entry: OutboxEntry) -> str | None:
        """The entry's parent message id; a chat parent (`CHAT_PARENT_PREFIX`), one that
        was itself queued, resolved through the map now (it may still be provisional)."""
        parent_id = entry.parent_id
        if parent_id is None or not parent_id.startswith(CHAT_PARENT_PREFIX):
            return parent_id
        return await self._store.osoto_message_for(
            entry.source_platform,
            entry.source_chat_id,
            parent_id.removeprefix(CHAT_PARENT_PREFIX),
        )

    async def _post(self, entry: OutboxEntry, link: Link) -> Message | None:
        """Post one entry; the Osoto message, or None when Osoto refused it for good."""
        client = await self._client_for(link)
        parent_id = await self._parent_of(entry)
        if parent_id is not None and is_provisional(parent_id):
            parent_id = None  # its post failed for good: Osoto never had it
        try:
            message = await client.post_message(
                entry.trip_id,
                entry.channel_id,
                entry.content,
                parent_id=parent_id,
                idempotency_key=entry.idempotency_key,
                priority=Priority.INTERACTIVE,
            )
        except (RateLimited, ServerError, TransportError) as exc:
            delay = _OUTBOX_BACKOFF.ceiling(entry.attempts + 1)
            if isinstance(exc, RateLimited) and exc.retry_after:
                delay = max(delay, exc.retry_after)
            self._retries_possible = True
            await self._store.mark_outbox_retry(
                entry.id, error=type(exc).__name__, next_attempt_at=self._wall_clock() + delay
            )
            raise
        except ApiError as exc:
            self._metrics.failed(exc)
            # Osoto refused this message for good (scope revoked, bad content):
            # keep it for the operator and tell the chat, never drop it silently.
            await self._store.mark_outbox_failed(entry.id, error=f"{exc.code}: {exc.message}")
            await self._tell_source(entry, exc)
            return None
        except OsotoError as exc:  # pragma: no cover - every subclass is handled above
            await self._store.mark_outbox_failed(entry.id, error=str(exc))
            return None
        # The source chat's map row and "sent" in one transaction: a crash before it
        # leaves the entry pending (re-posting replays the same message), never a
        # sent message the source chat does not know as its own (an echo).
        await self._store.complete_outbox_post(entry, message.id)
        self._metrics.message_relayed(
            "chat_to_osoto", entry.source_platform, created_at=entry.created_at
        )
        return message

    async def _tell_source(self, entry: OutboxEntry, exc: ApiError) -> None:
        address = ChatAddress(entry.source_platform, entry.source_chat_id, entry.source_thread_id)
        note = doc(
            Paragraph(
                (
                    Text(
                        f"⚠️ This message could not be relayed to Osoto ({exc.code}). "
                        f"Request id: {exc.request_id or 'n/a'}."
                    ),
                )
            )
        )
        try:
            await self._notify(
                address, OutboundMessage(address, note, reply_to=entry.source_message_id)
            )
        except ChatError:
            logger.warning("could not tell chat %s that a message failed", address)

    # -- Osoto → chat -------------------------------------------------------------

    def _reader(self, links: Sequence[Link]) -> Link | None:
        readable = [link for link in links if _can_read_messages(link)]
        return readable[0] if readable else None

    async def _poll(self, links: Sequence[Link], *, outbox_clear: bool) -> int | None:
        """Fetch and deliver new messages; how many were new (None: not polled now)."""
        reader = self._reader(links)
        if reader is None:
            return 0
        client = await self._client_for(reader)
        if not client.limiter.ready(Priority.BACKGROUND) or (
            self._schedule.is_active and not self._active_polls.take()
        ):
            # The key's polling budget is spent for now, or the process's for
            # active polls. Waiting for it here would hold this channel's posts
            # (which may use the key's reserve) for as long, up to a minute; the
            # next pass polls again, and a poke still drains the outbox at once.
            self._metrics.poll_deferred()
            return None
        # The worker is its channel's only cursor writer in this process: the store
        # is read once, then the cursor is kept. (Were another replica to move it on,
        # re-reading a page costs map lookups, never a double.)
        cursor = self._cursor or await self._store.get_cursor(self.key.trip_id, self.key.channel_id)
        if cursor is None:
            await self._start_at_end(client)
            return 0
        self._cursor = cursor
        owners = {link.owner_user_id for link in links}
        new = 0
        while True:
            self.polls += 1
            page = await client.list_messages(
                self.key.trip_id,
                self.key.channel_id,
                cursor=cursor,
                limit=PAGE_SIZE,
                priority=Priority.BACKGROUND,
            )
            self._metrics.polled(self.key.trip_id, self.key.channel_id)
            finished = True
            only_own = True
            for message in page.data:
                if message.id in self._handed_over:
                    continue  # posted by this worker, and every chat already has it
                only_own = False
                if await self._store.is_bridge_authored(message.id):
                    # posted by the bridge: the source chat has it, and the others
                    # got it when it was posted (or get it now if that was cut short).
                    await self._deliverer.deliver(message, links, by_bridge=True)
                    continue
                if not outbox_clear and message.author_id in owners:
                    # It may be one of ours whose post response we have not recorded
                    # yet: wait for the outbox rather than risk an echo.
                    finished = False
                    break
                if await self._deliverer.deliver(message, links):
                    new += 1
            if not finished:
                break
            if page.next_cursor is not None and page.next_cursor != cursor:
                cursor = page.next_cursor
                self._cursor = cursor
                now = self._clock()
                if not only_own or now - self._cursor_saved_at >= CURSOR_SAVE_EVERY:
                    # A page of nothing but our own, already handed-over posts need
                    # not move the stored cursor each time: after a restart, reading
                    # it again costs map look-ups that find them delivered.
                    await self._store.set_cursor(self.key.trip_id, self.key.channel_id, cursor)
                    self._cursor_saved_at = now
            if not page.has_more or not page.data:
                break
        return new

    async def _start_at_end(self, client: OsotoClient) -> None:
        """A newly linked channel starts at its present end: history is not replayed."""
        cursor = await seek_end(
            client, self.key.trip_id, self.key.channel_id, on_message=self._deliverer.remember
        )
        await self._store.set_cursor(self.key.trip_id, self.key.channel_id, cursor)
        self._cursor = cursor


async def seek_end(
    client: OsotoClient,
    trip_id: str,
    channel_id: str,
    *,
    on_message: Callable[[Message], None] | None = None,
) -> str:
    """The cursor just past a channel's newest message (pages through its history)."""
    cursor: str | None = None
    while True:
        page = await client.list_messages(
            trip_id, channel_id, cursor=cursor, limit=PAGE_SIZE, priority=Priority.BACKGROUND
        )
        if on_message is not None:
            for message in page.data:
                on_message(message)
        if page.next_cursor is not None:
            cursor = page.next_cursor
        if not page.has_more or not page.data:
            break
    if cursor is None:
        raise OsotoError("Osoto returned no message cursor for this channel")
    return cursor


class RecentIds:
    """The last ``size`` ids added, for membership tests (oldest forgotten first)."""

    def __init__(self, size: int) -> None:
        self._ids: LRU[str, None] = LRU(size)

    def add(self, item: str) -> None:
        self._ids[item] = None

    def __contains__(self, item: object) -> bool:
        return item in self._ids


def _can_read_messages(link: Link) -> bool:
    return link.access.allows(MESSAGES_READ)
