"""Long polling that confirms an update only after it was handled, chats side by side.

python-telegram-bot's ``Updater`` confirms a whole batch as soon as it is fetched
(the next ``getUpdates`` carries the new offset) and hands the updates to a queue;
a crash then loses whatever the queue still held. Here each update is handled
before the offset moves past it, so after a crash Telegram sends the unhandled ones
again (and the sink's dedupe drops those that were in fact handled).

Lanes: a fetched batch is split by chat. Each lane handles its chat's updates one
after another in ``update_id`` order (a chat's lines reach Osoto in the order they
were written; a group's upgrade to a supergroup keeps both chat ids in one lane, so
the new chat's messages wait until its links have moved). Lanes run concurrently, at
most ``max_concurrency`` at a time, so one slow chat no longer holds up the others.

Each batch is one write (`batch`, the sink's `InboundSink.batch`): the lines and
dedupe marks its updates hand in are committed together when it ends, and only then
does the offset move past it.

Which updates may have been handled before (and so need the dedupe read): on the
first page, after a failed poll (a 409 is another poller) and after a batch that
was not handled whole, all of them; a page fetched from an offset this poller moved
past a batch it handled whole holds only updates no one has handled (a page is at
most ``limit`` updates from the offset asked, and whatever a crashed poller handled
but had not confirmed lies within the first such page), so none (but any below
that offset, which Telegram never sends).

The offset: Telegram knows only "everything below ``offset`` is done", while lanes
finish out of order. So the offset moves once per batch, to the smallest
``update_id`` not handled (the last one + 1 when all were). A stop or a failure
mid-batch lets each lane finish the update in hand and start no other; what was left
comes again from that smallest id, including updates of faster lanes that were
handled already, which the dedupe skips.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import TypeVar

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from osoto_bridge.chat.telegram.flood import Sleep
from osoto_bridge.util import Backoff

logger = logging.getLogger(__name__)

ALLOWED_UPDATES: tuple[str, ...] = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
)
"""The update kinds the adapter handles (Telegram sends nothing else)."""

_MAX_BACKOFF = 60.0
_BACKOFF = Backoff(first=2.0, cap=_MAX_BACKOFF)  # 2, 4, … 32, 60 s


Batch = Callable[[Sequence[Update], Sequence[Update]], AbstractAsyncContextManager[object]]
"""Entered around a batch: its updates, and those of them maybe handled before."""


_T = TypeVar("_T")


class _NotWritten(Exception):
    """A batch's writes failed (the sink's `batch` raised at its end)."""


class Poller:
    """Fetches updates with ``getUpdates`` and hands each to ``handle``, chat by chat.

    Args:
        bot: the bot.
        handle: processes one update; the poller moves past it once this returns.
            Called concurrently for different chats, never for two updates of one chat.
        timeout: seconds one ``getUpdates`` long-poll may wait for updates.
        sleep: how to wait after a failed poll (tests pass a fake).
        allowed_updates: the update kinds to ask for.
        max_concurrency: how many chats' updates are handled at the same time.
        batch: entered around each batch's handling (the sink's `InboundSink.batch`:
            what the updates hand in is written when it ends), with the updates of
            it that may have been handled before (see the module); the offset moves
            past the batch only once it ended without error.
        room: awaited before each ``getUpdates`` (the sink's `InboundSink.room`): while
            the bridge holds as many lines as it may, the updates wait at Telegram.
    """

    def __init__(
        self,
        bot: Bot,
        handle: Callable[[Update], Awaitable[None]],
        *,
        timeout: int,
        sleep: Sleep,
        allowed_updates: Sequence[str] = ALLOWED_UPDATES,
        max_concurrency: int = 64,
        batch: Batch | None = None,
        room: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self._sleep = sleep
        self._allowed = list(allowed_updates)
        self._max_concurrency = max_concurrency
        self._batch = batch if batch is not None else _no_batch
        self._room = room
        self._offset: int | None = None
        self._confirmed: int | None = None
        # The offset is one this poller moved past a batch it handled whole: the next
        # page holds no update anyone handled (see the module).
        self._own_offset = False
        self._stopping = asyncio.Event()
        self.polls = 0

    def stop(self) -> None:
        """Ask `run` to return: at once while waiting for updates, else once each chat's
        update in hand is handled (the rest of the batch stays unconfirmed and comes again)."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until `stop` (or cancellation); a failing ``handle`` ends it, raising."""
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await self._fetch()
            except InvalidToken:
                raise
            except TelegramError as exc:  # network faults, 5xx, a webhook still set (409)
                self._own_offset = False
                failures += 1
                await self._back_off(failures, f"Telegram getUpdates failed ({exc})")
                continue
            except (TypeError, ValueError, KeyError):
                # An update this python-telegram-bot cannot read (Bot API skew): keep
                # the poller alive and loud rather than let the task die silently.
                self._own_offset = False
                failures += 1
                logger.exception("could not read Telegram updates")
                await self._back_off(failures, "unreadable updates")
                continue
            if updates is None:
                return
            failures = 0
            self.polls += 1
            self._confirmed = self._offset
            if updates:
                try:
                    await self._handle_batch(updates)
                except _NotWritten as exc:
                    # The store is down: nothing of the batch was confirmed, so the
                    # same updates come again once it is back.
                    failures += 1
                    await self._back_off(failures, f"could not write Telegram updates ({exc})")

    async def _handle_batch(self, updates: Sequence[Update]) -> None:
        """Handle a batch in lanes, then move the offset past what was handled."""
        handled: set[int] = set()
        errors: list[BaseException] = []
        slots = asyncio.Semaphore(self._max_concurrency)

        async def lane(queue: list[Update]) -> None:
            async with slots:
                for update in queue:
                    if self._stopping.is_set() or errors:
                        return
                    try:
                        await self._handle(update)
                    except BaseException as exc:
                        # Kept, not raised: raising would cancel the other lanes in the
                        # middle of their updates. The batch halts as on `stop`, then
                        # `run` raises it, as it did when updates were handled in turn.
                        errors.append(exc)
                        return
                    handled.add(update.update_id)

        # The adapter's ``handle`` is python-telegram-bot's ``Application.process_update``,
        # which supports concurrent calls: its own update fetcher runs one task per update
        # with ``concurrent_updates``, and each call copies the handler lists it walks.
        # The offset moves only once the batch's writes are committed (the `batch`
        # block ended): before that, a crash must bring every update of it again.
        maybe_handled: Sequence[Update] = updates
        if self._own_offset and self._offset is not None:
            # Below the offset asked only a server unlike Telegram would answer
            # (updates confirmed are gone): those are checked all the same.
            maybe_handled = [u for u in updates if u.update_id < self._offset]
        self._own_offset = False
        try:
            async with self._batch(updates, maybe_handled), asyncio.TaskGroup() as group:
                for queue in _lanes(updates):
                    group.create_task(lane(queue))
        except Exception as exc:
            raise _NotWritten(str(exc) or type(exc).__name__) from exc
        waiting = [u.update_id for u in updates if u.update_id not in handled]
        self._offset = min(waiting) if waiting else max(u.update_id for u in updates) + 1
        self._own_offset = not waiting and not errors
        for extra in errors[1:]:
            logger.error("handling a Telegram update failed", exc_info=extra)
        if errors:
            raise errors[0]

    async def _fetch(self) -> tuple[Update, ...] | None:
        """One long poll (once the sink has room), or None when `stop` came first."""
        if self._room is not None:
            room = await self._or_stop(self._room())
            if room is None:
                return None
            room.result()
        fetch = await self._or_stop(
            self._bot.get_updates(
                offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed
            )
        )
        return None if fetch is None else fetch.result()  # raises the poll's error

    async def _or_stop(self, wait: Awaitable[_T]) -> asyncio.Future[_T] | None:
        """Wait for ``wait`` or `stop`: its future once done (its result or error
        within), or None when `stop` came first (``wait`` then cancelled). One that
        succeeded just as `stop` came is kept: a fetched page is handled."""
        waiting = asyncio.ensure_future(wait)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiting, stopping):
                if not task.done():
                    task.cancel()
            await asyncio.gather(waiting, stopping, return_exceptions=True)
        if not waiting.cancelled() and waiting.exception() is None:
            return waiting
        return None if self._stopping.is_set() else waiting

    async def _back_off(self, failures: int, why: str) -> None:
        delay = _BACKOFF.ceiling(failures)
        logger.warning("%s; retrying in %.0fs", why, delay)
        await self._sleep(delay)

    async def confirm(self) -> None:
        """Tell Telegram that every handled update is done (on a clean stop)."""
        if self._offset is None or self._offset == self._confirmed:
            return
        try:
            await self._bot.get_updates(offset=self._offset, timeout=0, limit=1)
            self._confirmed = self._offset
        except TelegramError as exc:
            # Not fatal: the next start fetches them again and the dedupe skips them.
            logger.warning("could not confirm handled Telegram updates: %s", exc)


def _no_batch(
    updates: Sequence[Update], maybe_handled: Sequence[Update]
) -> AbstractAsyncContextManager[object]:
    return nullcontext()


def _lanes(updates: Sequence[Update]) -> list[list[Update]]:
    """The batch split by chat, each lane in ``update_id`` order.

    Updates without a chat (an inline message's button) share one lane. A group's
    upgrade names the old and the new chat; both map to one lane.
    """
    same_as: dict[int, int] = {}
    for update in updates:
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id is not None:
            same_as[message.migrate_to_chat_id] = message.chat.id
        if message is not None and message.migrate_from_chat_id is not None:
            same_as[message.chat.id] = message.migrate_from_chat_id
    lanes: dict[int | None, list[Update]] = {}
    for update in sorted(updates, key=lambda u: u.update_id):
        chat = update.effective_chat
        key = None if chat is None else same_as.get(chat.id, chat.id)
        lanes.setdefault(key, []).append(update)
    return list(lanes.values())
