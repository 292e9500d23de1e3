"""Recognise a chat command: `/where tuesday`, `/where@MyBot tuesday`, `where tuesday`.

The slash-less form is for Slack's `/osoto where tuesday`, where the platform has
already addressed the text to the bot. Korean aliases (`/어디`, `할일`) work in both
forms; Telegram's `/start` shows the help.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "COMMANDS",
    "ParsedCommand",
    "looks_like_command",
    "parse_command",
]

COMMANDS: tuple[str, ...] = (
    "where",
    "next",
    "plan",
    "todo",
    "done",
    "pins",
    "who",
    "trip",
    "share",
    "remind",
    "brief",
    "notify",
    "lang",
    "status",
    "help",
)
"""The canonical command names, in the order `/help` lists them."""

_ALIASES: dict[str, str] = {
    "start": "help",
    "commands": "help",
    "todos": "todo",
    "language": "lang",
    "어디": "where",
    "숙소": "where",
    "다음": "next",
    "일정": "plan",
    "할일": "todo",
    "완료": "done",
    "장소": "pins",
    "지도": "pins",
    "멤버": "who",
    "누구": "who",
    "여행": "trip",
    "공유": "share",
    "reminder": "remind",
    "reminders": "remind",
    "briefing": "brief",
    "notifications": "notify",
    "리마인더": "remind",
    "브리핑": "brief",
    "알림": "notify",
    "언어": "lang",
    "상태": "status",
    "도움말": "help",
    "도움": "help",
}

# Telegram allows [A-Za-z0-9_] in command names; Korean aliases reach us as text.
_HEAD = re.compile(r"/(?P<name>[^\W]{1,32})(?:@(?P<bot>[A-Za-z0-9_]{1,64}))?", re.UNICODE)
_BARE_HEAD = re.compile(r"(?P<name>[^\W]{1,32})", re.UNICODE)
_SLASHES = ("/", "／")  # the full-width slash of CJK keyboards


@dataclass(frozen=True)
class ParsedCommand:
    """A recognised command.

    Attributes:
        name: The canonical command name (one of `COMMANDS`).
        args: The rest of the text, stripped (may span several lines).
        raw_name: The name as typed (`어디`, `WHERE`).
    """

    name: str
    args: str
    raw_name: str


def _split(text: str, *, slashless: bool) -> tuple[str, str | None, str] | None:
    """Split text into (name, bot mention, args), or None if it is no command shape."""
    stripped = text.strip()
    if stripped.startswith(_SLASHES):
        stripped = "/" + stripped[1:]
        match = _HEAD.match(stripped)
    elif slashless:
        match = _BARE_HEAD.match(stripped)
    else:
        return None
    if match is None:
        return None
    rest = stripped[match.end() :]
    if rest and not rest[0].isspace():
        # `/usr/bin` or `/where's` is text, not a command.
        return None
    bot = match.groupdict().get("bot")
    # Only the name is normalised (decomposed Hangul from some keyboards); the
    # arguments stay exactly as typed.
    return unicodedata.normalize("NFC", match["name"]), bot, rest.strip()


def _canonical(name: str) -> str | None:
    folded = name.casefold()
    if folded in COMMANDS:
        return folded
    return _ALIASES.get(folded)


def _addressed_to_us(bot: str | None, bot_username: str | None) -> bool:
    if bot is None or bot_username is None:
        return True
    return bot.casefold() == bot_username.lstrip("@").casefold()


def parse_command(
    text: str, *, bot_username: str | None = None, slashless: bool = False
) -> ParsedCommand | None:
    """Recognise a command.

    Args:
        text: The message text.
        bot_username: The bot's username; a `/cmd@OtherBot` for another bot is no
            command of ours. None accepts any mention.
        slashless: Also accept `where tuesday` (text the platform already addressed
            to the bot, like Slack's `/osoto where tuesday`).

    Returns:
        The command, or None when the text is not one of our commands (unknown
        names included). Never raises.
    """
    parts = _split(text, slashless=slashless)
    if parts is None:
        return None
    raw_name, bot, args = parts
    if not _addressed_to_us(bot, bot_username):
        return None
    name = _canonical(raw_name)
    if name is None:
        return None
    return ParsedCommand(name=name, args=args, raw_name=raw_name)


def looks_like_command(
    text: str, *, bot_username: str | None = None, slashless: bool = False
) -> bool:
    """Whether text has the shape of a command addressed to us, known or not.

    The service answers such text with "unknown command, see /help" when
    `parse_command` does not know it; a path like `/usr/bin` or a command for
    another bot has no command shape for us.

    Args:
        text: The message text.
        bot_username: The bot's username (see `parse_command`).
        slashless: As in `parse_command`.

    Returns:
        True for `/anything` (optionally `@us`), and for any text when `slashless`.
    """
    parts = _split(text, slashless=slashless)
    if parts is None:
        return slashless and bool(text.strip())
    return _addressed_to_us(parts[1], bot_username)
