"""A bot-wide bucket paced to this replica's part of the rate (`RateShare`)."""

from __future__ import annotations

from osoto_bridge.util import RateShare, TokenBucket, take_all
from osoto_bridge.util.buckets import HOLD_RECHECK


class Clock:
    """Virtual time that moves only when a pacer sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_a_third_of_30_a_second_lets_10_through_at_once_then_10_a_second() -> None:
    clock = Clock()
    bot = TokenBucket(30.0, 30.0, clock(), RateShare(1 / 3))
    sent = []
    for _ in range(40):
        await take_all([bot], clock=clock, sleep=clock.sleep)
        sent.append(clock.now)
    assert sent[:10] == [0.0] * 10  # the part's burst: a third of 30
    assert abs(sent[-1] - 3.0) < 1e-6  # then 10 a second: 30 more in 3 s


async def test_a_part_of_0_holds_every_send_until_the_part_is_given() -> None:
    clock = Clock()
    share = RateShare(0.0)
    bot = TokenBucket(30.0, 30.0, clock(), share)
    assert bot.wait(clock()) == HOLD_RECHECK  # held: asks again later, never forever

    async def grant_later(seconds: float) -> None:
        clock.now += seconds
        if clock.now >= 3.0:
            share.fraction = 0.5

    await take_all([bot], clock=clock, sleep=grant_later)
    assert clock.now == 3.0  # went out once the part was there, not before


def test_a_smaller_part_takes_away_the_tokens_above_its_burst() -> None:
    share = RateShare(1.0)
    bot = TokenBucket(30.0, 30.0, 0.0, share)
    assert bot.wait(0.0) == 0.0 and bot.tokens == 30.0
    share.fraction = 0.25
    bot.wait(0.0)
    assert bot.tokens == 7.5  # a quarter of the burst: no more at once than the part
