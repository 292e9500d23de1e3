"""Recognising commands: slashes, bot mentions, the slash-less form, aliases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osoto_bridge.commands import COMMANDS, ParsedCommand, looks_like_command, parse_command

CASES = [
    ("/where tuesday", None, False, ("where", "tuesday")),
    ("/where", None, False, ("where", "")),
    ("  /where   tue  ", None, False, ("where", "tue")),
    ("/WHERE Tue", None, False, ("where", "Tue")),
    ("/where@MyBot tuesday", "MyBot", False, ("where", "tuesday")),
    ("/where@mybot tuesday", "@MyBot", False, ("where", "tuesday")),
    ("/where@MyBot tuesday", None, False, ("where", "tuesday")),
    ("/todo add buy milk\nand bread", None, False, ("todo", "add buy milk\nand bread")),
    ("/where\ntuesday", None, False, ("where", "tuesday")),
    ("／where 화요일", None, False, ("where", "화요일")),
    ("/어디 화요일", None, False, ("where", "화요일")),
    ("/할일", None, False, ("todo", "")),
    ("/start", None, False, ("help", "")),
    ("where tuesday", None, True, ("where", "tuesday")),
    ("todo add x", None, True, ("todo", "add x")),
    ("도움말", None, True, ("help", "")),
    ("/where tue", None, True, ("where", "tue")),
]


@pytest.mark.parametrize(("text", "bot", "slashless", "expected"), CASES)
def test_commands_are_recognised(
    text: str, bot: str | None, slashless: bool, expected: tuple[str, str]
) -> None:
    parsed = parse_command(text, bot_username=bot, slashless=slashless)
    assert parsed is not None
    assert (parsed.name, parsed.args) == expected


NOT_COMMANDS = [
    ("where tuesday", None, False),  # plain chat text
    ("/where@OtherBot tuesday", "MyBot", False),  # for another bot
    ("/usr/bin is a path", None, False),
    ("/where's the hotel?", None, False),
    ("/frobnicate", None, False),  # unknown: the service answers it
    ("frobnicate now", None, True),
    ("", None, False),
    ("/", None, False),
    ("hello /where", None, False),
]


@pytest.mark.parametrize(("text", "bot", "slashless"), NOT_COMMANDS)
def test_other_text_is_no_command(text: str, bot: str | None, slashless: bool) -> None:
    assert parse_command(text, bot_username=bot, slashless=slashless) is None


@pytest.mark.parametrize(
    ("text", "bot", "slashless", "expected"),
    [
        ("/frobnicate", None, False, True),
        ("/frobnicate@MyBot x", "MyBot", False, True),
        ("/frobnicate@OtherBot x", "MyBot", False, False),
        ("/usr/bin", None, False, False),
        ("frobnicate", None, True, True),
        ("just chatting", None, False, False),
    ],
)
def test_command_shapes(text: str, bot: str | None, slashless: bool, expected: bool) -> None:
    assert looks_like_command(text, bot_username=bot, slashless=slashless) is expected


def test_every_command_parses_by_its_own_name() -> None:
    for name in COMMANDS:
        assert parse_command(f"/{name}") == ParsedCommand(name, "", name)


@given(st.text(max_size=300), st.none() | st.text(max_size=40), st.booleans())
def test_no_input_crashes_the_parser(text: str, bot: str | None, slashless: bool) -> None:
    parsed = parse_command(text, bot_username=bot, slashless=slashless)
    looks_like_command(text, bot_username=bot, slashless=slashless)
    if parsed is not None:
        assert parsed.name in COMMANDS


@given(st.sampled_from(COMMANDS), st.text(max_size=100))
def test_arguments_survive_parsing(name: str, args: str) -> None:
    parsed = parse_command(f"/{name} {args}")
    assert parsed is not None
    assert parsed.name == name
    assert parsed.args == args.strip()
