"""The relay with Slack, told as the group's story: a trip channel and a Slack channel.

The real bridge, sandbox and store run with the real Slack adapter against the fake
Slack; Slack's side of each story is a signed request through the events route.
"""

from __future__ import annotations

from slack_world import BOB, CHANNEL, SlackWorld


async def test_a_slack_message_reaches_osoto_once(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    await world.say(BOB, "I'll bring the *maps*")
    await world.settle()
    (message,) = await world.osoto_messages()
    assert message.content == "**Bob** (Slack): I'll bring the **maps**"
    assert world.fake.posted == []  # never echoed back into Slack


async def test_an_osoto_message_reaches_slack_under_its_authors_name(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    world.companion_says("Dinner at 7?")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    (posted,) = world.fake.posted
    assert posted.channel == CHANNEL
    assert posted.username == "Ben"
    assert posted.text == "Dinner at 7?"
    assert posted.thread_ts is None
