"""Linking a channel by modal: an admin pastes the key into a private form.

Each step is Slack's own request through bolt (the slash command, the two view
submissions); the key is checked against the real sandbox and the link made by the
relay's real `LinkService`.
"""

from __future__ import annotations

import json
from typing import Any

from slack_world import ALICE, BOB, CHANNEL, SlackWorld

from fakes.slack_api import BOT_USER_ID


def key_values(key: str, trip: str | None = None) -> dict[str, Any]:
    return {
        "key": {"key": {"type": "plain_text_input", "value": key}},
        "trip": {"trip": {"type": "plain_text_input", "value": trip}},
    }


def channel_values(channel_id: str) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": "x"}, "value": channel_id}
    return {"channel": {"channel": {"type": "static_select", "selected_option": option}}}


async def open_form(world: SlackWorld, user: str = ALICE, channel: str = CHANNEL) -> str:
    response = await world.slash(user, "link", channel=channel)
    assert response.status_code == 200 and response.text == ""
    (opened,) = world.fake.calls_to("views.open")
    assert opened.ok
    (view_id,) = world.fake.views
    return view_id


async def submit(world: SlackWorld, user: str, view_id: str, values: dict[str, Any]) -> Any:
    assert world.events is not None
    return await world.fake.submit_view(world.events, user, view_id, values)


def shown(world: SlackWorld, view_id: str) -> str:
    """The text of the modal as it is now."""
    return json.dumps(world.fake.views[view_id], ensure_ascii=False)


async def test_an_admin_links_the_channel_and_the_key_never_shows(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    form = world.fake.views[view_id]
    assert form["callback_id"] == "osoto_link_key"
    assert "Osoto API 키" in shown(world, view_id)  # Alice's Slack speaks Korean

    answer = await submit(world, ALICE, view_id, key_values(world.owner_key))
    assert answer["response_action"] == "update"
    await world.settle()  # Osoto checked the key; the form now offers the channels
    step_two = world.fake.views[view_id]
    assert step_two["callback_id"] == "osoto_link_channel"
    assert "Lisbon" in shown(world, view_id)
    select = step_two["blocks"][1]["element"]
    assert select["initial_option"]["value"] == world.channel_id

    answer = await submit(world, ALICE, view_id, channel_values(world.channel_id))
    assert answer["response_action"] == "update"
    await world.settle()
    link = await world.store.find_link("slack", CHANNEL, None)
    assert link is not None
    assert (link.trip_id, link.channel_id) == (world.trip_id, world.channel_id)
    assert link.created_by == f"slack:{ALICE}" and link.language == "ko"
    (notice,) = world.fake.posted
    assert notice.channel == CHANNEL and "Lisbon" in notice.text

    # the link works at once, and the key went nowhere but into the form
    world.companion_says("Welcome, Slack!")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 2)
    shown_anywhere = json.dumps(
        [p.text for p in world.fake.posted]
        + [world.fake.views[view_id]]
        + [c.args for c in world.fake.calls]
    )
    assert world.owner_key not in shown_anywhere


async def test_another_channel_of_the_trip_can_be_chosen(world: SlackWorld) -> None:
    plans = world.sandbox.create_channel(world.trip_id, "plans")
    await world.start()
    view_id = await open_form(world)
    await submit(world, ALICE, view_id, key_values(world.owner_key))
    await world.settle()
    assert "#plans" in shown(world, view_id)
    await submit(world, ALICE, view_id, channel_values(plans))
    await world.settle()
    link = await world.store.find_link("slack", CHANNEL, None)
    assert link is not None and link.channel_id == plans and link.channel_name == "plans"


async def test_a_member_who_is_no_admin_cannot_open_the_form(world: SlackWorld) -> None:
    await world.start()
    response = await world.slash(BOB, "link")
    assert "admin" in response.json()["text"]
    assert world.fake.calls_to("views.open") == []


async def test_someone_else_cannot_submit_an_admins_form(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    answer = await submit(world, BOB, view_id, key_values(world.owner_key))
    assert answer["response_action"] == "update"
    assert "expired" in json.dumps(answer["view"])  # in Bob's English
    await world.settle()
    assert await world.store.find_link("slack", CHANNEL, None) is None


async def test_an_admin_demoted_meanwhile_cannot_finish(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    world.fake.users[ALICE].is_admin = False
    await submit(world, ALICE, view_id, key_values(world.owner_key))
    await world.settle()
    assert await world.store.find_link("slack", CHANNEL, None) is None


async def test_a_key_osoto_refuses_shows_the_reason_in_the_form(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    await submit(world, ALICE, view_id, key_values("osk_" + "x" * 40))
    await world.settle()
    form = world.fake.views[view_id]
    assert form["callback_id"] == "osoto_link_key"  # step one again, with the reason
    assert "401" in shown(world, view_id)
    # and a good key still works from there
    await submit(world, ALICE, view_id, key_values(world.owner_key))
    await world.settle()
    assert world.fake.views[view_id]["callback_id"] == "osoto_link_channel"


async def test_something_that_is_no_key_is_refused_in_place(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    answer = await submit(world, ALICE, view_id, key_values("my password"))
    assert answer["response_action"] == "errors"
    assert "osk_" in answer["errors"]["key"]


async def test_a_stale_form_expires(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    world.time.now += 16 * 60
    answer = await submit(world, ALICE, view_id, key_values(world.owner_key))
    assert "/osoto link" in json.dumps(answer["view"], ensure_ascii=False)


async def test_the_bot_joins_a_public_channel_it_is_not_in(world: SlackWorld) -> None:
    world.fake.add_channel("C0NEW", "new-trip", bot_member=False)
    await world.start()
    view_id = await open_form(world, channel="C0NEW")
    await submit(world, ALICE, view_id, key_values(world.owner_key))
    await world.settle()
    await submit(world, ALICE, view_id, channel_values(world.channel_id))
    await world.settle()
    assert [c.args["channel"] for c in world.fake.calls_to("conversations.join")] == ["C0NEW"]
    assert BOT_USER_ID in world.fake.channels["C0NEW"].members
    assert await world.store.find_link("slack", "C0NEW", None) is not None


async def test_a_private_channel_needs_an_invitation_first(world: SlackWorld) -> None:
    world.fake.add_channel("G0SECRET", "secret", private=True, bot_member=False)
    await world.start()
    view_id = await open_form(world, channel="G0SECRET")
    await submit(world, ALICE, view_id, key_values(world.owner_key))
    await world.settle()
    await submit(world, ALICE, view_id, channel_values(world.channel_id))
    await world.settle()
    assert "/invite" in shown(world, view_id)
    assert await world.store.find_link("slack", "G0SECRET", None) is None


async def test_linking_from_a_direct_message_is_refused(world: SlackWorld) -> None:
    await world.start()
    response = await world.slash(ALICE, "link", channel="D0DIRECT")
    assert "/osoto link" in response.json()["text"]
    assert world.fake.calls_to("views.open") == []


async def test_an_admin_unlinks_and_the_channel_is_told(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    refused = await world.slash(BOB, "unlink")
    assert "admin" in refused.json()["text"]
    assert await world.store.find_link("slack", CHANNEL, None) is not None

    response = await world.slash(ALICE, "unlink")
    assert response.status_code == 200 and response.text == ""
    await world.settle()
    assert await world.store.find_link("slack", CHANNEL, None) is None
    (notice,) = world.fake.posted
    assert "Alice" in notice.text
    again = await world.slash(ALICE, "unlink")
    assert "연결" in again.json()["text"]  # nothing to unlink, in Korean


async def test_a_form_slack_will_not_open_is_reported_to_the_admin(world: SlackWorld) -> None:
    await world.start()
    world.fake.fail_next("views.open", error="expired_trigger_id")
    response = await world.slash(ALICE, "link")
    assert "expired_trigger_id" in response.json()["text"]


async def test_a_slow_osoto_is_waited_for_with_a_checking_form(world: SlackWorld) -> None:
    await world.start(world.new_chat(form_wait=0.0))
    view_id = await open_form(world)
    world.osoto.open.clear()  # Osoto answers slower than the submission may wait
    answer = await submit(world, ALICE, view_id, key_values(world.owner_key))
    assert answer["view"]["callback_id"] == "osoto_link_info"  # "checking…"
    world.osoto.open.set()
    await world.settle()
    assert world.fake.views[view_id]["callback_id"] == "osoto_link_channel"
    assert [c.ok for c in world.fake.calls_to("views.update")] == [True]

    world.osoto.open.clear()
    answer = await submit(world, ALICE, view_id, channel_values(world.channel_id))
    assert answer["view"]["callback_id"] == "osoto_link_info"  # "linking…"
    world.osoto.open.set()
    await world.settle()
    assert "Lisbon" in shown(world, view_id)
    assert await world.store.find_link("slack", CHANNEL, None) is not None
    (notice,) = world.fake.posted
    assert "Lisbon" in notice.text


async def test_a_quick_osoto_answers_in_the_submission_itself(world: SlackWorld) -> None:
    await world.start()
    view_id = await open_form(world)
    answer = await submit(world, ALICE, view_id, key_values(world.owner_key))
    assert answer["view"]["callback_id"] == "osoto_link_channel"
    await world.settle()
    assert world.fake.calls_to("views.update") == []  # nothing raced the answer
