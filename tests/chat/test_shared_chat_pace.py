"""Each chat's pace across PostgreSQL replicas (issue 17): two processes' pacers
sending into one chat (a command's answers from one, the chat's lines from its
channel's holder) keep to the chat's limits together when they share its record.

The record here is the store's step in memory (`util.take_from_record` under a
lock, as `store/_chat_paces.py` runs it under the row's lock); the store's own row
is tested in tests/store/test_store_chat_paces.py. One virtual clock; the fakes'
limits (`fakes.limits`) judge: a request they would refuse exceeded the platform's
limit in some window.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import pytest
from telegram.error import RetryAfter

from fakes.clock import VirtualClock
from fakes.limits import SlackLimits, TelegramLimits, retry_after
from osoto_bridge.chat.base import SharedChatPace
from osoto_bridge.chat.slack.pacing import ChannelPacer
from osoto_bridge.chat.telegram import FloodControl
from osoto_bridge.util import UNDER_THE_LIMIT, take_from_record


class MemoryChatPace:
    """The shared record in one process: the store's step, under a lock."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._rows: dict[str, tuple[list[float], float]] = {}
        self._lock = asyncio.Lock()
        self.calls = 0

    async def take(self, chat: str, *, rates: Sequence[tuple[float, float]]) -> float:
        self.calls += 1
        async with self._lock:
            tokens, at = self._rows.get(chat, (None, None))
            tokens, at, wait = take_from_record(tokens, at, rates, self._clock.now)
            self._rows[chat] = (tokens, at)
            return wait


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # As tests/chat/telegram does: `RetryAfter` takes a timedelta without a warning.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


GROUP = -1_000_000_000_001
PERSON = 4242


async def _telegram_refusals(shared: bool) -> tuple[int, int]:
    """Two replicas' flood controls, 25 messages each into one group and one
    private chat; returns (refused by Telegram's limits, sent)."""
    time = VirtualClock()
    limits = TelegramLimits(time.clock)
    record: SharedChatPace | None = MemoryChatPace(time) if shared else None
    replicas = [FloodControl(clock=time.clock, sleep=time.sleep, shared=record) for _ in "ab"]
    sent = 0

    def request(flood: FloodControl, chat: int) -> object:
        async def call() -> bool:
            nonlocal sent
            wait = limits.check("sendMessage", chat)
            if wait > 0:
                raise RetryAfter(dt.timedelta(seconds=retry_after(wait)))
            sent += 1
            return True

        return flood.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

    await time.run(
        *(request(flood, chat) for flood in replicas for chat in (GROUP, PERSON) for _ in range(25))
    )
    return limits.refused, sent


async def test_two_replicas_sharing_a_chats_record_keep_to_telegrams_chat_limits() -> None:
    refused, sent = await _telegram_refusals(shared=True)
    assert sent == 100
    assert refused == 0


async def test_without_the_record_two_replicas_exceed_a_chats_limits() -> None:
    """What the record prevents: each replica alone keeps to the limits, together
    they send into the chat at twice its pace and Telegram answers 429."""
    refused, sent = await _telegram_refusals(shared=False)
    assert sent == 100
    assert refused > 0


async def _slack_refusals(shared: bool) -> tuple[int, list[float]]:
    time = VirtualClock()
    limits = SlackLimits(time.clock)
    record: SharedChatPace | None = MemoryChatPace(time) if shared else None
    replicas = [ChannelPacer(clock=time.clock, sleep=time.sleep, shared=record) for _ in "ab"]
    posted: list[float] = []

    async def post(pacer: ChannelPacer) -> None:
        while True:
            async with pacer.turn("C1"):
                wait = limits.check("chat.postMessage", "C1")
                if wait <= 0:
                    posted.append(time.now)
                    return
            await time.sleep(wait)

    await time.run(*(post(pacer) for pacer in replicas for _ in range(20)))
    return limits.refused, posted


async def test_two_replicas_sharing_a_channels_record_keep_to_slacks_channel_pace() -> None:
    refused, posted = await _slack_refusals(shared=True)
    assert len(posted) == 40
    assert refused == 0
    # In any 10 s window: the burst and one a second (a little under), not twice that.
    for start in posted:
        in_window = sum(1 for at in posted if start <= at < start + 10)
        assert in_window <= 4 + 10


async def test_without_the_record_two_replicas_exceed_a_channels_pace() -> None:
    refused, _ = await _slack_refusals(shared=False)
    assert refused > 0


async def test_one_process_paces_from_its_own_buckets_as_before() -> None:
    """Without a record (SQLite, one process: `run` passes None, and the pacers then
    make no call at all) a chat's burst goes at once and the rest at its pace."""
    time = VirtualClock()
    flood = FloodControl(clock=time.clock, sleep=time.sleep)
    pacer = ChannelPacer(clock=time.clock, sleep=time.sleep)
    sent: list[tuple[str, float]] = []

    async def call() -> bool:
        sent.append(("telegram", time.now))
        return True

    async def post() -> None:
        async with pacer.turn("C1"):
            sent.append(("slack", time.now))

    start = time.now
    await time.run(
        *(
            flood.process_request(call, (), {}, "sendMessage", {"chat_id": PERSON}, None)
            for _ in range(5)
        ),
        *(post() for _ in range(6)),
    )
    telegram = [at - start for platform, at in sent if platform == "telegram"]
    slack = [at - start for platform, at in sent if platform == "slack"]
    # Telegram: three at once, then 0.95 a second; Slack: four at once, then 0.95.
    assert telegram[:3] == [0.0, 0.0, 0.0]
    assert telegram[-1] == pytest.approx(2 / UNDER_THE_LIMIT)
    assert slack[:4] == [0.0] * 4
    assert slack[-1] == pytest.approx(2 / UNDER_THE_LIMIT)
