"""The relay with Slack, told as the group's story: a trip channel and a Slack channel.

The real bridge, sandbox and store run with the real Slack adapter against the fake
Slack; Slack's side of each story is a signed request through the events route.
"""

from __future__ import annotations

import httpx
from slack_world import BOB, CHANNEL, SlackWorld

from osoto_bridge.chat.slack import slack_events_app
from osoto_bridge.chat.slack.pacing import DEFAULT_BURST, DEFAULT_INTERVAL
from osoto_bridge.text import has_live_mention


async def test_a_slack_message_reaches_osoto_once(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    await world.say(BOB, "I'll bring the *maps*")
    await world.settle()
    (message,) = await world.osoto_messages()
    assert message.content == "Bob (Slack): I'll bring the **maps**"
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


async def test_threads_map_both_ways(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    # Bob starts a thread in Slack; Ben answers it in Osoto
    question_ts = await world.say(BOB, "Who has the tickets?")
    await world.settle()
    (question,) = await world.osoto_messages()
    world.companion_says("I do", parent_id=question.id)
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    assert world.fake.posted[0].thread_ts == question_ts
    # Bob answers in the thread: in Osoto it replies to the question
    await world.say(BOB, "Great", thread_ts=question_ts)
    await world.settle()
    great = next(m for m in await world.osoto_messages() if m.content.endswith("Great"))
    assert great.parent_id == question.id
    # Ben answers Bob's reply in Osoto: Slack keeps it in the same thread
    world.companion_says("👍", parent_id=great.id)
    await world.fake.wait_for(lambda: len(world.fake.posted) == 2)
    assert world.fake.posted[1].thread_ts == question_ts


async def test_a_reply_to_an_osoto_message_threads_under_it(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    plan = world.companion_says("Plan for Tuesday: Sintra")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    plan_ts = world.fake.posted[0].ts
    assert plan_ts is not None
    await world.settle()  # the bridge (its Slack lane) has recorded where the plan went
    await world.say(BOB, "Count me in", thread_ts=plan_ts)
    await world.settle()
    reply = next(m for m in await world.osoto_messages() if m.content.endswith("Count me in"))
    assert reply.parent_id == plan


async def test_an_edit_is_relayed_as_a_marked_follow_up(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    ts = await world.say(BOB, "Meet at 7")
    await world.settle()
    (original,) = await world.osoto_messages()
    edit = world.fake.edit_event(CHANNEL, BOB, ts, "Meet at 8")
    assert (await world.deliver(world.fake.event_callback(edit))).status_code == 200
    await world.settle()
    messages = await world.osoto_messages()
    assert len(messages) == 2
    assert messages[1].content == "Bob (Slack, edited): Meet at 8"
    assert messages[1].parent_id == original.id


async def test_deletions_joins_and_bot_messages_are_not_relayed(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    ts = await world.say(BOB, "oops")
    fake = world.fake
    for event in (
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": CHANNEL,
            "deleted_ts": ts,
            "ts": fake.next_ts(),
            "previous_message": {"text": "oops", "ts": ts},
        },
        {
            "type": "message",
            "subtype": "channel_join",
            "channel": CHANNEL,
            "user": BOB,
            "text": f"<@{BOB}> has joined the channel",
            "ts": fake.next_ts(),
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "channel": CHANNEL,
            "bot_id": "B0OTHER",
            "text": "beep",
            "ts": fake.next_ts(),
        },
    ):
        assert (await world.deliver(fake.event_callback(event))).status_code == 200
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == ["Bob (Slack): oops"]


async def test_a_shared_file_arrives_as_a_link_line(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(
        CHANNEL,
        BOB,
        "the tickets",
        subtype="file_share",
        files=[{"name": "tickets.pdf", "title": "Tickets", "permalink": "https://files.test/t"}],
    )
    await world.deliver(world.fake.event_callback(event))
    await world.settle()
    (message,) = await world.osoto_messages()
    assert "the tickets" in message.content
    assert "📎 [Tickets](https://files.test/t)" in message.content


async def test_mentions_cannot_be_injected_either_way(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    world.companion_says("@here <!channel> <@U0BOB> *x* <https://evil.test|click>")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    posted = world.fake.posted[0].text
    assert not has_live_mention(posted)
    assert "<!" not in posted and "<@" not in posted and "|click>" not in posted
    await world.say(BOB, "<!channel> and <!here> and @everyone")
    await world.settle()
    from_slack = (await world.osoto_messages())[-1].content
    assert not has_live_mention(from_slack), from_slack


async def test_a_long_osoto_message_arrives_whole_in_parts(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    words = [f"w{n}" for n in range(1400)]  # ~7,000 characters: three Slack parts
    world.companion_says(" ".join(words))
    await world.fake.wait_for(lambda: len(world.fake.posted) >= 3)
    await world.settle()
    posted = world.fake.posted
    assert all(len(p.text) <= 3000 for p in posted)
    assert [w for p in posted for w in p.text.split() if w.startswith("w")] == words


async def test_a_rate_limit_waits_and_drops_nothing(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    world.fake.fail_next("chat.postMessage", retry_after=5, times=3)
    world.companion_says("first")
    world.companion_says("second")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 2)
    assert [p.text for p in world.fake.posted] == ["first", "second"]
    assert world.time.sleeps.count(5.0) == 3
    failed = [c for c in world.fake.calls_to("chat.postMessage") if not c.ok]
    assert len(failed) == 3


async def test_posting_is_paced_per_channel(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    for n in range(DEFAULT_BURST + 2):
        world.companion_says(f"m{n}")
    await world.fake.wait_for(lambda: len(world.fake.posted) == DEFAULT_BURST + 2)
    paced = [s for s in world.time.sleeps if 0 < s <= DEFAULT_INTERVAL]
    assert len(paced) >= 2  # the burst went at once; the two after it waited their turn
    assert [p.text for p in world.fake.posted] == [f"m{n}" for n in range(DEFAULT_BURST + 2)]


async def test_an_archived_channel_disables_its_link(world: SlackWorld) -> None:
    link = await world.link()
    await world.start()
    world.fake.channels[CHANNEL].is_archived = True
    world.companion_says("anyone?")
    await world.fake.wait_for(lambda: len(world.fake.calls_to("chat.postMessage")) == 1)
    await world.settle()  # the lane that met the archived channel is done with it
    stored = await world.store.get_link(link.id)
    assert stored is not None and not stored.enabled


async def test_two_slack_channels_on_one_trip_channel_hear_each_other(world: SlackWorld) -> None:
    world.fake.add_channel("C0OTHER", "lisbon-too")
    await world.link()
    await world.link("C0OTHER")
    await world.start()
    await world.say(BOB, "Boarding now")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    (other,) = world.fake.posted
    assert other.channel == "C0OTHER"
    assert other.username is None  # shown as Bob's, in the text, not as the key owner's
    assert other.text == "*Bob* (Slack): Boarding now"
    await world.settle()
    assert len(await world.osoto_messages()) == 1


async def test_a_restart_loses_nothing_and_repeats_nothing(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    world.companion_says("one")
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    await world.say(BOB, "a")
    await world.settle()
    await world.stop()

    # while the bridge is down: Osoto goes on, and Slack cannot deliver its event
    world.companion_says("two")
    down = world.new_chat()  # not started: its route answers 503, as a stopped bridge
    pending = world.fake.message_event(CHANNEL, BOB, "b")
    payload = world.fake.event_callback(pending)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slack_events_app(down)), base_url="http://bridge.test"
    ) as client:
        assert (await world.fake.deliver(client, payload)).status_code == 503

    await world.start()
    assert (await world.deliver(payload, retry_num=1)).status_code == 200
    await world.fake.wait_for(lambda: len(world.fake.posted) == 2)
    await world.settle()
    assert [p.text for p in world.fake.posted] == ["one", "two"]
    contents = [m.content for m in await world.osoto_messages()]
    assert contents == ["one", "Bob (Slack): a", "two", "Bob (Slack): b"]


async def test_a_crash_loses_nothing(world: SlackWorld) -> None:
    await world.link()
    bridge = await world.start()
    await world.say(BOB, "before the crash")
    await bridge.abort()
    world.bridge = None
    await world.stop()
    world.companion_says("while down")
    await world.start()
    await world.fake.wait_for(lambda: len(world.fake.posted) == 1)
    await world.settle()
    assert [p.text for p in world.fake.posted] == ["while down"]
    contents = [m.content for m in await world.osoto_messages()]
    assert contents.count("Bob (Slack): before the crash") == 1
