"""Telegram's flood limits, as the fake enforces them, against the bridge's pacing.

`FloodControl` (the adapter's pacer) under a burst never earns a 429 from the
limits the fake enforces (`fakes.limits.TelegramLimits`), on one virtual clock; and
when the fake does answer 429 (the bridge unpaced), every line still arrives, in
order (DESIGN invariant 4).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from telegram.error import RetryAfter
from telegram_world import FakeSleep, make_world

from fakes.clock import VirtualClock
from fakes.limits import TelegramLimits, retry_after
from fakes.telegram_api import FakeTelegram
from osoto_bridge.chat.telegram import FloodControl
from osoto_bridge.util import UNDER_THE_LIMIT


async def test_flood_control_under_a_burst_gets_no_429_from_telegrams_limits() -> None:
    time = VirtualClock()
    limits = TelegramLimits(time.clock)
    flood = FloodControl(clock=time.clock, sleep=time.sleep)
    sent: dict[int, list[tuple[int, float]]] = defaultdict(list)

    def request(chat: int, n: int) -> object:
        async def call() -> bool:
            wait = limits.check("sendMessage", chat)
            if wait > 0:
                raise RetryAfter(dt.timedelta(seconds=retry_after(wait)))
            sent[chat].append((n, time.now))
            return True

        return flood.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

    one_group = -1_000_000_000_001
    burst = [request(one_group, n) for n in range(30)]
    burst += [request(-1_000_000_000_100 - g, n) for g in range(20) for n in range(4)]
    burst += [request(7000 + p, n) for p in range(40) for n in range(5)]
    started = time.now
    await time.run(*burst)

    assert limits.refused == 0
    assert sum(len(rows) for rows in sent.values()) == 30 + 80 + 200
    for rows in sent.values():  # each chat's messages left in the order they came
        assert [n for n, _ in rows] == sorted(n for n, _ in rows)
    # and no slower than the pacer makes it: the busy group's 30th line goes once
    # the group has earned its 30th token (19 at once, then one per 60/19 s: the
    # pacer keeps 5 % under Telegram's 20 a minute)
    per_minute = 20 * UNDER_THE_LIMIT
    assert sent[one_group][-1][1] - started <= (30 - int(per_minute)) * 60 / per_minute + 0.01


class AdvancingSleep(FakeSleep):
    """Returns at once but moves the fake's clock by the time asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    async def __call__(self, delay: float) -> None:
        self.now += delay
        await super().__call__(delay)


async def test_429s_from_the_limiting_fake_drop_no_line_and_keep_order(tmp_path: Path) -> None:
    sleep = AdvancingSleep()
    limits = TelegramLimits(lambda: sleep.now)
    async with FakeTelegram(limits=limits) as fake:
        world = make_world(tmp_path, fake)
        world.sleep = sleep  # the world's adapter paces nothing: the fake says 429
        await world.open()
        try:
            group = world.group
            assert group is not None
            await world.start()
            await world.link(group)
            for n in range(8):
                world.companion_says(f"line {n}")
            await fake.wait_for(lambda: len(fake.sent(group)) >= 8)
            assert [m["text"] for m in fake.sent(group)] == [f"Ben: line {n}" for n in range(8)]
            assert fake.sent_429 >= 1
            assert fake.sent_429 == limits.refused
            assert sleep.delays.count(1.0) >= fake.sent_429 - 1
        finally:
            await world.close()
            world.sandbox.close()
