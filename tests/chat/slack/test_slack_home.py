"""The app's Home tab and direct messages, as a Slack user meets them."""

from __future__ import annotations

import json

from slack_world import ALICE, BOB, CHANNEL, SlackWorld

from osoto_bridge.osoto.key_inspection import inspect_key
from osoto_bridge.relay import seek_end


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
    assert "last from Osoto never, to Osoto never" in home


async def test_the_home_tab_shows_when_each_link_last_carried_a_message(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start()
    await world.say(BOB, "hello from Slack")
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == ["Bob (Slack): hello from Slack"]
    event = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"}
    await world.deliver(world.fake.event_callback(event))
    await world.fake.wait_for(lambda: BOB in world.fake.home)
    home = _home_text(world.fake.home[BOB])
    assert "to Osoto just now" in home and "last from Osoto never" in home
    assert "waiting to reach Osoto" not in home


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
    event = world.fake.message_event("D0BOB", BOB, "hello there", channel_type="im")
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (answer,) = world.fake.posted_in("D0BOB")
    assert "/osoto where tuesday" in answer.text and "Lisbon (#general)" in answer.text
    assert await world.osoto_messages() == []  # a DM is never relayed to the trip


async def test_a_trip_command_in_a_dm_answers_for_the_linked_channel_its_author_is_in(
    world: SlackWorld,
) -> None:
    await world.link()
    world.fake.channels[CHANNEL].members.update({BOB, ALICE, "U0CAROL"})  # two pages
    world.fake.add_channel("D0BOB", "bob")
    await world.start()
    event = world.fake.message_event("D0BOB", BOB, "todo", channel_type="im")
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (answer,) = world.fake.posted_in("D0BOB")
    assert answer.thread_ts is None  # answered in the DM itself, not in a thread
    assert "To do" in answer.text or "Nothing left to do" in answer.text
    assert world.fake.posted_in(CHANNEL) == []  # nothing said in the channel
    assert await world.osoto_messages() == []


async def test_a_dm_from_someone_in_no_linked_channel_gets_no_trip(world: SlackWorld) -> None:
    await world.link()
    world.fake.add_channel("D0BOB", "bob")
    await world.start()
    event = world.fake.message_event("D0BOB", BOB, "where tuesday", channel_type="im")
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (answer,) = world.fake.posted_in("D0BOB")
    assert "no channel linked to a trip" in answer.text


async def test_a_dm_asks_which_trip_with_buttons_when_its_author_is_in_several(
    world: SlackWorld,
) -> None:
    await world.link()
    world.fake.add_channel("C0OTHER", "other")
    me = await world.client.me()
    group = world.sandbox.create_group("Porto crew", owner_id=me.user.id)
    other_trip = world.sandbox.create_trip(
        group_id=group, title="Porto", start_date="2027-01-01", end_date="2027-01-03"
    )
    scopes = [f"{s}:{other_trip}" for s in ("messages:read", "messages:write", "trips:read")]
    await _link_other(world, "C0OTHER", other_trip, world.sandbox.create_key(me.user.id, scopes))
    for channel in (CHANNEL, "C0OTHER"):
        world.fake.channels[channel].members.add(BOB)
    world.fake.add_channel("D0BOB", "bob")
    await world.start()
    event = world.fake.message_event("D0BOB", BOB, "trip", channel_type="im")
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (choice,) = world.fake.posted_in("D0BOB")
    buttons = [e for b in choice.blocks if b["type"] == "actions" for e in b["elements"]]
    labels = [b["text"]["text"] for b in buttons]
    assert labels == ["Lisbon · #general", "Porto · #general"]
    press = world.fake.block_action(
        "D0BOB", BOB, choice, buttons[1]["action_id"], buttons[1]["value"]
    )
    assert (await world.deliver(press)).status_code == 200
    await world.settle()
    answers = world.fake.posted_in("D0BOB")[1:]
    assert len(answers) == 1 and "Porto" in answers[0].text
    # The choice holds for the conversation: the next command asks no more.
    again = world.fake.message_event("D0BOB", BOB, "trip", channel_type="im")
    await world.deliver(world.fake.event_callback(again))
    await world.settle()
    latest = world.fake.posted_in("D0BOB")[-1]
    assert "Porto" in latest.text and not [b for b in latest.blocks if b["type"] == "actions"]


async def _link_other(world: SlackWorld, channel: str, trip_id: str, key: str) -> None:
    client = world.pool.client_for_key(key)
    channels = await client.list_channels(trip_id)
    general = next(c for c in channels if c.name == "general")
    report = await inspect_key(client, trip_id=trip_id, channel=general.id)
    await world.store.add_link(
        platform="slack",
        chat_id=channel,
        thread_id=None,
        trip_id=report.trip_id,
        trip_title=report.trip_title,
        channel_id=general.id,
        channel_name=general.name,
        api_key=key,
        owner_user_id=report.user_id,
        scopes=report.scopes,
    )
    await world.store.set_cursor(trip_id, general.id, await seek_end(client, trip_id, general.id))


async def test_a_todo_button_in_a_dm_ticks_the_item_of_the_channels_trip(
    world: SlackWorld,
) -> None:
    await world.link()
    item = await world.client.create_action_item(world.trip_id, text="Buy SIM cards", urgency="now")
    world.fake.channels[CHANNEL].members.add(BOB)
    world.fake.add_channel("D0BOB", "bob")
    await world.start()
    await world.slash(BOB, "todo", channel="D0BOB")  # /osoto todo in the DM
    await world.settle()
    (todo,) = world.fake.posted_in("D0BOB")
    assert "Buy SIM cards" in todo.text
    buttons = [e for b in todo.blocks if b["type"] == "actions" for e in b["elements"]]
    press = world.fake.block_action("D0BOB", BOB, todo, buttons[0]["action_id"], item.id)
    assert (await world.deliver(press)).status_code == 200
    await world.settle()
    items = (await world.client.list_action_items(world.trip_id)).data
    assert next(i for i in items if i.id == item.id).done
    assert world.fake.posted_in(CHANNEL) == []
