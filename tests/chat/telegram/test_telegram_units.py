"""The adapter's pure parts: reading messages, planning sends, buttons, the menu."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Message
from telegram.error import RetryAfter

import osoto_bridge.chat.telegram as package
from fakes.telegram_api import parse_html, utf16_len
from osoto_bridge.chat import ChatAddress, OutboundMessage
from osoto_bridge.chat.telegram import (
    MAX_CALLBACK_DATA,
    CallbackCodec,
    FloodControl,
    menu_commands,
    plan_parts,
    to_inbound,
    webhook_path,
    webhook_secret,
)
from osoto_bridge.chat.telegram.callbacks import link_data, parse_link_data
from osoto_bridge.cli.adapters import build_telegram_adapter
from osoto_bridge.commands import COMMAND_CATALOG
from osoto_bridge.config import load_settings
from osoto_bridge.text import button, doc, from_plain, paragraph

_BOT = Bot("1:fake")
_CHAT = {"id": -100123, "type": "supergroup", "title": "Trip"}
_ALICE = {"id": 42, "is_bot": False, "first_name": "Alice", "last_name": "Liddell"}


def _message(**fields: Any) -> Message:
    data: dict[str, Any] = {"message_id": 7, "date": 1_700_000_000, "chat": _CHAT, "from": _ALICE}
    data.update(fields)
    return Message.de_json(data, _BOT)


def test_a_text_message_keeps_its_formatting_and_author() -> None:
    inbound = to_inbound(
        _message(text="see you at 7", entities=[{"type": "bold", "offset": 11, "length": 1}])
    )
    assert inbound is not None
    assert inbound.address == ChatAddress("telegram", "-100123", None)
    assert inbound.author_name == "Alice Liddell" and inbound.author_id == "42"
    assert inbound.document.plain_text() == "see you at 7"
    assert "Bold" in repr(inbound.document)
    assert inbound.raw_text == "see you at 7"


def test_service_messages_are_not_messages() -> None:
    assert to_inbound(_message(new_chat_members=[_ALICE])) is None
    assert to_inbound(_message(pinned_message={"message_id": 1, "date": 0, "chat": _CHAT})) is None
    assert to_inbound(_message(forum_topic_created={"name": "x", "icon_color": 1})) is None


def test_a_reply_names_its_parent_but_a_topic_opening_is_no_reply() -> None:
    parent = {"message_id": 3, "date": 0, "chat": _CHAT, "from": _ALICE, "text": "ferry at 9?"}
    reply = to_inbound(_message(text="yes", reply_to_message=parent))
    assert reply is not None
    assert (reply.reply_to_message_id, reply.reply_to_author, reply.reply_to_text) == (
        "3",
        "Alice Liddell",
        "ferry at 9?",
    )
    opening = {
        "message_id": 5,
        "date": 0,
        "chat": _CHAT,
        "from": _ALICE,
        "forum_topic_created": {"name": "Plans", "icon_color": 1},
    }
    in_topic = to_inbound(
        _message(text="hi", message_thread_id=5, is_topic_message=True, reply_to_message=opening)
    )
    assert in_topic is not None
    assert in_topic.address.thread_id == "5"
    assert in_topic.reply_to_message_id is None


def test_a_reply_thread_in_an_ordinary_supergroup_is_no_topic() -> None:
    parent = {"message_id": 3, "date": 0, "chat": _CHAT, "from": _ALICE, "text": "q"}
    inbound = to_inbound(_message(text="a", message_thread_id=3, reply_to_message=parent))
    assert inbound is not None and inbound.address.thread_id is None


def test_an_edit_is_marked_with_its_edit_date() -> None:
    edited = to_inbound(_message(text="meet at 7", edit_date=1_700_000_100), edited=True)
    assert edited is not None
    assert edited.edit_of == "7" and edited.edit_marker == "1700000100"


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        ({"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                      "height": 1, "is_animated": False, "is_video": False, "emoji": "😀"}},
         "Sticker 😀"),
        ({"document": {"file_id": "d", "file_unique_id": "d", "file_name": "tickets.pdf"}},
         "📎 File: tickets.pdf"),
        ({"venue": {"location": {"latitude": 1.5, "longitude": 2.5}, "title": "Castle",
                    "address": "Rua 1"}, "location": {"latitude": 1.5, "longitude": 2.5}},
         "📍 Castle, Rua 1: https://www.openstreetmap.org/?mlat=1.500000&mlon=2.500000"),
        ({"contact": {"phone_number": "+351000", "first_name": "Rita"}}, "👤 Contact: Rita"),
    ],
)  # fmt: skip
def test_media_become_one_clear_line(fields: dict[str, Any], line: str) -> None:
    inbound = to_inbound(_message(**fields))
    assert inbound is not None
    assert inbound.document.plain_text().startswith(line)
    assert "+351000" not in inbound.document.plain_text()  # a contact's number stays out


def test_the_callback_codec_fits_64_bytes_and_round_trips() -> None:
    codec = CallbackCodec()
    short = codec.encode("todo_done", "jx7abcdefghijklmnopqrstuvwxyz012")
    assert short.startswith("a|") and codec.decode(short) is not None
    long_value = "한국어" * 40
    data = codec.encode("todo_done", long_value)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    decoded = codec.decode(data)
    assert decoded is not None and decoded.value == long_value
    assert codec.decode("t|forgotten") is None
    assert codec.decode(link_data("tok", "2")) is None  # the link flow's, not an action
    assert parse_link_data(link_data("tok", "2")) == ("tok", "2")


@given(st.text(min_size=1, max_size=20), st.text(max_size=200))
def test_any_action_encodes_within_the_limit(action_id: str, value: str) -> None:
    codec = CallbackCodec()
    data = codec.encode(action_id, value)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    decoded = codec.decode(data)
    assert decoded is not None and (decoded.action_id, decoded.value) == (action_id, value)


def test_a_long_message_is_split_within_telegrams_limit_with_buttons_last() -> None:
    words = " ".join(f"w{n}" for n in range(3000))
    document = doc(paragraph(words), buttons=[[button("✓ 1", "todo_done", "item1")]])
    parts = plan_parts(OutboundMessage(ChatAddress("telegram", "1"), document), CallbackCodec())
    assert len(parts) > 1
    for part in parts:
        visible, _ = parse_html(part.html)  # Telegram's own reading of the markup
        assert utf16_len(visible) <= 4096
    assert [p.keyboard is not None for p in parts] == [False] * (len(parts) - 1) + [True]
    shown = " ".join(parse_html(p.html)[0] for p in parts)
    assert [w for w in shown.split() if w.startswith("w")] == words.split()


def test_a_sender_name_goes_into_the_text() -> None:
    message = OutboundMessage(ChatAddress("telegram", "1"), from_plain("hi"), username="Ben")
    (part,) = plan_parts(message, CallbackCodec())
    assert part.plain.startswith("Ben") and part.plain.endswith("hi")


def test_the_menu_has_every_command_in_both_languages_within_telegrams_rules() -> None:
    for language in ("en", "ko"):
        commands = menu_commands(COMMAND_CATALOG, language)
        names = [c.command for c in commands]
        assert len(names) == len(set(names)) <= 100
        assert {"where", "todo", "done", "link", "unlink"} <= set(names)
        assert all(1 <= len(c.description) <= 256 for c in commands)
    assert (
        menu_commands(COMMAND_CATALOG, "en")[0].description
        != menu_commands(COMMAND_CATALOG, "ko")[0].description
    )


def test_the_webhook_secret_is_stable_secret_and_of_telegrams_alphabet() -> None:
    secret = webhook_secret("123:abc")
    assert secret == webhook_secret("123:abc") != webhook_secret("123:abd")
    assert "abc" not in secret and set(secret) <= set("0123456789abcdef")
    assert 1 <= len(secret) <= 256
    assert webhook_path("https://bridge.example/hooks/tg?x=1") == "/hooks/tg"
    assert webhook_path(None) == "/telegram/webhook"


def test_the_package_exports_an_importable_surface() -> None:
    assert len(set(package.__all__)) == len(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_edit_dates_are_read_as_aware_datetimes() -> None:
    # python-telegram-bot converts edit_date; the marker must not depend on local time
    message = _message(text="x", edit_date=1_700_000_100)
    assert message.edit_date == dt.datetime(2023, 11, 14, 22, 15, tzinfo=dt.UTC)


async def test_flood_control_waits_out_every_429_until_the_request_goes_through() -> None:
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    flood = FloodControl(overall_rate=0, group_rate=0, sleep=sleep)
    attempts: list[int] = []

    async def request() -> bool:
        attempts.append(1)
        if len(attempts) < 4:
            raise RetryAfter(dt.timedelta(seconds=5))
        return True

    result = await flood.process_request(request, (), {}, "sendMessage", {"chat_id": -5}, None)
    assert result is True
    assert waits == [5.0, 5.0, 5.0]


async def test_flood_control_can_be_told_to_give_up() -> None:
    async def sleep(delay: float) -> None:
        return None

    flood = FloodControl(overall_rate=0, group_rate=0, sleep=sleep, max_retries=1)

    async def request() -> bool:
        raise RetryAfter(dt.timedelta(seconds=1))

    with pytest.raises(RetryAfter):
        await flood.process_request(request, (), {}, "sendMessage", {"chat_id": 1}, None)


def test_the_adapter_is_built_from_the_settings() -> None:
    settings = load_settings(
        {
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": "123:abc",
            "OSOTO_BRIDGE_TELEGRAM_WEBHOOK_URL": "https://bridge.example/tg",
        }
    )
    chat = build_telegram_adapter(settings)
    assert chat.webhook_url == "https://bridge.example/tg"
    assert chat.webhook_secret == webhook_secret("123:abc")
    with pytest.raises(ValueError, match="TELEGRAM_TOKEN"):
        build_telegram_adapter(load_settings({}))
