"""Long polling that confirms an update only after it was handled.

python-telegram-bot's ``Updater`` confirms a whole batch as soon as it is fetched
(the next ``getUpdates`` carries the new offset) and hands the updates to a queue;
a crash then loses whatever the queue still held. Here each update is handled
before the offset moves past it, so after a crash Telegram sends the unhandled ones
again (and the sink's dedupe drops those that were in fact handled).
"""

from __future__ import annotations

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
        self.polls = 0

    async def run(self) -> None:
        """Poll until cancelled."""
        failures = 0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed
                )
            except InvalidToken:
                raise
            except TelegramError as exc:  # network faults, 5xx, a webhook still set (409)
                failures += 1
                delay = min(_MAX_BACKOFF, 2.0 ** min(failures, 6))
                logger.warning("Telegram getUpdates failed (%s); retrying in %.0fs", exc, delay)
                await self._sleep(delay)
                continue
            except (TypeError, ValueError, KeyError):
                # An update this python-telegram-bot cannot read (Bot API skew): keep
                # the poller alive and loud rather than let the task die silently.
                failures += 1
                delay = min(_MAX_BACKOFF, 2.0 ** min(failures, 6))
                logger.exception("could not read Telegram updates; retrying in %.0fs", delay)
                await self._sleep(delay)
                continue
            failures = 0
            self.polls += 1
            self._confirmed = self._offset
            for update in updates:
                await self._handle(update)
                self._offset = update.update_id + 1

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
