"""The arguments of `/todo add TEXT` and `/done N|TEXT`, and the numbering they share.

Urgency of a new item comes from a flag anywhere (`--now`, `!now`, `--before`,
`!nice`, `!지금`, ...) or from a word at the start or end (`urgent`, `asap`, `지금`,
`긴급`; `someday`, `나중에`); flags and those words are taken out of the text. Without
either, the caller picks a default.

`/todo` numbers the open items group by group (now, before the trip, nice to have,
then anything else), in the snapshot's order within a group; `/done 3` counts the
same way on the same snapshot.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from osoto_bridge.osoto import ActionItem, TripExport

__all__ = [
    "URGENCIES",
    "ItemMatch",
    "NewItem",
    "find_item",
    "numbered_open_items",
    "parse_new_item",
]

URGENCIES: tuple[str, ...] = ("now", "before_trip", "nice_to_have")
"""The urgencies in display order."""

_FLAGS: dict[str, str] = {
    "now": "now",
    "urgent": "now",
    "asap": "now",
    "지금": "now",
    "긴급": "now",
    "before": "before_trip",
    "before-trip": "before_trip",
    "before_trip": "before_trip",
    "beforetrip": "before_trip",
    "전": "before_trip",
    "출발전": "before_trip",
    "nice": "nice_to_have",
    "nice-to-have": "nice_to_have",
    "nice_to_have": "nice_to_have",
    "later": "nice_to_have",
    "someday": "nice_to_have",
    "나중": "nice_to_have",
    "나중에": "nice_to_have",
}
_WORDS: dict[str, str] = {
    "urgent": "now",
    "asap": "now",
    "now": "now",
    "지금": "now",
    "당장": "now",
    "긴급": "now",
    "급함": "now",
    "급해": "now",
    "someday": "nice_to_have",
    "maybe": "nice_to_have",
    "later": "nice_to_have",
    "나중에": "nice_to_have",
    "언젠가": "nice_to_have",
}
_FLAG_PREFIXES = ("--", "!", "—")  # an em dash: phones turn "--" into one
_MAX_TEXT = 500


@dataclass(frozen=True)
class NewItem:
    """A parsed `/todo add`.

    Attributes:
        text: The item's text, flags and urgency words removed.
        urgency: The urgency asked for, or None for the caller's default.
    """

    text: str
    urgency: str | None


def _flag(token: str) -> str | None:
    for prefix in _FLAG_PREFIXES:
        if token.startswith(prefix) and len(token) > len(prefix):
            return _FLAGS.get(token[len(prefix) :].casefold())
    return None


def _word(token: str) -> str | None:
    return _WORDS.get(token.casefold().strip(":,;.!"))


def parse_new_item(args: str) -> NewItem | None:
    """Parse the text after `/todo add`.

    Args:
        args: The text, e.g. `book the ferry --now` or `urgent: 환전하기`.

    Returns:
        The new item, or None when no text is left.
    """
    tokens = unicodedata.normalize("NFC", args).split()
    urgency: str | None = None
    kept: list[str] = []
    for token in tokens:
        flagged = _flag(token)
        if flagged is not None:
            urgency = flagged
        else:
            kept.append(token)
    if urgency is None and len(kept) > 1:
        for index in (0, -1):
            worded = _word(kept[index])
            if worded is not None:
                urgency = worded
                del kept[index]
                break
    text = " ".join(kept).strip(" :-")[:_MAX_TEXT]
    return NewItem(text, urgency) if text else None


def numbered_open_items(export: TripExport) -> list[ActionItem]:
    """The open items in `/todo` order; item `n` of `/done n` is at index `n - 1`."""
    open_items = [item for item in export.action_items if not item.done]
    rank = {urgency: index for index, urgency in enumerate(URGENCIES)}
    # sorted() is stable, so the snapshot's order holds within a group.
    return sorted(open_items, key=lambda item: rank.get(item.urgency, len(URGENCIES)))


@dataclass(frozen=True)
class ItemMatch:
    """What `/done N|TEXT` points at.

    Attributes:
        item: The one open item meant, if exactly one.
        number: Its `/todo` number.
        candidates: Several open items that match the text.
        already_done: A done item matching the text, when no open one does.
    """

    item: ActionItem | None = None
    number: int | None = None
    candidates: tuple[tuple[int, ActionItem], ...] = ()
    already_done: ActionItem | None = None


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def find_item(export: TripExport, query: str) -> ItemMatch:
    """Find the item `/done` refers to, by `/todo` number or by text.

    Args:
        export: The snapshot the numbers were shown from.
        query: `3`, `#3`, or words from the item's text.

    Returns:
        The match; empty when nothing matches.
    """
    items = numbered_open_items(export)
    wanted = query.strip().lstrip("#")
    if wanted.isdecimal() and len(wanted) < 6:
        number = int(wanted)
        if 1 <= number <= len(items):
            return ItemMatch(item=items[number - 1], number=number)
        return ItemMatch()
    needle = _norm(query)
    if not needle:
        return ItemMatch()
    numbered = list(enumerate(items, start=1))
    exact = [(n, item) for n, item in numbered if _norm(item.text) == needle]
    found = exact or [(n, item) for n, item in numbered if needle in _norm(item.text)]
    if len(found) == 1:
        return ItemMatch(item=found[0][1], number=found[0][0])
    if found:
        return ItemMatch(candidates=tuple(found))
    done = _done_match(export.action_items, needle)
    return ItemMatch(already_done=done)


def _done_match(items: Sequence[ActionItem], needle: str) -> ActionItem | None:
    for item in items:
        if item.done and needle in _norm(item.text):
            return item
    return None
