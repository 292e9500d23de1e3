"""The ``/osoto`` slash command: its payload, its subcommands, and where answers go.

Slack shows nobody the text of a slash command, and gives no message id to reply
to. A command handed to the relay therefore gets a made-up message id
(``slash:<trigger id>``) that `SlashReplies` ties to the command's ``response_url``:
when the relay's answer comes back to `SlackChat.send` with that id as its
``reply_to``, it is posted through the response URL, where Slack shows it with the
command that asked for it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PRESSED_PREFIX",
    "SLASH_COMMAND",
    "SLASH_PREFIX",
    "SlashCommand",
    "SlashReplies",
    "split_subcommand",
]

SLASH_COMMAND = "/osoto"
SLASH_PREFIX = "slash:"
PRESSED_PREFIX = "pressed:"
"""The made-up id of a pressed message that has no ts ``chat.update`` knows (an
ephemeral answer): only its response URL can redraw it."""
RESPONSE_URL_TTL = 30 * 60.0
"""Slack honours a response URL for 30 minutes."""
MAX_PENDING = 1_000


@dataclass(frozen=True)
class SlashCommand:
    """One ``/osoto …`` invocation."""

    text: str
    channel_id: str
    user_id: str
    user_name: str
    trigger_id: str
    response_url: str
    channel_name: str = ""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SlashCommand:
        return cls(
            text=str(payload.get("text") or ""),
            channel_id=str(payload.get("channel_id") or ""),
            user_id=str(payload.get("user_id") or ""),
            user_name=str(payload.get("user_name") or ""),
            trigger_id=str(payload.get("trigger_id") or ""),
            response_url=str(payload.get("response_url") or ""),
            channel_name=str(payload.get("channel_name") or ""),
        )

    @property
    def message_id(self) -> str:
        """The made-up message id the relay answers to."""
        return SLASH_PREFIX + self.trigger_id

    @property
    def in_direct_message(self) -> bool:
        return self.channel_id.startswith("D") or self.channel_name == "directmessage"


def split_subcommand(text: str) -> tuple[str, str]:
    """``"Where  tuesday"`` → ``("where", "tuesday")``; a leading slash is dropped."""
    stripped = text.strip().lstrip("/／").strip()
    if not stripped:
        return "", ""
    head, _, rest = stripped.partition(" ")
    return head.casefold(), rest.strip()


class SlashReplies:
    """Response URLs of the commands waiting for the relay's answer.

    Args:
        clock: Monotonic time, to forget URLs Slack no longer honours.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._pending: OrderedDict[str, tuple[float, SlashCommand]] = OrderedDict()
        self._pressed: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def expect(self, command: SlashCommand) -> str:
        """Remember ``command`` until its answer comes; returns its message id."""
        now = self._clock()
        _forget_old(self._pending, now)
        self._pending[command.message_id] = (now, command)
        return command.message_id

    def pressed(self, message_id: str, response_url: str) -> str:
        """Remember the response URL a button press came with, for redrawing the
        pressed message ``message_id`` (a ts, or a `PRESSED_PREFIX` id); returns it."""
        now = self._clock()
        _forget_old(self._pressed, now)
        self._pressed[message_id] = (now, response_url)
        return message_id

    def redraw_url(self, message_id: str) -> str | None:
        """The response URL that can redraw a pressed message, while Slack honours it."""
        found = self._pressed.get(message_id)
        if found is None or self._clock() - found[0] >= RESPONSE_URL_TTL:
            return None
        return found[1]

    def get(self, message_id: str) -> SlashCommand | None:
        """The command behind a made-up message id, if its URL is still good."""
        found = self._pending.get(message_id)
        if found is None or self._clock() - found[0] >= RESPONSE_URL_TTL:
            return None
        return found[1]


def _forget_old(pending: OrderedDict[str, tuple[float, Any]], now: float) -> None:
    """Drop entries Slack no longer honours, and the oldest past `MAX_PENDING`."""
    while pending:
        first_at = next(iter(pending.values()))[0]
        if now - first_at < RESPONSE_URL_TTL and len(pending) < MAX_PENDING:
            break
        pending.popitem(last=False)
