"""The ``/osoto`` command, app mentions and buttons, through bolt and the real relay."""

from __future__ import annotations

import dataclasses
import json

import httpx
from slack_world import ALICE, BOB, CHANNEL, SlackWorld

from fakes.slack_api import BOT_USER_ID
from osoto_bridge.chat.slack import slack_events_app


async def test_a_slash_command_is_answered_with_the_command_in_the_channel(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start()
    response = await world.slash(BOB, "where tuesday")
    assert response.status_code == 200 and response.text == ""  # nothing shown at once
    await world.settle()
    (answer,) = world.fake.posted
    assert answer.response_type == "in_channel"
    assert answer.channel == CHANNEL
    assert "Dec" in answer.text  # the trip's Tuesday, Dec 1
    assert await world.osoto_messages() == []  # a command is never relayed


async def test_the_bare_command_shows_the_help_with_slack_syntax(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    await world.slash(BOB, "")
    await world.settle()
    (answer,) = world.fake.posted
    assert "/osoto where" in answer.text


async def test_korean_aliases_work_after_the_slash_command(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    await world.slash(ALICE, "어디 화요일")
    await world.slash(ALICE, "where tuesday")
    await world.settle()
    korean, english = world.fake.posted
    assert korean.text == english.text


async def test_todo_buttons_mark_an_item_done(world: SlackWorld) -> None:
    await world.link()
    item = await world.client.create_action_item(world.trip_id, text="Buy SIM cards", urgency="now")
    await world.start()
    await world.slash(BOB, "todo")
    await world.settle()
    (todo,) = world.fake.posted
    assert "Buy SIM cards" in todo.text and todo.ts is None  # through the response URL
    buttons = [e for block in todo.blocks if block["type"] == "actions" for e in block["elements"]]
    assert [b["value"] for b in buttons] == [item.id]

    press = world.fake.block_action(CHANNEL, BOB, todo, buttons[0]["action_id"], item.id)
    assert (await world.deliver(press)).status_code == 200
    await world.deliver(press)  # Slack delivering the same press again
    await world.settle()
    (done,) = [
        i for i in (await world.client.list_action_items(world.trip_id)).data if i.id == item.id
    ]
    assert done.done
    # The answer to the slash command is redrawn in place through the press's response
    # URL (chat.update does not know it); nothing new is posted, the presser is told.
    assert world.fake.posted == [todo]
    (redrawn,) = world.fake.replaced
    assert "Buy SIM cards" not in redrawn.text and "Nothing left to do" in redrawn.text
    assert not [b for b in redrawn.blocks if b["type"] == "actions"]
    assert world.fake.ephemerals == [(CHANNEL, BOB, "☑️ Done: Buy SIM cards")]


async def test_an_ephemeral_answers_button_redraws_it_through_its_response_url(
    world: SlackWorld,
) -> None:
    await world.link()
    item = await world.client.create_action_item(world.trip_id, text="Buy SIM cards", urgency="now")
    await world.start()
    await world.slash(BOB, "todo")
    await world.settle()
    (todo,) = world.fake.posted
    shown_to_bob = dataclasses.replace(todo, response_type="ephemeral")
    buttons = [e for block in todo.blocks if block["type"] == "actions" for e in block["elements"]]
    press = world.fake.block_action(CHANNEL, BOB, shown_to_bob, buttons[0]["action_id"], item.id)
    assert (await world.deliver(press)).status_code == 200
    await world.settle()
    assert world.fake.calls_to("chat.update") == []  # no ts of its own to update
    (redrawn,) = world.fake.replaced
    assert "Nothing left to do" in redrawn.text
    redraws = [c for c in world.fake.calls_to("response_url") if c.args.get("replace_original")]
    assert len(redraws) == 1
    assert world.fake.posted == [todo]


async def test_an_app_mention_is_answered_in_its_thread(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, f"<@{BOT_USER_ID}> where tuesday")
    await world.deliver(world.fake.event_callback({**event, "type": "app_mention"}))
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (answer,) = world.fake.posted
    assert answer.thread_ts == event["ts"]
    assert "Dec" in answer.text
    assert await world.osoto_messages() == []


async def test_a_mention_that_is_no_command_is_relayed(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, f"<@{BOT_USER_ID}> thanks for the help!")
    await world.deliver(world.fake.event_callback({**event, "type": "app_mention"}))
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    assert world.fake.posted == []
    (relayed,) = await world.osoto_messages()
    assert relayed.content == "Bob (Slack): @\u2060Osoto thanks for the help!"


async def test_an_unlinked_channel_is_told_how_to_link_in_the_users_language(
    world: SlackWorld,
) -> None:
    await world.start()
    response = await world.slash(ALICE, "where")
    assert response.status_code == 200
    assert "/osoto link" in response.json()["text"]
    assert "연결" in response.json()["text"]  # Alice's Slack speaks Korean
    english = await world.slash(BOB, "todo")
    assert "not linked" in english.json()["text"]
    assert world.fake.posted == []


async def test_an_unknown_subcommand_is_answered_only_to_its_asker(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    response = await world.slash(BOB, "dance")
    assert "/osoto dance" in response.json()["text"]
    await world.settle()
    assert world.fake.posted == []


async def test_a_key_typed_into_the_command_is_never_used_or_shown(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    response = await world.slash(ALICE, f"link {world.owner_key}")
    text = response.json()["text"]
    assert world.owner_key not in text and "revoke" not in text  # Korean for Alice
    assert "/osoto link" in text
    bob = await world.slash(BOB, f"where {world.owner_key}")
    assert "revoke" in bob.json()["text"]
    await world.settle()
    assert world.fake.posted == []
    assert world.fake.calls_to("views.open") == []
    assert await world.osoto_messages() == []
    everything = json.dumps([c.args for c in world.fake.calls])
    assert world.owner_key not in everything


async def test_a_key_pasted_as_a_message_is_not_relayed_and_the_channel_is_warned(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start()
    ts = await world.say(BOB, f"here is the key {world.owner_key}")
    await world.settle()
    assert await world.osoto_messages() == []
    (delete,) = world.fake.calls_to("chat.delete")
    assert delete.args["ts"] == ts and delete.error == "cant_delete_message"
    (warning,) = world.fake.posted
    assert "revoke" in warning.text and world.owner_key not in warning.text


async def test_mentioning_the_bot_to_link_points_to_the_private_form(world: SlackWorld) -> None:
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, f"<@{BOT_USER_ID}> link")
    await world.deliver(world.fake.event_callback({**event, "type": "app_mention"}))
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (hint,) = world.fake.posted
    assert "/osoto link" in hint.text and hint.thread_ts == event["ts"]


async def test_a_command_under_way_at_shutdown_still_gets_its_answer(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    chat = world.chat
    assert chat is not None
    response = await world.slash(BOB, "where tuesday")
    assert response.status_code == 200
    await world.stop()  # without waiting for the answer first
    (answer,) = world.fake.posted
    assert "Dec" in answer.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slack_events_app(chat)), base_url="http://bridge.test"
    ) as client:
        late = await world.fake.deliver(client, world.fake.slash_command(CHANNEL, BOB, "next")[0])
    assert late.status_code == 503  # Slack shows its own error; nothing half-done


async def test_a_ticked_todo_updates_the_list_in_place_and_tells_only_the_presser(
    world: SlackWorld,
) -> None:
    await world.link()
    item = await world.client.create_action_item(world.trip_id, text="Buy SIM cards", urgency="now")
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, f"<@{BOT_USER_ID}> todo")
    await world.deliver(world.fake.event_callback({**event, "type": "app_mention"}))
    await world.settle()
    (todo,) = world.fake.posted
    assert todo.ts is not None and "Buy SIM cards" in todo.text
    buttons = [e for block in todo.blocks if block["type"] == "actions" for e in block["elements"]]

    press = world.fake.block_action(CHANNEL, BOB, todo, buttons[0]["action_id"], item.id)
    assert (await world.deliver(press)).status_code == 200
    await world.settle()
    # chat.update redraws the list without the item and its button; the confirmation
    # is an ephemeral line for the presser; nothing new is posted in the channel.
    assert world.fake.posted == [todo]
    updated = world.fake.updated[(CHANNEL, todo.ts)]
    assert "Buy SIM cards" not in updated.text and "Nothing left to do" in updated.text
    assert not [b for b in updated.blocks if b["type"] == "actions"]
    assert world.fake.ephemerals == [(CHANNEL, BOB, "☑️ Done: Buy SIM cards")]
