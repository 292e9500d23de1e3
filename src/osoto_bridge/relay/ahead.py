"""Chat → chat without waiting for Osoto: a channel's new outbox lines, to the other chats.

A chat line is written to the outbox and its channel's worker poked; the feed reads
the lines it has not handed over yet (one read for all) and puts each, named by its
outbox entry (`PendingPost`), into the lanes of the channel's other chats. The Osoto
post of the same line goes its own way (`relay/drain.py`): neither waits for the
other. The map moves the chats' copies to the Osoto id when the post completes, so
the poll finds them delivered and sends nothing twice.

A line this process wrote is handed over at its write (`offer`), without waiting
for the read: the intake gives the worker the entries it created. The read still
comes (at the channel's next poll): it passes those lines and finds what another
process wrote among them. Until the read is back, a line the offer cannot hand over
(the first read has not run yet, its parent needs a look-up) makes it hand over no
later line either: the read takes them all, in order.

After a restart the feed starts from the beginning of the channel's pending lines:
the lanes skip what the chats already have (the map).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Literal

from osoto_bridge.osoto.models import Message
from osoto_bridge.relay.lanes import Ahead, ChatLanes
from osoto_bridge.store import (
    ChatParent,
    Link,
    MessageRef,
    OsotoParent,
    OutboxEntry,
    PendingParent,
    PendingPost,
    Store,
)
from osoto_bridge.util import LRU

__all__ = ["AheadFeed", "resolve_parent"]

READ_AT_MOST = 200
"""Outbox lines one read takes (a longer backlog takes several passes)."""

_KEPT = 4096
"""Lines whose chat copies the feed follows until their Osoto post (more are only
looked up in the map again)."""


def _known_parent(entry: OutboxEntry) -> MessageRef | Literal[False] | None:
    """The entry's parent as `resolve_parent` gives it, where that needs no store
    (its first two cases: none, or an Osoto message); False where it does."""
    match entry.parent:
        case None:
            return None
        case OsotoParent(message_id):
            return message_id
        case _:
            return False


async def resolve_parent(
    store: Store, entry: OutboxEntry, *, toward_chats: bool = False
) -> MessageRef | None:
    """What the entry's parent goes by now: its Osoto id, its entry, or None.

    A pending parent whose post has not completed yet goes by its entry (the other
    chats know its copies by it, `PendingPost`); one refused for good has none.
    ``toward_chats``: for the copy the other chats get, a parent posted in a merged
    post goes by its entry still (the post's id names several lines; the chats know
    this line's copies by its entry, so the reply threads under that line).
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
                if toward_chats and parent.batch_id is not None:
                    return PendingPost(entry_id)
                return parent.osoto_message_id
            return PendingPost(entry_id)


def _message_of(entry: OutboxEntry) -> Message:
    """A line's content as a message. It has no Osoto id of its own (a merged post's
    id names several lines), so the message's id only labels it."""
    return Message(
        id=entry.idempotency_key,
        creation_time=entry.created_at * 1000.0,
        trip_id=entry.trip_id,
        channel_id=entry.channel_id,
        content=entry.content,
    )


class AheadFeed:
    """Hands one channel's new outbox lines to its other chats' lanes."""

    def __init__(self, trip_id: str, channel_id: str, *, store: Store, lanes: ChatLanes) -> None:
        self._trip_id = trip_id
        self._channel_id = channel_id
        self._store = store
        self._lanes = lanes
        self._seen = 0
        self._primed = False
        self._dirty = True
        self._copies: LRU[int, list[asyncio.Future[None]]] = LRU(_KEPT)
        self._parents_handed: LRU[int, None] = LRU(_KEPT)
        self._by_post: LRU[str, list[asyncio.Future[None]]] = LRU(_KEPT)
        # Posts recorded before the feed read some of their lines (the Osoto lane was
        # quicker): the lines still to come, and the copies of those handed over.
        self._partial: LRU[str, tuple[set[int], list[asyncio.Future[None]]]] = LRU(_KEPT)
        # Lines handed over at their write (`offer`) that no read has passed yet, and
        # the last line an offer left to the read (no later one may go before it).
        self._offered: LRU[int, None] = LRU(_KEPT)
        self._left_to_read = 0
        self._reading = False
        # Lines the Osoto lane posted before the feed had them: the read completes
        # their post (`_partial`), so an offer leaves them to it.
        self._posted_first: LRU[int, None] = LRU(_KEPT)

    def poke(self) -> None:
        """A line was written to the outbox: the next pass reads it."""
        self._dirty = True

    @property
    def due(self) -> bool:
        """A line was written that the feed has not handed over: read now."""
        return self._dirty

    @property
    def unconfirmed(self) -> bool:
        """Lines were handed over at their write that no read has passed yet."""
        return bool(self._offered)

    def offer(self, entries: Sequence[OutboxEntry], links: Sequence[Link]) -> bool:
        """Lines this process has just written: into the other chats' lanes at once.

        True when every one went (no read is due for them: the next poll's pass
        reads past them, `unconfirmed`); False when the read must take them (the
        feed is due). A line goes only after every line before it: not before the
        feed's first read, nor during a read (it may be handing over lines before
        this one), nor while a line an offer left to the read is unread; one whose
        parent needs the store goes to the read too, and so does one the Osoto lane
        posted before this offer (the read completes its post's copies; a copy the
        poll's catch-up queues is then never ahead of a fresh one in a lane).
        """
        if len(links) < 2:
            return True  # no other chat to hand a line to
        for entry in entries:
            if entry.id <= self._seen:
                continue  # a read that ended meanwhile had it (the commit came first)
            if self._reading or not self._primed or self._seen < self._left_to_read:
                break  # a read may be handing over lines before it
            parent = _known_parent(entry)
            if parent is False or entry.id in self._posted_first:
                break
            ahead = Ahead(PendingPost(entry.id), parent)
            self._copies[entry.id] = self._into_lanes(entry, ahead, links, fresh=True)
            self._offered[entry.id] = None
        else:
            return True
        self._left_to_read = max(self._left_to_read, entries[-1].id)
        self._dirty = True
        return False

    async def read(
        self, links: Sequence[Link], *, links_now: Callable[[], Sequence[Link]] | None = None
    ) -> int:
        """Hand every line not handed over yet to the other chats; how many.

        A backlog longer than one read is read on at once, page after page: waiting
        for the next pass (behind the poll and its spacing) would keep the other
        chats' lanes short of lines they could merge now. ``links_now``: the
        channel's links as they are once a page is read (a chat linked during the
        read gets the lines written after its link, as the poll's pages do).
        """
        self._dirty = False
        if len(links) < 2:
            self._offered = LRU(_KEPT)
            return 0  # no other chat to hand a line to
        total = 0
        self._reading = True
        try:
            while True:
                count = await self._read_page(links, links_now)
                total += count
                if count < READ_AT_MOST:
                    return total
        finally:
            self._reading = False

    async def _read_page(
        self, links: Sequence[Link], links_now: Callable[[], Sequence[Link]] | None
    ) -> int:
        # After the first read, the lines posted meanwhile too: the Osoto lane may
        # have posted a line before the feed read it, and the other chats must get
        # it in its place, not later from the poll. The first read (a start) takes
        # what is pending only: what was sent before is the poll's to catch up; the
        # outbox's end is taken before it, so a line written meanwhile is not passed.
        primed = self._primed
        last = 0 if primed else await self._store.last_outbox_id(self._trip_id, self._channel_id)
        entries = await self._store.pending_outbox_after(
            self._trip_id,
            self._channel_id,
            after_id=self._seen,
            limit=READ_AT_MOST,
            include_sent=primed,
        )
        if not primed and len(entries) < READ_AT_MOST:
            self._primed = True
        else:
            last = 0
        if links_now is not None:
            links = links_now()
        for entry in entries:
            if entry.id in self._offered:
                del self._offered[entry.id]
                self._seen = entry.id  # handed over at its write (`offer`)
                continue
            if not primed:
                await self._parent_first(entry, links)
            if entry.id in self._posted_first:
                del self._posted_first[entry.id]
            await self._hand_over(entry, links)
            self._seen = entry.id
        self._seen = max(self._seen, last)
        return len(entries)

    async def _hand_over(self, entry: OutboxEntry, links: Sequence[Link]) -> None:
        """Into the other chats' lanes, its copies followed until its post is known."""
        copies = await self._deliver_line(entry, links)
        post = entry.osoto_message_id if entry.status == "sent" else None
        if post is None or not self._line_of_partial(post, entry.id, copies):
            # On its way, or posted and about to be recorded (`posted` finds these
            # copies), or posted by a process before (the poll catches it up).
            self._copies[entry.id] = copies

    def _line_of_partial(
        self, post: str, entry_id: int, copies: list[asyncio.Future[None]]
    ) -> bool:
        """A line of a post recorded before the feed had it (False: no such post):
        once the feed has them all, the post is followed (`copies_of`)."""
        partial = self._partial.get(post)
        if partial is None:
            return False
        missing, earlier = partial
        missing.discard(entry_id)
        earlier += copies
        if not missing:
            del self._partial[post]
            self._by_post[post] = earlier
        return True

    async def _deliver_line(
        self, entry: OutboxEntry, links: Sequence[Link]
    ) -> list[asyncio.Future[None]]:
        """One line into the lanes of every chat but its own; a future per copy."""
        parent = await resolve_parent(self._store, entry, toward_chats=True)
        return self._into_lanes(entry, Ahead(PendingPost(entry.id), parent), links)

    def _into_lanes(
        self, entry: OutboxEntry, ahead: Ahead, links: Sequence[Link], *, fresh: bool = False
    ) -> list[asyncio.Future[None]]:
        """The line, named by its entry (`Ahead`), into every chat's lane but its own."""
        others = [link for link in links if link.id != entry.link_id]
        return self._lanes.deliver(
            _message_of(entry), others, by_bridge=True, ahead=ahead, fresh=fresh
        )

    async def _parent_first(self, entry: OutboxEntry, links: Sequence[Link]) -> None:
        """After a start: the posted line a pending one answers goes ahead of it.

        The first read takes pending lines only, what was posted before is the
        poll's; but a reply must not reach a chat before the line it answers (it
        would come as a quote, its parent after it). The lanes skip the parent where
        a chat has it already.
        """
        match entry.parent:
            case PendingParent(entry_id):
                parent = await self._store.outbox_entry(entry_id)
            case OsotoParent(message_id):
                # a line of ours posted before (its source chat maps it to the post)
                posted = await self._store.lines_of_post(message_id, merged_only=False)
                parent = posted[-1] if posted else None
            case _:
                return
        if parent is None or parent.status != "sent" or parent.osoto_message_id is None:
            return
        if parent.id in self._parents_handed:
            return  # another reply's parent too: handed over already
        self._parents_handed[parent.id] = None
        await self._hand_over(parent, links)

    async def catch_up(self, post: Message, links: Sequence[Link]) -> list[asyncio.Future[None]]:
        """A post of ours the feed did not follow (`Route.CATCH_UP`), into the lanes.

        The lanes skip it where the map says a chat has it. A merged post (several
        lines, `relay/coalesce.py`) goes line by line, each under its own entry, as the
        feed hands lines over: a chat that got some of them before a restart gets
        the rest, and none twice.
        """
        lines = await self._store.lines_of_post(post.id)
        if not lines:
            return self._lanes.deliver(post, links, by_bridge=True)
        copies: list[asyncio.Future[None]] = []
        for entry in lines:
            copies += await self._deliver_line(entry, links)
        return copies

    def handed_over(self, entry_id: int) -> bool:
        """Whether every other chat has this line (the feed followed it there)."""
        copies = self._copies.get(entry_id)
        if copies is None:
            return False
        return all(copy.done() and not copy.cancelled() for copy in copies)

    def posted(self, entry_ids: Sequence[int], osoto_message_id: str | None) -> None:
        """A post is recorded (as this message, or refused for good): the lines it carries.

        Once the feed has handed every one of them over, their copies are known by
        the post's id: the poll that meets the post waits for them rather than queue
        the lines again (`copies_of`). Until then (the Osoto lane posted a line before
        the feed read it), or for good when the feed missed one (on PostgreSQL a row
        shows at its commit, its id given at its insert: it can show after a later
        line the feed has read past), the poll hands the post over line by line
        (`catch_up`); the copies of the other lines must not stand for it, or the
        missed line would reach no other chat.
        """
        copies: list[asyncio.Future[None]] = []
        missing: set[int] = set()
        for entry_id in entry_ids:
            line_copies = self._copies.pop(entry_id)
            if line_copies is None:
                missing.add(entry_id)
                self._posted_first[entry_id] = None
            else:
                copies += line_copies
        if osoto_message_id is None:
            return
        if missing:
            self._partial[osoto_message_id] = (missing, copies)
        else:
            self._by_post[osoto_message_id] = copies

    def copies_of(self, osoto_message_id: str) -> list[asyncio.Future[None]] | None:
        """The other chats' copies of every line of a post, if the feed follows them all."""
        return self._by_post.get(osoto_message_id)
