"""Every chat destination its own lane: ordered, paced by its platform, retried alone.

A `ChatLane` is one linked chat's queue of lines (Osoto messages, and chat lines on
their way to Osoto, named by their outbox entries) with one sender task. The lane hands
the lines at its head to a `LineSender` (the `Deliverer`), which sends the first, or
merges the lines queued behind it into one message (`relay/coalesce.py`), and says
how many it took. A lane that fails (`ChatUnavailable`, a 429 the adapter gave up
on) waits and retries its own head: no other lane notices. Order per chat is the
queue's order.

The lanes hold lines in memory only. What a crash or a stop drops from them is
found again after a restart: a line still in the outbox is read by the ahead feed
(`relay/ahead.py`), a polled Osoto message by the poll, whose stored cursor waits for
the lanes (`relay/poll.py`); the message map makes every send happen once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from osoto_bridge.chat.base import ChatUnavailable
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto.models import Message
from osoto_bridge.relay.coalesce import chat_pressed
from osoto_bridge.store import Link, MessageRef, PendingPost
from osoto_bridge.util import Backoff, Wait

__all__ = ["Ahead", "ChatLane", "ChatLanes", "Line", "LineSender", "Taken", "Wait"]

logger = logging.getLogger(__name__)

TAKE_AT_MOST = 50
"""Lines a lane offers its sender at once (what may merge into one message)."""

HELD = 0.5
"""Seconds a send must take for the lane to count as held by its platform's pace
(Telegram's 20 a minute into a group is one per 3 s, Slack's one a second): then the
lines queued behind it merge (`relay/coalesce.py`)."""

LANE_RETRY_CAP = 300.0
"""Seconds a failing lane waits at most between tries."""

HOLD_AT = 20_000
"""Lines queued in all the lanes together at which a pulled intake waits
(`ChatLanes.room`): a backlog beyond it (a restart after hours down) waits at its
platform (Telegram keeps what was not fetched), not in this process's memory, about
6 KB a queued line. High on purpose: held lower, the lanes merge less of what queues
behind a held send (docs/benchmarks.md, "The bridge's memory": held at 4,000, the
10,000-line bulk crossed at half the rate for 20 MB less)."""


@dataclass(frozen=True, slots=True)
class Ahead:
    """A chat line handed to the other chats before Osoto has it (`relay/ahead.py`).

    Attributes:
        line: what the map knows it by until its post completes (its entry).
        parent: what it answers, however far that has travelled.
    """

    line: PendingPost
    parent: MessageRef | None


@dataclass(eq=False, slots=True)
class Line:
    """One message on its way to one chat.

    Attributes:
        message: the Osoto message (or a chat line's content, when `ahead`).
        by_bridge: the bridge posted it for a chat: its content names its author.
        done: resolved once the chat has it (sent, found delivered, or refused for
            good); cancelled when the lane stops first.
        ahead: a chat line on its way to Osoto: its entry and parent.
        fresh: written by this process and handed over at its write (`AheadFeed.offer`):
            no chat can have it yet, so its sender does not ask the map.
    """

    message: Message
    by_bridge: bool
    done: asyncio.Future[None] = field(repr=False)
    ahead: Ahead | None = None
    fresh: bool = False

    @property
    def ref(self) -> MessageRef:
        """What the map knows the line by: its Osoto id, or its entry on its way."""
        return self.ahead.line if self.ahead is not None else self.message.id

    @property
    def parent(self) -> MessageRef | None:
        """What the line answers, if anything."""
        return self.ahead.parent if self.ahead is not None else self.message.parent_id


@dataclass(frozen=True, slots=True)
class Taken:
    """What a `LineSender` did with the head of a lane.

    Attributes:
        count: lines of the head that are done.
        sent: whether a message went out for them (lines the chat has already are
            skipped without one: that says nothing of the platform's pace).
    """

    count: int
    sent: bool = True


class LineSender(Protocol):
    """Sends the head of a lane: the first line, maybe merged with those behind it."""

    async def send_lines(self, link: Link, lines: Sequence[Line], *, merge: bool = False) -> Taken:
        """Deliver ``lines[0]`` (and maybe more); how many of the head are done.

        ``merge``: the lane is under pressure, the lines behind the first may go
        with it in one message.

        Raises:
            ChatUnavailable: the chat could not take it now (the lane retries).
        """
        ...


class ChatLane:
    """One chat's queue and its sender task (started on demand, gone when empty)."""

    def __init__(
        self,
        link: Link,
        *,
        sender: LineSender,
        wait: Wait,
        clock: Callable[[], float],
        rng: random.Random,
        metrics: RelayMetrics,
        on_empty: Callable[[ChatLane], None],
        on_count: Callable[[int], None],
    ) -> None:
        self.link = link
        self._clock = clock
        # Under pressure: the last send was held by the platform's pace, or failed.
        self._pressed = False
        self._sender = sender
        self._wait = wait
        self._metrics = metrics
        self._on_empty = on_empty
        # The lane's lines count toward the hold (`ChatLanes.room`) while it is not
        # failing (``failures == 0``): one chat that cannot take lines for a while
        # never holds up the intake of every other.
        self._on_count = on_count
        self._queue: deque[Line] = deque()
        self._task: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self._backoff = Backoff(first=1.0, cap=LANE_RETRY_CAP, jitter=0.5, random=rng.random)
        self.failures = 0

    def __len__(self) -> int:
        return len(self._queue)

    def pending(self) -> list[asyncio.Future[None]]:
        """The futures of the lines queued now, the one in flight included."""
        return [line.done for line in self._queue]

    def put(
        self, message: Message, *, by_bridge: bool, ahead: Ahead | None = None, fresh: bool = False
    ) -> asyncio.Future[None]:
        """Queue ``message`` for this chat; the future resolves once it has it."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._stopped.is_set():
            done.cancel()
            return done
        self._queue.append(Line(message, by_bridge, done, ahead, fresh))
        self._count(1)
        if self._task is None:
            self._task = asyncio.create_task(
                self._run(), name=f"relay:lane:{self.link.platform}:{self.link.chat_id}"
            )
        return done

    async def _run(self) -> None:
        try:
            while self._queue and not self._stopped.is_set():
                head = [self._queue[i] for i in range(min(TAKE_AT_MOST, len(self._queue)))]
                started = self._clock()
                try:
                    merge = len(head) > 1 and chat_pressed(len(self._queue), held=self._pressed)
                    taken = await self._sender.send_lines(self.link, head, merge=merge)
                except ChatUnavailable as exc:
                    self._pressed = True
                    await self._back_off(exc)
                    continue
                except Exception:
                    self._pressed = True
                    # Not a platform's answer (a store hiccup, a bug): the line is not
                    # dropped, the lane tries it again after a wait like any failure.
                    logger.exception("chat lane %s/%s failed", self.link.platform, self.link.id)
                    await self._back_off(None)
                    continue
                if self.failures:
                    self._on_count(len(self._queue))  # counted again
                self.failures = 0
                if taken.sent:
                    self._pressed = self._clock() - started >= HELD
                for _ in range(max(1, taken.count)):
                    if not self._queue:
                        break
                    line = self._queue.popleft()
                    self._count(-1)
                    if not line.done.done():
                        line.done.set_result(None)
        finally:
            self._task = None
            if not self._queue:
                self._on_empty(self)

    def _count(self, change: int) -> None:
        if not self.failures:
            self._on_count(change)

    async def _back_off(self, exc: ChatUnavailable | None) -> None:
        if not self.failures:
            self._on_count(-len(self._queue))  # counted no more while it fails
        self.failures += 1
        if exc is not None:
            self._metrics.failed(exc)
        delay = self._backoff.delay(self.failures)
        logger.warning(
            "chat lane %s/%s: %s; %d line(s) wait, retrying in %.1fs",
            self.link.platform,
            self.link.chat_id,
            type(exc).__name__ if exc is not None else "error",
            len(self._queue),
            delay,
        )
        await self._wait(self._stopped, delay)

    def close(self) -> None:
        """Take no new line (`put` cancels its future) and end after the send in flight."""
        self._stopped.set()

    async def stop(self, *, at_once: bool = False) -> None:
        """Finish the send in flight (or cut it, ``at_once``); the queue is left.

        What is left is found again after a restart (see the module).
        """
        self.close()
        task = self._task
        if task is not None:
            if at_once:
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        while self._queue:
            self._queue.popleft().done.cancel()
            self._count(-1)


class ChatLanes:
    """The lanes of every linked chat, one per link, shared by the channel workers."""

    def __init__(
        self,
        sender: LineSender,
        *,
        wait: Wait,
        clock: Callable[[], float],
        rng: random.Random | None = None,
        metrics: RelayMetrics | None = None,
        hold_at: int = HOLD_AT,
    ) -> None:
        self._sender = sender
        self._wait = wait
        self._clock = clock
        self._rng = rng or random.Random()
        self._metrics = metrics if metrics is not None else RelayMetrics()
        self._lanes: dict[int, ChatLane] = {}
        self._stopping = False
        self._hold_at = hold_at
        # Below half of it a waiting intake goes on: pages come in steps, not a line
        # at a time.
        self._resume_at = hold_at // 2
        self._queued = 0
        self._has_room = asyncio.Event()
        self._has_room.set()

    def deliver(
        self,
        message: Message,
        links: Sequence[Link],
        *,
        by_bridge: bool = False,
        ahead: Ahead | None = None,
        fresh: bool = False,
    ) -> list[asyncio.Future[None]]:
        """Queue ``message`` for each enabled chat of ``links``; one future each.

        ``fresh``: no chat can have it yet (`Line.fresh`).
        """
        return [
            self._lane(link).put(message, by_bridge=by_bridge, ahead=ahead, fresh=fresh)
            for link in links
            if link.enabled
        ]

    @property
    def queued(self) -> int:
        """Lines queued in the lanes that are not failing, those in flight included."""
        return self._queued

    async def room(self) -> None:
        """Wait while the lanes hold ``hold_at`` lines or more, until they hold fewer
        than half of it (or stop: a stopped bridge takes nothing more anyway)."""
        await self._has_room.wait()

    def _count(self, change: int) -> None:
        self._queued += change
        if self._queued >= self._hold_at:
            self._has_room.clear()
        elif self._queued < self._resume_at:
            self._has_room.set()

    def backlog(self) -> int:
        """Lines queued in the longest lane."""
        return max((len(lane) for lane in self._lanes.values()), default=0)

    async def drained(self) -> None:
        """Wait until every line queued now is done (sent, found, or cut by a stop)."""
        pending = [done for lane in list(self._lanes.values()) for done in lane.pending()]
        await asyncio.gather(*pending, return_exceptions=True)

    def _lane(self, link: Link) -> ChatLane:
        lane = self._lanes.get(link.id)
        if lane is None:
            lane = ChatLane(
                link,
                sender=self._sender,
                wait=self._wait,
                clock=self._clock,
                rng=self._rng,
                metrics=self._metrics,
                on_empty=self._forget,
                on_count=self._count,
            )
            if self._stopping:
                lane.close()
            else:
                self._lanes[link.id] = lane
        else:
            lane.link = link  # the freshest read of the link (its thread, its state)
        return lane

    def _forget(self, lane: ChatLane) -> None:
        if self._lanes.get(lane.link.id) is lane:
            del self._lanes[lane.link.id]

    async def stop(self, *, at_once: bool = False) -> None:
        """Finish every lane's send in flight (or cut it, ``at_once``: a crash)."""
        self._stopping = True
        lanes = list(self._lanes.values())
        await asyncio.gather(*(lane.stop(at_once=at_once) for lane in lanes))
        self._lanes.clear()
        self._has_room.set()
