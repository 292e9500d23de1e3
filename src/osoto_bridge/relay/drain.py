"""Chat → Osoto: one channel's Osoto lane, its outbox posted in order under the key's pace.

The lane runs in its own task (`OutboxDrain.run`), woken when a line is written to
the outbox: each due entry is posted in order (a line's parts and a reply's parent
come first) and its result recorded. The channel's other chats get the same lines
from the ahead feed (`relay/ahead.py`) without waiting for these posts, and the poll
never waits for them either: while the lane is not clear, it holds back the link
owners' messages it meets (`EchoGuard`, DESIGN invariant 3).
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

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
from osoto_bridge.relay.ahead import AheadFeed, resolve_parent
from osoto_bridge.relay.coalesce import batch_key, merged_content, osoto_pressed, osoto_run
from osoto_bridge.relay.echo import EchoGuard
from osoto_bridge.relay.outbox import OSOTO_MAX_CONTENT
from osoto_bridge.store import Link, OutboxEntry, PendingPost, Store
from osoto_bridge.text import Paragraph, Text, doc
from osoto_bridge.util import Backoff, Wait, Wakeup

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = 300.0
_OUTBOX_BACKOFF = Backoff(first=2.0, cap=MAX_RETRY_DELAY)  # 2, 4, 8 … s
DUE_BATCH = 50
"""Outbox entries one drain takes."""
OUTBOX_RECHECK = 300.0
"""Seconds after which an idle channel looks at its outbox unasked (see `OutboxDrain.due`)."""

ClientFor = Callable[[Link], Awaitable[OsotoClient]]
Notify = Callable[[ChatAddress, OutboundMessage], Awaitable[None]]


LinksNow = Callable[[], Awaitable[Sequence[Link]]]


class OutboxDrain:
    """One channel's Osoto lane: posts its outbox in order, in a task of its own."""

    def __init__(
        self,
        trip_id: str,
        channel_id: str,
        *,
        store: Store,
        feed: AheadFeed,
        client_for: ClientFor,
        notify: Notify,
        echo: EchoGuard,
        metrics: RelayMetrics,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        wait: Wait,
        rng: random.Random,
    ) -> None:
        self._trip_id = trip_id
        self._channel_id = channel_id
        self._store = store
        self._feed = feed
        self._client_for = client_for
        self._notify = notify
        self._echo = echo
        self._metrics = metrics
        self._clock = clock
        # The outbox schedules retries in epoch seconds (the store's time), the
        # poll schedule in monotonic seconds: two clocks, never mixed.
        self._wall_clock = wall_clock
        self._wait = wait
        self._rng = rng
        # What the drain knows of its outbox, to spare the store a read per pass:
        # whether it may hold entries (unknown at start: a restart may have left
        # some), when it last looked, and whether retries may be waiting.
        self._dirty = True
        self._pokes = 0
        self._checked_at = -math.inf
        self._retries_possible = True
        self._retry_in = OUTBOX_RECHECK
        self._pokes_since_drain = False
        self._failures = 0
        self._stopping = False
        self._wake = Wakeup()
        # The outbox's last entry when this lane first looked: entries up to it may
        # have been posted alone by a process before (a crash, another replica's
        # lease), their answer lost. They go alone again, never merged (`_cut`).
        self._inherited_up_to: int | None = None

    def stop(self) -> None:
        """Post no further entry after the one in flight (they wait, pending)."""
        self._stopping = True
        self._wake.set()

    def poke(self, *, wake: bool = True) -> None:
        """A chat message was written to the outbox: the lane drains now.

        ``wake=False``: the lane counts as not clear at once (the poll holds back the
        owners' messages) but starts when `wake` is called, after the ahead feed.
        """
        self._dirty = True
        self._pokes += 1
        if wake:
            self._wake.set()

    def wake(self) -> None:
        """Start the drain a `poke` announced (see ``wake=False``)."""
        self._wake.set()

    @property
    def clear(self) -> bool:
        """Whether every line of the outbox is posted and recorded (none in flight).

        False from a poke until a drain finds the outbox empty: the poll holds back
        the owners' messages meanwhile (one of them may be a post of ours whose
        response is not recorded yet).
        """
        return not self._dirty

    def due(self) -> bool:
        """Whether the lane must read the outbox now.

        Every chat message is written to the outbox and then pokes its channel's
        worker, so a lane that was not poked finds nothing there. Entries left
        pending (a retry later) keep the flag up, and a look every `OUTBOX_RECHECK`
        seconds catches whatever was written without a poke (another process).
        """
        return self._dirty or (self._clock() - self._checked_at >= OUTBOX_RECHECK)

    async def run(self, links_now: LinksNow) -> None:
        """Drain whenever poked (or a retry is due) until `stop`."""
        while not self._stopping:
            self._wake.clear()
            delay = OUTBOX_RECHECK
            if self.due():
                delay = await self._drain_once(links_now)
            if self._stopping:
                break
            await self._wait(self._wake, delay)

    async def _drain_once(self, links_now: LinksNow) -> float:
        """One drain; the delay to the next unless poked."""
        try:
            links = await links_now()
            if not links:
                self._dirty = False
                return OUTBOX_RECHECK
            drained = await self.drain(links)
        except (ChatError, RateLimited, ServerError, TransportError) as exc:
            self._metrics.failed(exc)
            self._failures += 1
            backoff = Backoff(first=2.0, cap=MAX_RETRY_DELAY, jitter=0.5, random=self._rng.random)
            delay = backoff.ceiling(self._failures)
            if isinstance(exc, RateLimited) and exc.retry_after:
                delay = max(delay, exc.retry_after)
            logger.warning(
                "channel %s/%s: posting to Osoto: %s; retrying in %.1fs",
                self._trip_id,
                self._channel_id,
                type(exc).__name__,
                delay,
            )
            return backoff.jittered(delay)
        except Exception:
            # Not Osoto's answer (a store hiccup, a bug): the lane lives on and
            # tries again, as a worker would be restarted.
            self._failures += 1
            logger.exception(
                "channel %s/%s: the Osoto lane failed", self._trip_id, self._channel_id
            )
            return min(MAX_RETRY_DELAY, 2.0 * self._failures)
        self._failures = 0
        if drained and not self._dirty:
            return OUTBOX_RECHECK
        # Entries wait for a retry (or arrived meanwhile): look again when it is due.
        return 0.0 if self._pokes_since_drain else min(self._retry_in, OUTBOX_RECHECK)

    async def drain(self, links: Sequence[Link]) -> bool:
        """Post every due outbox entry in order; True when nothing is left pending."""
        self._checked_at = self._clock()
        # Dirty until proven empty: a post that fails part-way (its message may be
        # in Osoto already, the response lost) must keep the lane reading the
        # outbox and the poll holding back the owners' messages, or it could echo.
        self._dirty = True
        pokes = self._pokes
        self._pokes_since_drain = False
        if self._inherited_up_to is None:
            self._inherited_up_to = await self._store.last_outbox_id(
                self._trip_id, self._channel_id
            )
        work, taken = await self._due_work(links)
        index = 0
        while index < len(work) and not self._stopping:
            batch, link, consumed = await self._cut(work, index)
            index += consumed
            if not batch:
                continue
            if len(batch) == 1 and batch[0].batch_id is None:
                message = await self._post(batch[0], link)
            else:
                message = await self._post_batch(batch, link)
            if message is not None and all(self._feed.handed_over(e.id) for e in batch):
                self._echo.handed_over(message.id)
            self._feed.posted(
                [entry.id for entry in batch], message.id if message is not None else None
            )
        if not self._retries_possible and taken < DUE_BATCH:
            # Everything due was taken and none is waiting for a retry: nothing is
            # pending but what a poke announced since (counted just below).
            pending = 0
        else:
            pending = await self._store.pending_outbox_count(self._trip_id, self._channel_id)
            self._retries_possible = pending > 0
        # A poke since the drain began may be for an entry written after the count
        # was taken: it keeps the flag up, or that entry would wait for the recheck.
        self._pokes_since_drain = self._pokes != pokes or taken >= DUE_BATCH
        self._dirty = pending > 0 or self._pokes_since_drain
        return pending == 0

    async def _due_work(self, links: Sequence[Link]) -> tuple[list[tuple[OutboxEntry, Link]], int]:
        """The due entries with their links (an entry whose link is gone fails)."""
        by_id = {link.id: link for link in links}
        entries = await self._store.due_outbox(
            trip_id=self._trip_id, channel_id=self._channel_id, limit=DUE_BATCH
        )
        work: list[tuple[OutboxEntry, Link]] = []
        for entry in entries:
            link = by_id.get(entry.link_id) or await self._store.get_link(entry.link_id)
            if link is None:
                await self._store.mark_outbox_failed(entry.id, error="link removed")
            else:
                work.append((entry, link))
        return work, len(entries)

    async def _cut(
        self, work: Sequence[tuple[OutboxEntry, Link]], index: int
    ) -> tuple[list[OutboxEntry], Link, int]:
        """The next post: its entries, their link, and how many of ``work`` it takes.

        A batch cut before (a crash or a failed try since) is replayed as it was
        cut, whatever queued since. Otherwise the entry goes alone unless the key is
        under pressure (`coalesce.osoto_pressed`): then the entries queued behind it
        merge (`coalesce.osoto_run`), and the cut is stored before the post, so a
        retry replays the same post.
        """
        entry, link = work[index]
        if entry.batch_id is not None:
            consumed = 1
            while index + consumed < len(work) and work[index + consumed][0].batch_id == (
                entry.batch_id
            ):
                consumed += 1
            members = await self._store.outbox_batch(entry.batch_id)
            return [m for m in members if m.status == "pending"], link, consumed
        client = await self._client_for(link)
        limiter = client.limiter
        if not osoto_pressed(
            len(work) - index,
            ready=limiter.ready(Priority.INTERACTIVE),
            remaining=limiter.snapshot().remaining,
        ):
            return [entry], link, 1
        count = osoto_run(
            [queued for queued, _ in work[index:]], limit=OSOTO_MAX_CONTENT, fresh=self._fresh
        )
        if count == 1:
            return [entry], link, 1
        entries = [queued for queued, _ in work[index : index + count]]
        lead = await self._store.cut_outbox_batch([queued.id for queued in entries])
        return [replace(queued, batch_id=lead) for queued in entries], link, count

    def _fresh(self, entry: OutboxEntry) -> bool:
        """Whether only this lane could have tried to post ``entry``, and has not."""
        inherited = self._inherited_up_to or 0
        return entry.id > inherited and entry.attempts == 0

    async def _post_batch(self, entries: Sequence[OutboxEntry], link: Link) -> Message | None:
        """Post several lines as one message; its outcome is every line's."""
        client = await self._client_for(link)
        ids = [entry.id for entry in entries]
        try:
            message = await client.post_message(
                link.trip_id,
                link.channel_id,
                merged_content(entries),
                idempotency_key=batch_key(entries),
                priority=Priority.INTERACTIVE,
            )
        except (RateLimited, ServerError, TransportError) as exc:
            delay = _OUTBOX_BACKOFF.ceiling(max(entry.attempts for entry in entries) + 1)
            if isinstance(exc, RateLimited) and exc.retry_after:
                delay = max(delay, exc.retry_after)
            self._retries_possible = True
            self._retry_in = delay
            await self._store.mark_outbox_batch_retry(
                ids, error=type(exc).__name__, next_attempt_at=self._wall_clock() + delay
            )
            raise
        except ApiError as exc:
            self._metrics.failed(exc)
            await self._store.mark_outbox_batch_failed(ids, error=f"{exc.code}: {exc.message}")
            await self._tell_source(entries[-1], exc)
            return None
        # Every line's map row and "sent" in one transaction (see `_post`).
        await self._store.complete_outbox_batch(entries, message.id)
        self._metrics.messages_coalesced("osoto", len(entries))
        for entry in entries:
            self._metrics.message_relayed(
                "chat_to_osoto", entry.source_platform, created_at=entry.created_at
            )
        return message

    async def _post(self, entry: OutboxEntry, link: Link) -> Message | None:
        """Post one entry; the Osoto message, or None when Osoto refused it for good."""
        client = await self._client_for(link)
        parent = await resolve_parent(self._store, entry)
        # Still on its way: its post failed for good, Osoto never had it.
        parent_id = None if isinstance(parent, PendingPost) else parent
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
            self._retry_in = delay
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
