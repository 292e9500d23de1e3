"""Telegram's flood limits: pace every request, and on a 429 wait and try again.

Like python-telegram-bot's ``AIORateLimiter`` (the same pacing: an overall rate for
the bot and a rate per group), with two differences the bridge needs: a 429 is
retried for as long as Telegram keeps asking us to wait (a message is never dropped
for flood control, DESIGN invariant 4), and the wait goes through an injected
``sleep`` so tests need no real time. While one request waits out a 429, every
other request waits too, as Telegram's limits are per bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from osoto_bridge.util import LRU

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[object]]
_MAX_GROUP_LIMITERS = 1024


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait.

    The public ``retry_after`` is an int that becomes a timedelta (python-telegram-bot
    22.2+, or now with ``PTB_TIMEDELTA=true``) and warns about that change on every
    access: both types are read here, so the warning tells us nothing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class FloodControl(BaseRateLimiter[int]):
    """Paces Bot API requests and retries them through 429s.

    Args:
        overall_rate: requests per second for the whole bot (Telegram: about 30).
        group_rate: messages per minute into one group (Telegram: about 20).
        sleep: how to wait out a 429 (tests pass a fake).
        max_retries: give up after this many 429s in a row for one request
            (None: never; the request then waits as long as Telegram asks).
    """

    def __init__(
        self,
        *,
        overall_rate: float = 30.0,
        group_rate: float = 20.0,
        sleep: Sleep = asyncio.sleep,
        max_retries: int | None = None,
    ) -> None:
        self._overall = AsyncLimiter(overall_rate, 1.0) if overall_rate > 0 else None
        self._group_rate = group_rate
        self._groups: LRU[int | str, AsyncLimiter] = LRU(_MAX_GROUP_LIMITERS)
        self._sleep = sleep
        self._max_retries = max_retries
        self._clear = asyncio.Event()
        self._clear.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group_limiter(self, chat_id: int | str) -> AsyncLimiter | None:
        if self._group_rate <= 0:
            return None
        limiter = self._groups.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(self._group_rate, 60.0)
            self._groups[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run one Bot API request under the limits, retrying 429s."""
        chat_id = data.get("chat_id")
        group: int | str | None = None
        if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
            group = chat_id  # a channel's @username
        elif chat_id is not None and int(chat_id) < 0:
            group = int(chat_id)
        max_retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        attempt = 0
        while True:
            await self._clear.wait()
            try:
                async with contextlib.AsyncExitStack() as stack:
                    limiter = self._group_limiter(group) if group is not None else None
                    if limiter is not None:
                        await stack.enter_async_context(limiter)
                    if self._overall is not None and chat_id is not None:
                        await stack.enter_async_context(self._overall)
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                attempt += 1
                if max_retries is not None and attempt > max_retries:
                    raise
                delay = retry_after_seconds(exc)
                logger.info("Telegram flood control on %s: waiting %.1fs", endpoint, delay)
                await self._pause(delay)

    async def _pause(self, delay: float) -> None:
        if not self._clear.is_set():
            # another request is already waiting out a 429: wait with it
            await self._clear.wait()
            return
        self._clear.clear()
        try:
            await self._sleep(delay)
        finally:
            self._clear.set()
