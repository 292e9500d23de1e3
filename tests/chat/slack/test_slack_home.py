"""The app's Home tab and direct messages, as a Slack user meets them."""

from __future__ import annotations

import json

from slack_world import BOB, CHANNEL, SlackWorld


def _home_text(view: dict[str, object]) -> str:
    return json.dumps(view, ensure_ascii=False)


async def test_the_home_tab_lists_the_linked_channels_their_trips_and_the_commands(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start()
    event = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"}
    assert (await world.deliver(world.fake.event_callback(event))).status_code == 200
    await world.fake.wait_for(lambda: BOB in world.fake.home)
    await world.settle()
    home = _home_text(world.fake.home[BOB])
    assert f"<#{CHANNEL}>" in home and "Lisbon" in home and "relaying" in home
    assert "/osoto where" in home and "/osoto todo" in home and "/osoto link" in home


async def test_the_home_tab_says_how_to_link_when_nothing_is_linked(world: SlackWorld) -> None:
    await world.start()
    event = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"}
    await world.deliver(world.fake.event_callback(event))
    await world.fake.wait_for(lambda: BOB in world.fake.home)
    assert "No channel is linked yet" in _home_text(world.fake.home[BOB])


async def test_a_direct_message_is_answered_with_what_the_app_does_and_where(
    world: SlackWorld,
) -> None:
    await world.link()
    world.fake.add_channel("D0BOB", "bob")
    await world.start()
    event = world.fake.message_event("D0BOB", BOB, "where tuesday", channel_type="im")
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (answer,) = world.fake.posted_in("D0BOB")
    assert "/osoto where tuesday" in answer.text and "Lisbon (#general)" in answer.text
    assert await world.osoto_messages() == []  # a DM is never relayed to the trip
