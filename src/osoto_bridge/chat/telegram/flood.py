"""Telegram's flood limits: pace every request, and on a 429 wait and try again.

Like python-telegram-bot's ``AIORateLimiter`` (an overall rate for the bot and a rate
per group), plus Telegram's rate per chat (about one message a second, a burst of
three: a group's 20 a minute alone would let 20 go at once), with two differences
the bridge needs: a 429 is
retried for as long as Telegram keeps asking us to wait (a message is never dropped
for flood control, DESIGN invariant 4), and the wait goes through an injected
``sleep`` so tests need no real time. While one request waits out a 429, every
other request waits too, as Telegram's limits are per bot. A message's tokens (its
chat's, its group's, the bot's) are taken at one instant, on an injected clock
(`osoto_bridge.util.take_all`), so what leaves is what the buckets allowed.

PostgreSQL replicas share each chat's buckets too (``shared``, a `SharedChatPace`):
a message into a chat first takes its chat's (and group's) tokens from the shared
record, then this process's own buckets, so a chat's pace holds whichever replica
sends (a command's answer, the chat's lines). The bot-wide token is taken after
the shared ones: a bot paced to its whole part can delay a message past its
chat's token by a bot token's time (a thirtieth of a second), which only spaces
the chat's messages further apart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from osoto_bridge.chat.base import SharedChatPace
from osoto_bridge.util import LRU, SHARED_BURST, UNDER_THE_LIMIT, RateShare, TokenBucket, take_all

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[object]]
_MAX_CHATS = 1024

SENDING = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
    }
)
"""Methods that put a message into a chat: what the per-chat and group limits count."""


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    buckets: list[TokenBucket] = field(default_factory=list)
    rates: list[tuple[float, float]] = field(default_factory=list)  # the buckets', shared


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
        overall_rate: requests per second for the whole bot (Telegram: about 30;
            0: unpaced). The defaults keep a little under Telegram's figures
            (`UNDER_THE_LIMIT`: Telegram counts a message when it arrives).
        group_rate: messages per minute into one group (Telegram: about 20; 0:
            unpaced).
        chat_rate: messages per second into one chat (Telegram: about 1; 0:
            unpaced; default: a little under 1 when groups are paced).
        chat_burst: messages one chat may take at once after a lull.
        sleep: how to wait (pacing and 429s; tests pass a fake).
        clock: monotonic seconds (tests pass a virtual one with ``sleep``).
        max_retries: give up after this many 429s in a row for one request
            (None: never; the request then waits as long as Telegram asks).
        share: this process's part of ``overall_rate`` (PostgreSQL replicas share
            the bot's rate; the whole when None).
        shared: the chats' paces shared by PostgreSQL replicas (None: one process,
            whose own buckets see every message).
    """

    def __init__(
        self,
        *,
        overall_rate: float = 30.0 * UNDER_THE_LIMIT,
        group_rate: float = 20.0 * UNDER_THE_LIMIT,
        chat_rate: float | None = None,
        chat_burst: int = 3,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_retries: int | None = None,
        share: RateShare | None = None,
        shared: SharedChatPace | None = None,
    ) -> None:
        self._shared = shared
        # unpaced groups (tests) leave chats unpaced too unless asked
        self._chat_rate = (
            chat_rate if chat_rate is not None else (UNDER_THE_LIMIT if group_rate > 0 else 0.0)
        )
        self._chat_burst = chat_burst
        self._group_rate = group_rate
        self._clock = clock
        self._overall = (
            TokenBucket(overall_rate, max(1.0, overall_rate * SHARED_BURST), clock(), share)
            if overall_rate > 0
            else None
        )
        self._chats: LRU[int | str, _Chat] = LRU(_MAX_CHATS)
        self._sleep = sleep
        self._max_retries = max_retries
        self._clear = asyncio.Event()
        self._clear.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _chat(self, chat_id: int | str, *, group: bool) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Chat()
            now = self._clock()
            if self._chat_rate > 0:
                chat.rates.append((self._chat_rate, self._chat_burst))
            if group and self._group_rate > 0:
                chat.rates.append((self._group_rate / 60.0, self._group_rate))
            chat.buckets = [TokenBucket(rate, burst, now) for rate, burst in chat.rates]
            self._chats[chat_id] = chat
        return chat

    async def _admit(self, endpoint: str, chat_id: object) -> None:
        if chat_id is None:
            return
        overall = [self._overall] if self._overall is not None else []
        if endpoint not in SENDING:
            await take_all(overall, clock=self._clock, sleep=self._sleep)
            return
        key: int | str
        if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
            key, group = chat_id, True  # a channel's @username
        else:
            key = int(str(chat_id))
            group = key < 0
        chat = self._chat(key, group=group)
        # one request at a time takes a chat's tokens: its messages leave in order
        async with chat.lock:
            if self._shared is not None and chat.rates:
                while (wait := await self._shared.take(f"telegram:{key}", rates=chat.rates)) > 0:
                    await self._sleep(wait)
            await take_all([*chat.buckets, *overall], clock=self._clock, sleep=self._sleep)

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
        max_retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        attempt = 0
        while True:
            await self._clear.wait()
            try:
                await self._admit(endpoint, chat_id)
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
