"""The relay, told as the group's story: a trip channel in Osoto and its chats.

Each test runs the real bridge against the real sandbox and a real store, with
recording chats standing in for Telegram and Slack.
"""

from __future__ import annotations

import asyncio

import pytest
from relay_world import World, eventually

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.relay.coalesce import OSOTO_SEPARATOR
from osoto_bridge.text import render_slack_mrkdwn, render_telegram_html

LIVE_MENTIONS = ("<!channel>", "<!here>", "<!everyone>", "<@U", "@here", "@channel", "@everyone")


async def test_an_osoto_message_reaches_the_chat_once(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    world.companion_says("Dinner at 7?")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    (message,) = world.telegram.sent
    assert message.text == "Ben: Dinner at 7?"
    # more polls bring nothing new
    await eventually(lambda: _polled_again(world), what="two more polls")
    assert len(world.telegram.sent) == 1


async def _polled_again(world: World) -> bool:
    assert world.bridge is not None
    worker = world.bridge.worker(world.trip_id, world.channel_id)
    assert worker is not None
    return worker.polls >= 3


async def test_a_chat_message_reaches_osoto_once_and_is_not_echoed(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    await world.telegram.write("tg-1", "I'll bring the **maps**", author="Alice")

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted)
    (osoto,) = await world.osoto_messages()
    assert osoto.content == "Alice (Telegram): I'll bring the **maps**"
    assert osoto.author_id == world.owner_id
    await eventually(lambda: _polled_again(world))
    assert world.telegram.sent == []  # never echoed back


async def test_a_message_crosses_from_one_chat_to_the_other_and_once_into_osoto(
    world: World,
) -> None:
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    await world.telegram.write("tg-1", "Boarding now", author="Alice")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    (in_slack,) = world.slack.sent
    # shown as Alice's, not as the key owner's (whose account posted it to Osoto)
    assert in_slack.username is None
    assert in_slack.text == "Alice (Telegram): Boarding now"
    await eventually(lambda: _polled_again(world))
    assert len(await world.osoto_messages()) == 1
    assert world.telegram.sent == []
    assert len(world.slack.sent) == 1


async def test_order_is_kept_in_both_directions(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    for n in range(25):
        world.companion_says(f"osoto {n}")
        await world.telegram.write("tg-1", f"chat {n}")
    await world.telegram.wait_for(lambda sent: len(sent) == 25)
    assert [m.text for m in world.telegram.sent] == [f"Ben: osoto {n}" for n in range(25)]

    async def lines_in_osoto() -> list[str]:
        # a queue of chat lines may go as merged posts (relay/coalesce.py): by line
        return [
            line for m in await world.osoto_messages() for line in m.content.split(OSOTO_SEPARATOR)
        ]

    async def all_posted() -> bool:
        return len(await lines_in_osoto()) == 50

    await eventually(all_posted)
    from_chat = [line for line in await lines_in_osoto() if "(Telegram)" in line]
    assert from_chat == [f"Alice (Telegram): chat {n}" for n in range(25)]


async def test_replies_map_both_ways(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    question = world.companion_says("Who has the tickets?")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    question_in_chat = world.telegram.sent[0].message_id

    answer_id = await world.telegram.write("tg-1", "I do!", reply_to=question_in_chat)

    async def answered() -> bool:
        return any(m.parent_id == question for m in await world.osoto_messages())

    await eventually(answered)
    answer = next(m for m in await world.osoto_messages() if m.parent_id == question)

    world.companion_says("Great, thanks", parent_id=answer.id)
    await world.telegram.wait_for(lambda sent: len(sent) == 2)
    assert world.telegram.sent[1].reply_to == answer_id


async def test_a_reply_to_a_message_this_chat_never_got_carries_a_quote(world: World) -> None:
    await world.link(world.slack, "C1")
    bridge = await world.start()
    old = world.companion_says("Tickets are in my bag")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    await world.link(world.telegram, "tg-1")  # linked later: it never saw "old"
    await bridge.sync_links()
    world.companion_says("Replying to that", parent_id=old)
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    (message,) = world.telegram.sent
    assert message.reply_to is None
    assert "Ben: Tickets are in my bag" in message.text
    assert "Replying to that" in message.text


async def test_a_reply_to_history_the_bridge_never_saw_says_so(world: World) -> None:
    old = world.companion_says("An old message from before the link")
    await world.link(world.telegram, "tg-1")
    await world.start()
    world.companion_says("Replying to history", parent_id=old)
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    (message,) = world.telegram.sent
    assert message.reply_to is None
    assert "reply to an earlier message" in message.text
    assert "Replying to history" in message.text


async def test_a_chat_reply_to_an_unmapped_message_is_quoted_in_osoto(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    await world.telegram.write(
        "tg-1", "yes, me too", reply_to="not-relayed-1"
    )  # e.g. a reply to a message from before the link

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted)
    (osoto,) = await world.osoto_messages()
    assert osoto.parent_id is None
    assert osoto.content.endswith("yes, me too")


async def test_the_key_owner_writing_in_osoto_is_relayed_not_mistaken_for_an_echo(
    world: World,
) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    await world.telegram.write("tg-1", "from the chat")
    world.sandbox.post_message(
        world.trip_id, world.channel_id, author_id=world.owner_id, content="from Ana's phone"
    )
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    await eventually(lambda: _polled_again(world))
    assert [m.text for m in world.telegram.sent] == ["Ana: from Ana's phone"]


async def test_mentions_and_markup_cannot_be_injected_from_osoto(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    world.companion_says("<!channel> @here <b>bold</b> <@U123> @everyone <a href='x'>y</a>")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    html = render_telegram_html(world.telegram.sent[0].document)
    mrkdwn = render_slack_mrkdwn(world.slack.sent[0].document)
    assert "<b>bold</b>" not in html and "bold" in html and "&lt;" in html
    assert "<a href='x'>" not in html
    for live in LIVE_MENTIONS:
        assert live not in mrkdwn, live
        assert live not in html, live


async def test_mentions_cannot_be_injected_from_a_chat_into_the_other_chat(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    await world.telegram.write("tg-1", "@channel wake up <!here>", author="@everyone")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    mrkdwn = render_slack_mrkdwn(world.slack.sent[0].document)
    for live in LIVE_MENTIONS:
        assert live not in mrkdwn, live


async def test_a_20000_character_message_is_split_and_whole(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    words = [f"word{n}" for n in range(3000)]
    long_text = " ".join(words)
    assert len(long_text) > 20_000
    await world.telegram.write("tg-1", long_text)
    assert world.bridge is not None
    await world.bridge.idle()
    parts = [m.content for m in await world.osoto_messages()]
    assert len(parts) >= 3
    assert all(len(part) <= 8000 for part in parts)
    rejoined = " ".join(parts).split()
    assert [w for w in rejoined if w.startswith("word")] == words


async def test_a_long_osoto_message_is_split_for_the_chat_and_every_part_is_mapped(
    world: World,
) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    words = [f"w{n}" for n in range(1500)]
    osoto_id = world.companion_says(" ".join(words))
    await world.telegram.wait_for(lambda sent: len(sent) >= 2)
    texts = [m.text for m in world.telegram.sent]
    assert all(len(t) <= 4096 for t in texts)
    assert [w for w in " ".join(texts).split() if w.startswith("w")] == words
    assert world.store is not None
    mapped = await world.store.chat_messages_for(osoto_id, "telegram", "tg-1")
    assert mapped == [m.message_id for m in world.telegram.sent]


async def test_an_api_key_pasted_in_the_group_is_deleted_and_never_relayed(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    message_id = await world.telegram.write("tg-1", f"here you go {world.owner_key}")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    assert world.telegram.deleted == [(world.telegram.sent[0].address, message_id)]
    assert "revoke" in world.telegram.sent[0].text
    assert world.owner_key not in world.telegram.sent[0].text
    await eventually(lambda: _polled_again(world))
    assert await world.osoto_messages() == []


async def test_an_edit_follows_up_as_a_reply_to_the_original(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    original = await world.telegram.write("tg-1", "meet at 6")
    await world.telegram.write("tg-1", "meet at 7", edit_of=original)

    async def both() -> bool:
        return len(await world.osoto_messages()) == 2

    await eventually(both)
    first, edit = await world.osoto_messages()
    assert edit.parent_id == first.id
    assert "edited" in edit.content and "meet at 7" in edit.content


async def test_a_chat_that_removed_the_bot_is_disabled_not_retried_forever(world: World) -> None:
    link = await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    world.telegram.gone_chats.add("tg-1")
    await world.start()
    world.companion_says("anyone there?")
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    assert world.store is not None

    async def disabled() -> bool:
        assert world.store is not None
        refreshed = await world.store.get_link(link.id)
        return refreshed is not None and not refreshed.enabled

    await eventually(disabled)


async def test_a_message_osoto_refuses_is_kept_and_the_chat_is_told(world: World) -> None:
    read_only = world.sandbox.create_key(world.owner_id, ["messages:read", "trips:read"])
    await world.link(world.telegram, "tg-1", key=read_only)
    await world.start()
    await world.telegram.write("tg-1", "this cannot be posted")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    assert "could not be relayed" in world.telegram.sent[0].text
    assert world.store is not None
    (entry,) = await world.store.list_outbox()
    assert entry.status == "failed"


async def test_a_command_in_an_unlinked_chat_says_how_to_link(world: World) -> None:
    from osoto_bridge.commands import CommandService, SnapshotCache
    from osoto_bridge.relay import Bridge

    assert world.store is not None and world.pool is not None
    world.bridge = Bridge(
        store=world.store,
        adapters=[world.telegram],
        pool=world.pool,
        commands=CommandService(cache=SnapshotCache()),
        timing=world.timing,
    )
    await world.bridge.start()
    await world.telegram.write("tg-new", "/where tomorrow")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    assert "not linked" in world.telegram.sent[0].text
    await world.telegram.write("tg-new", "just chatting")
    assert len(world.telegram.sent) == 1


async def test_a_link_added_by_another_process_is_picked_up(world: World) -> None:
    from osoto_bridge.relay import Bridge

    assert world.store is not None and world.pool is not None
    world.bridge = Bridge(
        store=world.store,
        adapters=[world.telegram],
        pool=world.pool,
        timing=world.timing,
        link_sync_interval=0.01,
    )
    await world.bridge.start()
    await world.link(world.telegram, "tg-1")  # written to the store, bridge not told
    world.companion_says("hello late joiner")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)


async def test_a_message_the_chat_refuses_for_good_does_not_stall_the_channel(
    world: World,
) -> None:
    await world.link(world.telegram, "tg-1")
    world.telegram.refused_words.add("UNSENDABLE")
    await world.start()
    world.companion_says("UNSENDABLE payload")
    world.companion_says("and life goes on")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    assert world.telegram.sent[0].text == "Ben: and life goes on"


async def test_answers_follow_the_askers_language_where_the_platform_knows_it(
    world: World,
) -> None:
    from osoto_bridge.chat import Capabilities, RecordingChat
    from osoto_bridge.commands import CommandService, SnapshotCache
    from osoto_bridge.relay import Bridge

    per_user = RecordingChat(
        "slack", capabilities=Capabilities(max_length=3000, per_user_language=True)
    )
    world.slack = per_user
    await world.link(world.telegram, "tg-1")
    await world.link(per_user, "C1")
    assert world.store is not None and world.pool is not None
    world.bridge = Bridge(
        store=world.store,
        adapters=[world.telegram, per_user],
        pool=world.pool,
        commands=CommandService(cache=SnapshotCache()),
        timing=world.timing,
    )
    await world.bridge.start()
    await per_user.write("C1", "/help", language_hint="ko-KR")
    await world.telegram.write("tg-1", "/help", language_hint="ko-KR")
    await per_user.wait_for(lambda sent: len(sent) >= 1)
    await world.telegram.wait_for(lambda sent: len(sent) >= 1)
    # Slack knows the asker reads Korean; Telegram answers in the chat's language (/lang)
    assert world.telegram.sent[0].text.startswith("Trip commands")
    assert not per_user.sent[0].text.startswith("Trip commands")
    assert any("\uac00" <= ch <= "\ud7a3" for ch in per_user.sent[0].text.splitlines()[0])


async def test_a_failure_inside_the_bridge_is_raised_to_the_adapter_not_swallowed(
    world: World,
) -> None:
    await world.link(world.telegram, "tg-1")
    await world.start()
    assert world.store is not None
    await world.store.close()  # the database goes away under the bridge
    with pytest.raises(Exception):  # noqa: B017 - whatever the store raises
        await world.telegram.write("tg-1", "this must not be confirmed")


async def test_sensitive_trip_fields_reach_a_chat_only_after_its_admin_opted_in(
    world: World,
) -> None:
    from osoto_bridge.commands import CommandService, SnapshotCache
    from osoto_bridge.relay import Bridge

    await world.client.create_leg(
        world.trip_id,
        order=0,
        title="Lisbon",
        destination="Lisbon",
        start_date="2026-12-01",
        end_date="2026-12-08",
        timezone="Europe/Lisbon",
        accommodation={
            "name": "Casa Azul",
            "checkIn": "2026-12-01T15:00",
            "doorCode": "8841#",
            "wifiPassword": "pastel-de-nata",
        },
    )
    link = await world.link(world.telegram, "tg-1")
    assert world.store is not None and world.pool is not None
    world.bridge = Bridge(
        store=world.store,
        adapters=[world.telegram],
        pool=world.pool,
        commands=CommandService(cache=SnapshotCache(ttl=0)),
        timing=world.timing,
    )
    await world.bridge.start()
    await world.telegram.write("tg-1", "/where 2026-12-02")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    assert "Casa Azul" in world.telegram.sent[0].text
    assert "8841#" not in world.telegram.sent[0].text
    assert "pastel-de-nata" not in world.telegram.sent[0].text

    await world.store.update_link(link.id, show_sensitive=True)
    await world.telegram.write("tg-1", "/where 2026-12-02")
    await world.telegram.wait_for(lambda sent: len(sent) == 2)
    assert "8841#" in world.telegram.sent[1].text


async def test_the_parts_of_two_long_lines_written_at_once_stay_together(world: World) -> None:
    """Issue 14.6: each line's parts are posted consecutively, never interleaved."""
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    long_a = " ".join(f"alpha{i}" for i in range(3_000))
    long_b = " ".join(f"bravo{i}" for i in range(3_000))
    await asyncio.gather(
        world.telegram.write("tg-1", long_a, author="Alice"),
        world.slack.write("C1", long_b, author="Bob"),
    )

    async def all_posted() -> bool:
        return len(await world.osoto_messages()) >= 6

    await eventually(all_posted)
    kinds = ["a" if "alpha" in m.content else "b" for m in await world.osoto_messages()]
    runs = [kind for index, kind in enumerate(kinds) if index == 0 or kinds[index - 1] != kind]
    assert len(runs) == 2, kinds


async def test_a_line_holding_a_lone_surrogate_is_relayed_with_a_replacement(
    world: World,
) -> None:
    """Issue 14.4: JSON may carry a lone surrogate no store can encode; the line is
    relayed with U+FFFD in its place, the rest intact, to Osoto and the other chat."""
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    await world.telegram.write("tg-1", "half \ud83d a smile", author="Al\udc00ice")

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted)
    (osoto,) = await world.osoto_messages()
    assert osoto.content == "Al\ufffdice (Telegram): half \ufffd a smile"
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    assert "half \ufffd a smile" in world.slack.sent[0].text


async def test_a_reply_to_a_line_the_bridge_never_knew_is_quoted_and_counted(
    world: World,
) -> None:
    """Issue 14.2's remainder: where the parent's id was never learned, the reply
    carries a quote and is counted (osoto_bridge_replies_unthreaded)."""
    metrics = RelayMetrics()
    await world.link(world.telegram, "tg-1")
    await world.start(metrics=metrics)
    await world.telegram.write("tg-1", "Yes, me too", author="Alice", reply_to="t-unknown")

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted)
    (osoto,) = await world.osoto_messages()
    assert osoto.parent_id is None
    counted = metrics.registry.get_sample_value(
        "osoto_bridge_replies_unthreaded_total", {"platform": "telegram"}
    )
    assert counted == 1
