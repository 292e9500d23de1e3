"""Posting pace per channel, on a virtual clock."""

from __future__ import annotations

import asyncio
import itertools

from slack_world import VirtualTime

from osoto_bridge.chat.slack.pacing import ChannelPacer


async def test_posts_into_one_channel_are_a_second_apart() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, burst=1, clock=time.clock, sleep=time.sleep)
    started: list[float] = []
    for _ in range(3):
        async with pacer.turn("C1"):
            started.append(time.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(started)] == [1.0, 1.0]


async def test_a_burst_goes_at_once_then_the_pace_is_one_a_second() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, burst=3, clock=time.clock, sleep=time.sleep)
    start, started = time.now, list[float]()
    for _ in range(6):
        async with pacer.turn("C1"):
            started.append(round(time.now - start, 6))
    assert started == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]


async def test_a_quiet_spell_earns_the_burst_back() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, burst=2, clock=time.clock, sleep=time.sleep)
    start = time.now
    for _ in range(3):
        async with pacer.turn("C1"):
            pass
    assert time.sleeps == [1.0]
    await time.sleep(5.0)  # five posts earned, kept up to the burst of two
    started: list[float] = []
    for _ in range(3):
        async with pacer.turn("C1"):
            started.append(round(time.now - start, 6))
    assert started == [6.0, 6.0, 7.0]


async def test_channels_do_not_wait_for_each_other() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)
    async with pacer.turn("C1"):
        pass
    async with pacer.turn("C2"):
        pass
    assert time.sleeps == []


async def test_concurrent_senders_keep_their_order_in_a_channel() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, burst=1, clock=time.clock, sleep=time.sleep)
    order: list[int] = []

    async def post(n: int) -> None:
        async with pacer.turn("C1"):
            order.append(n)
            await asyncio.sleep(0)

    async with asyncio.TaskGroup() as group:
        for n in range(5):
            group.create_task(post(n))
    assert order == [0, 1, 2, 3, 4]
    assert len(time.sleeps) == 4
