"""A copy whose send response was lost is recognised by Slack's echo (issue 14.2).

Slack shows every app its own messages as ``message`` events. The bridge tags each
copy with message metadata naming the Osoto message; when the answer to
``chat.postMessage`` is lost (the message shown, the bot never told its ts), the
echo still names the copy, so a reply in its thread reaches Osoto as a reply.
"""

from __future__ import annotations

from slack_world import BOB, CHANNEL, SlackWorld

from fakes.slack_api import Posted


async def _echo(world: SlackWorld, posted: Posted) -> None:
    response = await world.deliver(world.fake.event_callback(world.fake.bot_message_event(posted)))
    assert response.status_code == 200, response.text


async def test_a_reply_to_a_copy_whose_send_answer_was_lost_keeps_its_parent(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start()
    world.fake.lose_next("chat.postMessage")
    plan = world.companion_says("Plan for Tuesday: Sintra")
    # The first post is shown but its answer lost; the adapter posts again.
    await world.fake.wait_for(lambda: len(world.fake.posted) == 2)
    lost, kept = world.fake.posted
    assert lost.lost and not kept.lost
    assert lost.metadata is not None
    assert lost.metadata["event_payload"] == {"osoto_message_id": plan, "part": 0}
    await world.settle()
    # Slack echoes both copies to the app, as it does every message.
    await _echo(world, lost)
    await _echo(world, kept)
    assert lost.ts is not None
    await world.say(BOB, "Count me in", thread_ts=lost.ts)
    await world.settle()

    reply = next(m for m in await world.osoto_messages() if m.content.endswith("Count me in"))
    assert reply.parent_id == plan
    # The echoes are the bot's own: nothing of them reached Osoto.
    assert [m.content for m in await world.osoto_messages()].count("Plan for Tuesday: Sintra") == 1
    assert len(await world.osoto_messages()) == 2
    # What was delivered is still the copy the send returned.
    assert await world.store.chat_messages_for(plan, "slack", CHANNEL) == [kept.ts]


async def test_without_the_echo_the_reply_is_quoted_instead(world: SlackWorld) -> None:
    """The measure the echo improves: the same reply, no echo, loses its parent."""
    await world.link()
    await world.start()
    world.fake.lose_next("chat.postMessage")
    world.companion_says("Plan for Tuesday: Sintra")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 2)
    lost = world.fake.posted[0]
    await world.settle()
    assert lost.ts is not None
    await world.say(BOB, "Count me in", thread_ts=lost.ts)
    await world.settle()

    reply = next(m for m in await world.osoto_messages() if m.content.endswith("Count me in"))
    assert reply.parent_id is None


async def test_an_echo_before_the_send_returns_does_not_hide_the_delivery(
    world: SlackWorld,
) -> None:
    """An echo may beat the send's own answer: the copy it names is recorded as seen,
    then the send's record takes its place; the message is not sent again."""
    await world.link()
    await world.start()
    assert world.store is not None
    plan = world.companion_says("Dinner at 8")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    posted = world.fake.posted[0]
    assert posted.ts is not None
    # The same copy seen twice, as an echo racing the send would (idempotent).
    await _echo(world, posted)
    await _echo(world, posted)
    await world.settle()
    assert await world.store.chat_messages_for(plan, "slack", CHANNEL) == [posted.ts]
    assert len(world.fake.posted) == 1


async def test_another_bots_tagged_message_is_neither_learned_nor_relayed(
    world: SlackWorld,
) -> None:
    await world.link()
    await world.start()
    plan = world.companion_says("Dinner at 8")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    await world.settle()
    event = world.fake.bot_message_event(world.fake.posted[0])
    event.update(bot_id="BOTHER0001", ts="1700009999.000001")
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    assert world.store is not None
    assert await world.store.osoto_message_for("slack", CHANNEL, "1700009999.000001") is None
    assert [m.id for m in await world.osoto_messages()] == [plan]
