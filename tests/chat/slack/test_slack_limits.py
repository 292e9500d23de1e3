"""Slack's posting limits, as the fake enforces them, against the bridge's pacing.

`ChannelPacer` under a burst never earns a 429 from the limits the fake enforces
(`fakes.limits.SlackLimits`: a channel's 1/s with a burst of four, the workspace's
50/s), on one virtual clock; the real adapter against the limiting fake posts a
burst with no 429; and when the fake does answer 429 (the bridge unpaced), every
line still arrives, in order (DESIGN invariant 4).
"""

from __future__ import annotations

from collections import defaultdict

from slack_world import CHANNEL, SlackWorld

from fakes.clock import VirtualClock
from fakes.limits import SlackLimits
from osoto_bridge.chat.slack.pacing import ChannelPacer


async def test_the_channel_pacer_under_a_burst_gets_no_429_from_slacks_limits() -> None:
    time = VirtualClock()
    limits = SlackLimits(time.clock)
    pacer = ChannelPacer(clock=time.clock, sleep=time.sleep)
    posted: dict[str, list[tuple[int, float]]] = defaultdict(list)

    async def post(channel: str, n: int) -> None:
        async with pacer.turn(channel):
            assert limits.check("chat.postMessage", channel) == 0.0
            posted[channel].append((n, time.now))

    burst = [post("CBUSY", n) for n in range(12)]
    burst += [post(f"C{c:03d}", n) for c in range(80) for n in range(3)]
    started = time.now
    await time.run(*burst)

    assert limits.refused == 0
    assert sum(len(rows) for rows in posted.values()) == 12 + 240
    for rows in posted.values():
        assert [n for n, _ in rows] == sorted(n for n, _ in rows)
    # four at once, then one a second: the busy channel's 12th at 8 s (a little
    # more when the workspace's 50/s holds it back)
    assert 8.0 <= posted["CBUSY"][-1][1] - started <= 9.0


async def test_the_adapter_posts_a_burst_under_the_fakes_limits_with_no_429(
    world: SlackWorld,
) -> None:
    world.fake.limits = SlackLimits(world.time.clock)
    await world.link()
    await world.start()
    for n in range(10):
        world.companion_says(f"line {n}")
    await world.fake.wait_for(lambda: len(world.fake.posted_in(CHANNEL)) >= 10)
    assert [p.text for p in world.fake.posted_in(CHANNEL)] == [f"line {n}" for n in range(10)]
    assert world.fake.sent_429 == 0


async def test_429s_from_the_limiting_fake_drop_no_line_and_keep_order(world: SlackWorld) -> None:
    limits = world.fake.limits = SlackLimits(world.time.clock)
    await world.link()
    await world.start(world.new_chat(pace_interval=0))  # unpaced: the fake says 429
    for n in range(10):
        world.companion_says(f"line {n}")
    await world.fake.wait_for(lambda: len(world.fake.posted_in(CHANNEL)) >= 10)
    assert [p.text for p in world.fake.posted_in(CHANNEL)] == [f"line {n}" for n in range(10)]
    assert world.fake.sent_429 >= 1
    assert world.fake.sent_429 == limits.refused
