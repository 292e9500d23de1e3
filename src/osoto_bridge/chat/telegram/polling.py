"""Long polling that confirms an update only after it was handled.

python-telegram-bot's ``Updater`` confirms a whole batch as soon as it is fetched
(the next ``getUpdates`` carries the new offset) and hands the updates to a queue;
a crash then loses whatever the queue still held. Here each update is handled
before the offset moves past it, so after a crash Telegram sends the unhandled ones
again (and the sink's dedupe drops those that were in fact handled).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from osoto_bridge.chat.telegram.flood import Sleep

logger = logging.getLogger(__name__)

ALLOWED_UPDATES: tuple[str, ...] = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
)
"""The update kinds the adapter handles (Telegram sends nothing else)."""

_MAX_BACKOFF = 60.0


class Poller:
    """Fetches updates with ``getUpdates`` and hands each to ``handle`` in order.

    Args:
        bot: the bot.
        handle: processes one update; the poller moves past it once this returns.
        timeout: seconds one ``getUpdates`` long-poll may wait for updates.
        sleep: how to wait after a failed poll (tests pass a fake).
        allowed_updates: the update kinds to ask for.
    """

    def __init__(
        self,
        bot: Bot,
        handle: Callable[[Update], Awaitable[None]],
        *,
        timeout: int,
        sleep: Sleep,
        allowed_updates: Sequence[str] = ALLOWED_UPDATES,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self._sleep = sleep
        self._allowed = list(allowed_updates)
        self._offset: int | None = None
        self._confirmed: int | None = None
        self._stopping = asyncio.Event()
        self.polls = 0

    def stop(self) -> None:
        """Ask `run` to return: at once while waiting for updates, else after the
        update being handled (the rest of its batch stays unconfirmed and comes again)."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until `stop` (or cancellation)."""
        failures = 0
        while not self._stopping.is_set():
            try:
                updates = await self._fetch()
            except InvalidToken:
                raise
            except TelegramError as exc:  # network faults, 5xx, a webhook still set (409)
                failures += 1
                await self._back_off(failures, f"Telegram getUpdates failed ({exc})")
                continue
            except (TypeError, ValueError, KeyError):
                # An update this python-telegram-bot cannot read (Bot API skew): keep
                # the poller alive and loud rather than let the task die silently.
                failures += 1
                logger.exception("could not read Telegram updates")
                await self._back_off(failures, "unreadable updates")
                continue
            if updates is None:
                return
            failures = 0
            self.polls += 1
            self._confirmed = self._offset
            for update in updates:
                await self._handle(update)
                self._offset = update.update_id + 1
                if self._stopping.is_set():
                    return

    async def _fetch(self) -> tuple[Update, ...] | None:
        """One long poll, or None when `stop` came first."""
        fetch = asyncio.ensure_future(
            self._bot.get_updates(
                offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (fetch, stopping):
                if not task.done():
                    task.cancel()
            await asyncio.gather(fetch, stopping, return_exceptions=True)
        if not fetch.cancelled() and fetch.exception() is None:
            return fetch.result()
        if self._stopping.is_set():
            return None
        return fetch.result()  # raises the poll's error

    async def _back_off(self, failures: int, why: str) -> None:
        delay = min(_MAX_BACKOFF, 2.0 ** min(failures, 6))
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
