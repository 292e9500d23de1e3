"""Posting pace per channel, on a virtual clock."""

from __future__ import annotations

import asyncio
import itertools

from slack_world import VirtualTime

from osoto_bridge.chat.slack.pacing import ChannelPacer


async def test_posts_into_one_channel_are_a_second_apart() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)
    started: list[float] = []
    for _ in range(3):
        async with pacer.turn("C1"):
            started.append(time.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(started)] == [1.0, 1.0]


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
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)
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
