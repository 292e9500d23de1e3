"""Osoto → chats: one channel's poll, page by page, through the echo guard, into the lanes.

Each message the guard lets through is put into the lanes of the channel's chats
(`relay/lanes.py`); the poll does not wait for them, so a slow chat holds neither
the other chats nor the next page. The cursor is stored only once every message of
a page (and of every page before it) reached every chat: a restart re-reads what a
lane had not delivered, and the message map skips what was.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import OsotoClient, Priority
from osoto_bridge.osoto.errors import OsotoError
from osoto_bridge.osoto.models import Message
from osoto_bridge.osoto.scopes import MESSAGES_READ
from osoto_bridge.relay.ahead import AheadFeed
from osoto_bridge.relay.deliver import Deliverer
from osoto_bridge.relay.echo import EchoGuard, Verdict
from osoto_bridge.relay.lanes import ChatLanes
from osoto_bridge.relay.schedule import ActivePollBudget, PollSchedule
from osoto_bridge.store import Link, Store

PAGE_SIZE = 100
CURSOR_SAVE_EVERY = 30.0
"""Seconds the stored cursor may lag behind pages holding only the worker's own posts."""

PAGES_AHEAD = 10
"""Pages a poll may read past the stored cursor while lanes deliver the earlier ones;
beyond them it waits (a chat down for long in a lively channel)."""

ClientFor = Callable[[Link], Awaitable[OsotoClient]]


def reader_of(links: Sequence[Link]) -> Link | None:
    """The link whose key reads the channel (the first that may), or None."""
    readable = [link for link in links if _can_read_messages(link)]
    return readable[0] if readable else None


class ChannelPoll:
    """Fetches one channel's new messages and delivers what the echo guard lets through."""

    def __init__(
        self,
        trip_id: str,
        channel_id: str,
        *,
        store: Store,
        deliverer: Deliverer,
        lanes: ChatLanes,
        feed: AheadFeed,
        client_for: ClientFor,
        echo: EchoGuard,
        schedule: PollSchedule,
        active_polls: ActivePollBudget,
        metrics: RelayMetrics,
        clock: Callable[[], float],
    ) -> None:
        self._trip_id = trip_id
        self._channel_id = channel_id
        self._store = store
        self._deliverer = deliverer
        self._lanes = lanes
        self._feed = feed
        self._client_for = client_for
        self._echo = echo
        self._schedule = schedule
        self._active_polls = active_polls
        self._metrics = metrics
        self._clock = clock
        self._cursor: str | None = None
        self._cursor_saved_at = -math.inf
        # Pages read but not yet delivered everywhere: (cursor after it, its
        # deliveries, whether it held only own posts), oldest first. A list: at most
        # `PAGES_AHEAD` of them, and an empty deque costs 13 times an empty list (at
        # 5,000 channels, 3.5 MB).
        self._unsaved: list[tuple[str, list[asyncio.Future[None]], bool]] = []
        self.requests = 0
        self._stopping = False

    def stop(self) -> None:
        """Deliver no further message after the one in flight (the page is read again)."""
        self._stopping = True

    async def poll(
        self,
        links: Sequence[Link],
        *,
        outbox_clear: Callable[[], bool],
        links_now: Callable[[], Sequence[Link]] | None = None,
    ) -> int | None:
        """Fetch new messages into the lanes; how many were new (None: not polled now).

        Args:
            links: the channel's links.
            outbox_clear: asked for each message met: whether the Osoto lane has
                every post recorded (else the owners' messages are held back).
            links_now: the channel's links as they are now, asked once a page has
                come back: a chat linked while the page was on its way gets what
                it brought (written after the link, or the cursor would pass it by).
        """
        reader = reader_of(links)
        if reader is None:
            return 0
        await self._save_delivered()
        if len(self._unsaved) >= PAGES_AHEAD:
            return None  # the lanes are behind: read on once they catch up
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
        cursor = self._cursor or await self._store.get_cursor(self._trip_id, self._channel_id)
        if cursor is None:
            await self._start_at_end(client)
            return 0
        self._cursor = cursor
        owners = {link.owner_user_id for link in links}
        new = 0
        while True:
            self.requests += 1
            page = await client.list_messages(
                self._trip_id,
                self._channel_id,
                cursor=cursor,
                limit=PAGE_SIZE,
                priority=Priority.BACKGROUND,
            )
            self._metrics.polled(self._trip_id, self._channel_id)
            if links_now is not None:
                links = links_now()
                owners = {link.owner_user_id for link in links}
            held = False
            only_own = True
            deliveries: list[asyncio.Future[None]] = []
            for message in page.data:
                if self._stopping:
                    held = True  # the cursor stays: a restart reads the page again
                    break
                verdict = await self._echo.judge(
                    message, owners=owners, outbox_clear=outbox_clear()
                )
                if verdict is Verdict.HANDED_OVER:
                    continue
                only_own = False
                if verdict is Verdict.HOLD:
                    held = True
                    break
                self._deliverer.remember(message)
                if verdict is Verdict.OWN:
                    copies = self._feed.copies_of(message.id)
                    if copies is not None:
                        deliveries += copies  # on their way (Route.AHEAD): wait for them
                    else:  # Route.CATCH_UP
                        deliveries += await self._feed.catch_up(message, links)
                else:
                    deliveries += self._lanes.deliver(message, links)
                    new += 1
            if held:
                # What this page put into the lanes goes on; the cursor stays before
                # the page, so the poll reads it again (the map skips the delivered).
                break
            if page.next_cursor is not None and page.next_cursor != cursor:
                cursor = page.next_cursor
                self._cursor = cursor
                self._unsaved.append((cursor, deliveries, only_own))
            if not page.has_more or not page.data or len(self._unsaved) >= PAGES_AHEAD:
                break
        await self._save_delivered()
        return new

    async def _save_delivered(self) -> None:
        """Store the cursor past the pages every chat has (in page order)."""
        cursor: str | None = None
        only_own = True
        while self._unsaved and all(done.done() for done in self._unsaved[0][1]):
            page_cursor, deliveries, page_only_own = self._unsaved.pop(0)
            if any(done.cancelled() for done in deliveries):
                # A lane stopped before delivering: the page is read again later.
                self._unsaved.clear()
                self._cursor = None
                break
            cursor = page_cursor
            only_own = only_own and page_only_own
        if cursor is None:
            return
        now = self._clock()
        if not only_own or now - self._cursor_saved_at >= CURSOR_SAVE_EVERY:
            # A page of nothing but our own, already handed-over posts need not
            # move the stored cursor each time: after a restart, reading it again
            # costs map look-ups that find them delivered.
            await self._store.set_cursor(self._trip_id, self._channel_id, cursor)
            self._cursor_saved_at = now

    async def _start_at_end(self, client: OsotoClient) -> None:
        """A newly linked channel starts at its present end: history is not replayed."""
        cursor = await seek_end(
            client, self._trip_id, self._channel_id, on_message=self._deliverer.remember
        )
        await self._store.set_cursor(self._trip_id, self._channel_id, cursor)
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


def _can_read_messages(link: Link) -> bool:
    return link.access.allows(MESSAGES_READ)
