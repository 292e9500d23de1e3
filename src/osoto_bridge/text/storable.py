"""Text every store and platform can hold: lone surrogates become U+FFFD.

JSON may carry a lone UTF-16 surrogate (``"\\ud800"``), and Telegram's and Slack's
do; Python decodes it into a string that no UTF-8 codec (SQLite, PostgreSQL, an
HTTP body) can encode. Such a message was dropped whole. Replacing the stray code
unit with U+FFFD, once, where a message enters the bridge, keeps the rest of it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["storable", "storable_value"]

_T = TypeVar("_T")


def storable(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (itself when it has none)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A high and a low surrogate side by side are one character written in two
        # halves: surrogatepass then utf-16 pairs them; only lone ones are replaced.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def storable_value(value: _T) -> _T:
    """``value`` with `storable` applied to every string inside it.

    Walks frozen dataclasses (a message and its rich-text document), tuples, lists
    and dicts; anything else is returned as is. Unchanged parts are returned
    themselves, so a clean message costs one encode per string and no copies.
    """
    return _walk(value)  # type: ignore[no-any-return]


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, tuple):
        items = tuple(_walk(item) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, list):
        return [_walk(item) for item in value]
    if isinstance(value, dict):
        return {_walk(key): _walk(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            cleaned = _walk(current)
            if cleaned is not current:
                changes[field.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    return value
