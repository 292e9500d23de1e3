"""Chat → Osoto: one channel's outbox drain, and the chat → chat routes it starts.

Each due entry is posted in order (a line's parts and a reply's parent come first),
and its line goes to the channel's other chats by `Route.AHEAD` (at once, while
posting) or `Route.HAND_OVER` (after the post, for what the first route missed).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Sequence

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
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.echo import EchoGuard
from osoto_bridge.store import (
    ChatParent,
    Link,
    OsotoParent,
    OutboxEntry,
    PendingParent,
    Store,
    is_provisional,
    provisional_message_id,
)
from osoto_bridge.text import Paragraph, Text, doc
from osoto_bridge.util import Backoff

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = 300.0
_OUTBOX_BACKOFF = Backoff(first=2.0, cap=MAX_RETRY_DELAY)  # 2, 4, 8 … s
DUE_BATCH = 50
"""Outbox entries one drain takes."""
OUTBOX_RECHECK = 300.0
"""Seconds after which an idle channel looks at its outbox unasked (see `OutboxDrain.due`)."""

ClientFor = Callable[[Link], Awaitable[OsotoClient]]
Notify = Callable[[ChatAddress, OutboundMessage], Awaitable[None]]


async def resolve_parent(store: Store, entry: OutboxEntry) -> str | None:
    """The id the entry's parent goes by now: Osoto's, a provisional one, or None.

    A pending parent whose post has not completed yet goes by its provisional id
    (the other chats know its copies by it); one refused for good has none.
    """
    match entry.parent:
        case None:
            return None
        case OsotoParent(message_id):
            return message_id
        case ChatParent(message_id):
            return await store.osoto_message_for(
                entry.source_platform, entry.source_chat_id, message_id
            )
        case PendingParent(entry_id):
            parent = await store.outbox_entry(entry_id)
            if parent is None or parent.status == "failed":
                return None
            if parent.status == "sent" and parent.osoto_message_id is not None:
                return parent.osoto_message_id
            return provisional_message_id(entry_id)


class OutboxDrain:
    """Posts one channel's outbox to Osoto and hands each line to the other chats."""

    def __init__(
        self,
        trip_id: str,
        channel_id: str,
        *,
        store: Store,
        deliverer: Deliverer,
        client_for: ClientFor,
        notify: Notify,
        echo: EchoGuard,
        metrics: RelayMetrics,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        self._trip_id = trip_id
        self._channel_id = channel_id
        self._store = store
        self._deliverer = deliverer
        self._client_for = client_for
        self._notify = notify
        self._echo = echo
        self._metrics = metrics
        self._clock = clock
        # The outbox schedules retries in epoch seconds (the store's time), the
        # poll schedule in monotonic seconds: two clocks, never mixed.
        self._wall_clock = wall_clock
        # What the drain knows of its outbox, to spare the store a read per pass:
        # whether it may hold entries (unknown at start: a restart may have left
        # some), when it last looked, and whether retries may be waiting.
        self._dirty = True
        self._pokes = 0
        self._checked_at = -math.inf
        self._retries_possible = True
        self._stopping = False

    def stop(self) -> None:
        """Post no further entry after the one in flight (they wait, pending)."""
        self._stopping = True

    def poke(self) -> None:
        """A chat message was written to the outbox: the next pass drains."""
        self._dirty = True
        self._pokes += 1

    def due(self) -> bool:
        """Whether this pass must read the outbox.

        Every chat message is written to the outbox and then pokes its channel's
        worker, so an idle pass that was not poked finds nothing there; skipping the
        two reads is most of an idle pass's cost. Entries left pending (a retry
        later) keep the flag up, and a look every `OUTBOX_RECHECK` seconds catches
        whatever was written without a poke (another process).
        """
        return self._dirty or (self._clock() - self._checked_at >= OUTBOX_RECHECK)

    async def drain(self, links: Sequence[Link]) -> bool:
        """Post every due outbox entry in order; True when nothing is left pending."""
        self._checked_at = self._clock()
        # Dirty until proven empty: a post that fails part-way (its message may be
        # in Osoto already, the response lost) must keep the next pass reading the
        # outbox and holding back the owners' messages, or it could echo.
        self._dirty = True
        pokes = self._pokes
        work, taken = await self._due_work(links)
        # Route.AHEAD does not wait for Osoto: each line goes to the channel's other
        # chats at once, under a provisional id, while the same lines are posted;
        # neither waits for the other (Slack takes a line a second, Osoto may be
        # slow or down). The map moves the other chats' copies to the Osoto id when
        # a post completes, so Route.HAND_OVER finds them there and sends nothing
        # twice; it delivers what the quick way could not.
        ahead = (
            asyncio.create_task(self._relay_ahead(work, links), name="relay:chat-to-chat")
            if work and len(links) > 1
            else None
        )
        posted: list[tuple[OutboxEntry, Message]] = []
        try:
            for entry, link in work:
                if self._stopping:
                    break
                message = await self._post(entry, link)
                if message is not None:
                    posted.append((entry, message))
        finally:
            served = await self._finish_ahead(ahead) if ahead is not None else set()
            for entry, message in posted:
                if entry.id not in served and len(links) > 1:  # Route.HAND_OVER
                    await self._deliverer.deliver(message, links, by_bridge=True)
                self._echo.handed_over(message.id)
        if not self._retries_possible and taken < DUE_BATCH:
            # Everything due was taken and none is waiting for a retry: nothing is
            # pending but what a poke announced since (counted just below).
            pending = 0
        else:
            pending = await self._store.pending_outbox_count(self._trip_id, self._channel_id)
            self._retries_possible = pending > 0
        # A poke since the drain began may be for an entry written after the count
        # was taken: it keeps the flag up, or that entry would wait for the recheck.
        self._dirty = pending > 0 or self._pokes != pokes
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

    async def _relay_ahead(
        self, work: Sequence[tuple[OutboxEntry, Link]], links: Sequence[Link]
    ) -> set[int]:
        """`Route.AHEAD`: each line to the other chats, in order, before Osoto has it.

        Returns the entries every other chat now has (the hand-over after the posts
        need not look at those again).
        """
        served: set[int] = set()
        for entry, source in work:
            others = [link for link in links if link.id != source.id]
            if self._stopping:
                break
            if not others:
                continue
            message = Message(
                id=provisional_message_id(entry.id),
                creation_time=entry.created_at * 1000.0,
                trip_id=entry.trip_id,
                channel_id=entry.channel_id,
                content=entry.content,
                parent_id=await resolve_parent(self._store, entry),
            )
            await self._deliverer.deliver(message, others, by_bridge=True)
            served.add(entry.id)
        return served

    async def _finish_ahead(self, ahead: asyncio.Task[set[int]]) -> set[int]:
        """Wait for `Route.AHEAD` to finish (never cut a send in half).

        Returns the entries it served. Its failure is no loss: the hand-over after
        the posts delivers, under the Osoto id, whatever did not arrive (and is
        where a failing chat shows).
        """
        try:
            return await asyncio.shield(ahead)
        except asyncio.CancelledError:
            if not ahead.done():
                await asyncio.gather(ahead, return_exceptions=True)
            raise
        except ChatError as exc:
            logger.info(
                "channel %s/%s: chat → chat deferred to the Osoto hand-over: %s",
                self._trip_id,
                self._channel_id,
                exc,
            )
        except Exception:
            logger.exception(
                "channel %s/%s: the quick chat → chat hand-over failed",
                self._trip_id,
                self._channel_id,
            )
        return set()

    async def _post(self, entry: OutboxEntry, link: Link) -> Message | None:
        """Post one entry; the Osoto message, or None when Osoto refused it for good."""
        client = await self._client_for(link)
        parent_id = await resolve_parent(self._store, entry)
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
