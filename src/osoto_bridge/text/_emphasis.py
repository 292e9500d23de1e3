"""Pairing emphasis delimiters, shared by the Osoto Markdown and Slack parsers.

A simplified form of CommonMark's "process emphasis" algorithm: the tokenizer
leaves a :class:`Delim` for each run of ``*``, ``_`` or ``~`` with the flags its
neighbours allow (can it open, can it close); :func:`resolve` walks the closers left
to right, pairs each with the nearest opener that the syntax's ``pair`` rule
accepts, wraps what lies between, and turns every delimiter left over back into
literal text. Unmatched markers therefore stay as the user typed them.

As in CommonMark the inline items form a linked list and the delimiters a second
one, and each kind of closer remembers below which delimiter no partner exists,
so hostile input (thousands of markers) stays near linear.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from osoto_bridge.text.model import Span, Text, normalize_spans

MAX_NESTING = 12
"""Emphasis nests this deep at most; deeper markers stay literal text."""

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
    node: _Node | None = None
    before: Delim | None = None
    after: Delim | None = None

    def __post_init__(self) -> None:
        if not self.length:
            self.length = self.count


@dataclass(slots=True, eq=False)
class _Node:
    value: Span | Delim
    prev: _Node | None = None
    next: _Node | None = None


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


_Key = tuple[str, int, bool, bool, bool]


class _Resolver:
    def __init__(self, items: list[Item], pair: PairRule) -> None:
        self.pair = pair
        self.first: _Node | None = None
        self.first_delim: Delim | None = None
        # Per kind of closer: the delimiter at and below which no opener pairs.
        self.bottoms: dict[_Key, Delim | None] = {}
        self.depths: dict[int, int] = {}
        last: _Node | None = None
        last_delim: Delim | None = None
        for item in items:
            node = _Node(item, prev=last)
            if last is None:
                self.first = node
            else:
                last.next = node
            last = node
            if isinstance(item, Delim):
                item.node, item.before = node, last_delim
                if last_delim is None:
                    self.first_delim = item
                else:
                    last_delim.after = item
                last_delim = item

    def unlink(self, delim: Delim) -> None:
        """Take a delimiter off the delimiter list (its text stays in place)."""
        if delim.before is not None:
            delim.before.after = delim.after
        else:
            self.first_delim = delim.after
        if delim.after is not None:
            delim.after.before = delim.before
        for key, bottom in self.bottoms.items():
            if bottom is delim:
                self.bottoms[key] = delim.before

    def remove_node(self, node: _Node) -> None:
        if node.prev is not None:
            node.prev.next = node.next
        else:
            self.first = node.next
        if node.next is not None:
            node.next.prev = node.prev

    def run(self) -> tuple[Span, ...]:
        closer = self.first_delim
        while closer is not None:
            if not (closer.can_close and closer.count):
                closer = closer.after
                continue
            closer = self.close(closer)
        out: list[Span] = []
        node = self.first
        while node is not None:
            out.append(_literal(node.value))
            node = node.next
        return normalize_spans(out)

    def close(self, closer: Delim) -> Delim | None:
        """Pair ``closer`` once if it can; return the next closer to look at."""
        key = (
            closer.char,
            closer.length % 3,
            closer.length == 1,
            closer.can_open,
            closer.count >= 2,
        )
        stop = self.bottoms.get(key)
        opener = closer.before
        found: tuple[int, Wrap] | None = None
        while opener is not None and (key not in self.bottoms or opener is not stop):
            if opener.char == closer.char and opener.can_open and opener.count:
                found = self.pair(opener, closer)
                if found is not None:
                    break
            opener = opener.before
        if found is None or opener is None:
            self.bottoms[key] = closer.before
            following = closer.after
            if not closer.can_open:
                self.unlink(closer)
            return following
        assert opener.node is not None and closer.node is not None
        inner: list[Span] = []
        node = opener.node.next
        while node is not None and node is not closer.node:
            inner.append(_literal(node.value))
            node = node.next
        depth = 1 + max((self.depths.get(id(span), 0) for span in inner), default=0)
        if depth > MAX_NESTING:
            # Deeper emphasis is left as typed rather than nested without end.
            following = closer.after
            self.unlink(closer)
            return following
        # Markers between the pair can no longer pair with anything: text now.
        between = opener.after
        while between is not None and between is not closer:
            following_between = between.after
            self.unlink(between)
            between = following_between
        use, wrap = found
        wrapped = wrap(normalize_spans(inner))
        self.depths[id(wrapped)] = depth
        node = _Node(wrapped, prev=opener.node, next=closer.node)
        opener.node.next = node
        closer.node.prev = node
        opener.count -= use
        closer.count -= use
        if opener.count == 0:
            self.remove_node(opener.node)
            self.unlink(opener)
        if closer.count == 0:
            following = closer.after
            self.remove_node(closer.node)
            self.unlink(closer)
            return following
        return closer


def resolve(items: list[Item], pair: PairRule) -> tuple[Span, ...]:
    """Pair delimiters in ``items`` and return canonical spans."""
    return _Resolver(items, pair).run()


def _literal(item: Item) -> Span:
    if isinstance(item, Delim):
        return Text(item.char * item.count)
    return item
