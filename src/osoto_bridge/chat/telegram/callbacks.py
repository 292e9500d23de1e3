"""Button presses through Telegram's ``callback_data`` (at most 64 bytes).

A command reply's button carries an action id and a value (``todo_done`` and an
action item id). Most fit as ``a|<action>|<value>``; a longer pair is kept in a
bounded memory under a short random token (``t|<token>``), so a button still works
while the process that drew it runs. The link flow's own buttons use the ``l|``
prefix and are answered by the adapter, never by the commands.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from osoto_bridge.util import LRU

MAX_CALLBACK_DATA = 64
"""Telegram's limit on ``callback_data``, in bytes."""

ACTION_PREFIX = "a|"
TOKEN_PREFIX = "t|"
LINK_PREFIX = "l|"


@dataclass(frozen=True)
class ButtonAction:
    """What a pressed button asks for."""

    action_id: str
    value: str


class CallbackCodec:
    """Encodes button actions into ``callback_data`` and back.

    Args:
        capacity: how many long actions to remember (oldest forgotten first).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._long: LRU[str, ButtonAction] = LRU(capacity)

    def encode(self, action_id: str, value: str) -> str:
        """The ``callback_data`` of a button (always at most 64 bytes)."""
        direct = f"{ACTION_PREFIX}{action_id}|{value}"
        if "|" not in action_id and len(direct.encode()) <= MAX_CALLBACK_DATA:
            return direct
        token = secrets.token_urlsafe(12)
        self._long[token] = ButtonAction(action_id, value)
        return TOKEN_PREFIX + token

    def decode(self, data: str) -> ButtonAction | None:
        """The action behind ``callback_data``, or None if unknown or forgotten."""
        if data.startswith(ACTION_PREFIX):
            action_id, sep, value = data[len(ACTION_PREFIX) :].partition("|")
            return ButtonAction(action_id, value) if sep and action_id else None
        if data.startswith(TOKEN_PREFIX):
            return self._long.peek(data[len(TOKEN_PREFIX) :])
        return None


def link_data(token: str, choice: str) -> str:
    """The ``callback_data`` of a link-flow button (a channel choice or "cancel")."""
    data = f"{LINK_PREFIX}{token}|{choice}"
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError("link-flow callback data is too long")
    return data


def parse_link_data(data: str) -> tuple[str, str] | None:
    """``(token, choice)`` of a link-flow button, or None for any other data."""
    if not data.startswith(LINK_PREFIX):
        return None
    token, sep, choice = data[len(LINK_PREFIX) :].partition("|")
    return (token, choice) if sep and token else None
