"""Pairing emphasis delimiters, shared by the Osoto Markdown and Slack parsers.

A simplified form of CommonMark's "process emphasis" algorithm: the tokenizer
leaves a :class:`Delim` for each run of ``*``, ``_`` or ``~`` with the flags its
neighbours allow (can it open, can it close); :func:`resolve` walks the closers left
to right, pairs each with the nearest opener that the syntax's ``pair`` rule
accepts, wraps what lies between, and turns every delimiter left over back into
literal text. Unmatched markers therefore stay as the user typed them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from osoto_bridge.text.model import Span, Text, normalize_spans

Wrap = Callable[[tuple[Span, ...]], Span]
PairRule = Callable[["Delim", "Delim"], "tuple[int, Wrap] | None"]


@dataclass(slots=True, eq=False)
class Delim:
    """A run of one delimiter character still waiting for a partner."""

    char: str
    count: int
    can_open: bool
    can_close: bool
    length: int = 0
    """The run's original length (``count`` shrinks as it pairs)."""

    def __post_init__(self) -> None:
        if not self.length:
            self.length = self.count


Item = Span | Delim


def is_space(char: str) -> bool:
    """Whitespace for flanking purposes; the edge of the text (``""``) counts."""
    return not char or char.isspace()


def is_punct(char: str) -> bool:
    """Unicode punctuation or symbol, as CommonMark defines it for flanking."""
    return bool(char) and unicodedata.category(char)[0] in "PS"


def flanking(before: str, after: str) -> tuple[bool, bool]:
    """Return (left-flanking, right-flanking) for a run between two characters."""
    left = not is_space(after) and (not is_punct(after) or is_space(before) or is_punct(before))
    right = not is_space(before) and (not is_punct(before) or is_space(after) or is_punct(after))
    return left, right


def resolve(items: list[Item], pair: PairRule) -> tuple[Span, ...]:
    """Pair delimiters in ``items`` and return canonical spans."""
    bottoms: dict[tuple[str, int, bool, int], Item | None] = {}
    i = 0
    while i < len(items):
        closer = items[i]
        if not (isinstance(closer, Delim) and closer.can_close and closer.count):
            i += 1
            continue
        key = (closer.char, closer.length, closer.can_open, min(closer.count, 2))
        stop = bottoms.get(key)
        found: tuple[int, int, Wrap] | None = None
        j = i - 1
        while j >= 0:
            candidate = items[j]
            if candidate is stop:
                break
            if (
                isinstance(candidate, Delim)
                and candidate.char == closer.char
                and candidate.can_open
                and candidate.count
            ):
                rule = pair(candidate, closer)
                if rule is not None:
                    found = (j, *rule)
                    break
            j -= 1
        if found is None:
            # No opener before here can pair with a closer like this one: later
            # closers of the same kind need not look past this point again.
            if i > 0:
                bottoms[key] = items[i - 1]
            i += 1
            continue
        j, use, wrap = found
        opener = items[j]
        assert isinstance(opener, Delim)
        inner = tuple(_literal(item) for item in items[j + 1 : i])
        opener.count -= use
        closer.count -= use
        items[j + 1 : i] = [wrap(normalize_spans(inner))]
        i = j + 2
        if opener.count == 0:
            del items[j]
            i -= 1
        if closer.count == 0:
            del items[i]
    return normalize_spans(_literal(item) for item in items)


def _literal(item: Item) -> Span:
    if isinstance(item, Delim):
        return Text(item.char * item.count)
    return item
