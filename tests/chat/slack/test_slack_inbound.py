"""Which Slack message events the relay sees, and what they become (pure functions)."""

from __future__ import annotations

from typing import Any

import pytest

from osoto_bridge.chat.base import ChatAddress
from osoto_bridge.chat.slack.inbound import (
    SlackFile,
    mention_command,
    mentioned_users,
    read_message_event,
    to_inbound,
    unescape_slack,
    with_names,
)
from osoto_bridge.commands import COMMAND_CATALOG
from osoto_bridge.text import Bold, Link, Paragraph, Text

BOT = "UBOT1"
IS_COMMAND = COMMAND_CATALOG.is_command


def event(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "hello",
        "ts": "100.000001",
        "channel_type": "channel",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def test_a_plain_message_is_read() -> None:
    message = read_message_event(event())
    assert message is not None
    assert (message.channel, message.ts, message.user, message.text) == (
        "C1",
        "100.000001",
        "U1",
        "hello",
    )
    assert not message.is_reply and message.root == "100.000001"


def test_a_thread_reply_knows_its_root() -> None:
    message = read_message_event(event(ts="101.1", thread_ts="100.1"))
    assert message is not None and message.is_reply and message.root == "100.1"
    broadcast = read_message_event(event(ts="101.2", thread_ts="100.1", subtype="thread_broadcast"))
    assert broadcast is not None and broadcast.is_reply


@pytest.mark.parametrize(
    "fields",
    [
        {"subtype": "bot_message", "bot_id": "B1", "user": None},
        {"bot_id": "B1"},  # a bot posting as a user (ours, under a custom username)
        {"subtype": "channel_join", "text": "<@U1> has joined the channel"},
        {"subtype": "channel_leave"},
        {"subtype": "channel_topic"},
        {"subtype": "message_deleted", "hidden": True, "deleted_ts": "100.000001"},
        {"subtype": "message_replied", "hidden": True},
        {"text": "   "},
        {"channel": None},
    ],
)
def test_events_that_are_not_relayed(fields: dict[str, Any]) -> None:
    assert read_message_event(event(**fields)) is None


def _changed(message: dict[str, Any], previous_text: str = "helo") -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": "C1",
        "ts": "105.0",
        "event_ts": "105.0",
        "message": message,
        "previous_message": {"type": "message", "user": "U1", "text": previous_text, "ts": "100.1"},
    }


def test_an_edit_is_a_marked_follow_up_of_its_message() -> None:
    edit = read_message_event(
        _changed(
            {
                "type": "message",
                "user": "U1",
                "text": "hello",
                "ts": "100.1",
                "edited": {"user": "U1", "ts": "104.9"},
            }
        )
    )
    assert edit is not None
    assert (edit.ts, edit.edit_of, edit.edit_marker, edit.text) == (
        "100.1",
        "100.1",
        "104.9",
        "hello",
    )


def test_a_change_that_is_no_edit_is_ignored() -> None:
    # a thread gaining a reply, or a link unfurling: no "edited", or the same text
    no_edit = {"type": "message", "user": "U1", "text": "hello", "ts": "100.1", "reply_count": 1}
    assert read_message_event(_changed(no_edit)) is None
    same_text = {**no_edit, "edited": {"user": "U1", "ts": "104.9"}}
    assert read_message_event(_changed(same_text, previous_text="hello")) is None
    by_bot = {**same_text, "text": "new", "bot_id": "B1"}
    assert read_message_event(_changed(by_bot)) is None


def test_files_become_link_lines() -> None:
    message = read_message_event(
        event(
            subtype="file_share",
            text="our tickets",
            files=[
                {"name": "tickets.pdf", "title": "Tickets", "permalink": "https://x.test/f/1"},
                {"mode": "tombstone", "name": "gone"},
                {"name": "map.png", "url_private": "https://x.test/f/2"},
            ],
        )
    )
    assert message is not None
    assert message.files == (
        SlackFile("Tickets", "https://x.test/f/1"),
        SlackFile("map.png", "https://x.test/f/2"),
    )
    inbound = to_inbound(message, author_name="Bob", names={})
    assert inbound.document.blocks[-1] == Paragraph(
        (Text("📎 "), Link("https://x.test/f/2", (Text("map.png"),)))
    )
    assert "our tickets" in inbound.document.plain_text()


def test_a_file_without_a_caption_is_still_relayed() -> None:
    message = read_message_event(
        event(
            subtype="file_share",
            text="",
            files=[{"name": "a.jpg", "permalink": "https://x.test/a"}],
        )
    )
    assert message is not None
    assert to_inbound(message, author_name="Bob", names={}).document.plain_text() == (
        "📎 a.jpg (https://x.test/a)"
    )


def test_to_inbound_maps_threads_names_and_locale() -> None:
    message = read_message_event(
        event(ts="101.1", thread_ts="100.1", text="*yes* <@U2> &amp; me", channel_type="channel")
    )
    assert message is not None
    inbound = to_inbound(
        message,
        author_name="Bob",
        names={"U2": "Alice"},
        locale="ko-KR",
        reply_author="Ana",
        reply_text="who?",
    )
    assert inbound.address == ChatAddress("slack", "C1", None)
    assert inbound.message_id == "101.1"
    assert inbound.reply_to_message_id == "100.1"
    assert (inbound.reply_to_author, inbound.reply_to_text) == ("Ana", "who?")
    assert inbound.language_hint == "ko-KR"
    assert inbound.raw_text == "*yes* <@U2> & me"
    assert not inbound.is_private
    (paragraph,) = inbound.document.blocks
    assert isinstance(paragraph, Paragraph) and paragraph.spans[0] == Bold((Text("yes"),))
    assert inbound.document.plain_text() == "yes @Alice & me"


def test_a_thread_starter_is_no_reply() -> None:
    message = read_message_event(event(ts="100.1", thread_ts="100.1"))
    assert message is not None
    inbound = to_inbound(message, author_name="Bob", names={}, reply_author="x", reply_text="y")
    assert inbound.reply_to_message_id is None and inbound.reply_to_text is None


def test_a_direct_message_is_private() -> None:
    message = read_message_event(event(channel="D1", channel_type="im"))
    assert message is not None
    assert to_inbound(message, author_name="Bob", names={}).is_private


def test_mentions_get_names() -> None:
    text = "hi <@U1>, <@W2|old> and <@U3>"
    assert mentioned_users(text) == {"U1", "W2", "U3"}
    named = with_names(text, {"U1": "Al>ice", "W2": "Bob"})
    assert named == "hi <@U1|Al ice>, <@W2|Bob> and <@U3>"
    assert unescape_slack("a &lt;b&gt; &amp;lt;") == "a <b> &lt;"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (f"<@{BOT}> where tuesday", "/where tuesday"),
        (f"<@{BOT}|osoto>: todo", "/todo"),
        (f"  <@{BOT}> /next", "/next"),
        (f"<@{BOT}>", "/help"),
        (f"<@{BOT}> 어디 화요일", "/어디 화요일"),
        (f"<@{BOT}> thanks!", None),
        (f"<@{BOT}> link", None),
        (f"hey <@{BOT}> where", None),
        ("<@U999> where", None),
        ("where", None),
    ],
)
def test_a_leading_mention_of_the_bot_is_a_command(text: str, command: str | None) -> None:
    assert mention_command(text, BOT, is_command=IS_COMMAND) == command


def test_the_adapter_can_claim_more_mention_words() -> None:
    assert mention_command(f"<@{BOT}> link", BOT, is_command=IS_COMMAND, also={"link"}) == "/link"
    assert mention_command(f"<@{BOT}> where", None, is_command=IS_COMMAND) is None
