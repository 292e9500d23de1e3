"""Walking, slicing and regrouping inline spans by offsets in their visible text.

Offsets count code points of the text a span shows: a :class:`Text` or
:class:`Code` its value, a :class:`LineBreak` one (``"\\n"``), a wrapper or link its
children. Parsers use this to cut a formatted run into paragraphs; the splitter
uses it to cut a paragraph into message-sized parts while keeping formatting on
both sides of the cut.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable

from osoto_bridge.text.model import (
    Block,
    Bold,
    BulletList,
    Code,
    Document,
    Heading,
    Italic,
    LineBreak,
    Link,
    Paragraph,
    Pre,
    Quote,
    Span,
    Strike,
    Text,
    normalize_spans,
)
from osoto_bridge.text.urls import find_urls


def span_length(span: Span) -> int:
    """Return how many code points of visible text ``span`` holds."""
    if isinstance(span, Text | Code):
        return len(span.value)
    if isinstance(span, LineBreak):
        return 1
    return spans_length(span.children)


def spans_length(spans: Iterable[Span]) -> int:
    """Return the visible length of a run of spans."""
    return sum(span_length(span) for span in spans)


def visible_text(spans: Iterable[Span]) -> str:
    """Return the visible text of spans, offsets matching :func:`slice_spans`."""
    out: list[str] = []
    for span in spans:
        if isinstance(span, Text | Code):
            out.append(span.value)
        elif isinstance(span, LineBreak):
            out.append("\n")
        else:
            out.append(visible_text(span.children))
    return "".join(out)


def slice_spans(spans: Iterable[Span], start: int, end: int) -> tuple[Span, ...]:
    """Return the part of ``spans`` between two visible-text offsets.

    Formatting is kept on both sides: slicing ``**abcd**`` at 2 gives ``**ab**``
    and ``**cd**``. Canonical spans (see :func:`normalize_spans`) give canonical
    slices.
    """
    out: list[Span] = []
    pos = 0
    for span in spans:
        length = span_length(span)
        lo, hi = max(start - pos, 0), min(end - pos, length)
        if lo < hi:
            if lo == 0 and hi == length:
                out.append(span)
            elif isinstance(span, Text):
                out.append(Text(span.value[lo:hi]))
            elif isinstance(span, Code):
                out.append(Code(span.value[lo:hi]))
            elif isinstance(span, Link):
                out.append(Link(span.url, slice_spans(span.children, lo, hi)))
            elif isinstance(span, Bold | Italic | Strike):
                out.append(type(span)(slice_spans(span.children, lo, hi)))
        pos += length
        if pos >= end:
            break
    # Cutting canonical spans leaves them canonical: nothing to merge or drop.
    return tuple(out)


class SpanRun:
    """A run of spans with its offsets indexed, for slicing it many times fast."""

    def __init__(self, spans: tuple[Span, ...]) -> None:
        """Index ``spans``."""
        self.spans = spans
        self.starts: list[int] = []
        pos = 0
        for span in spans:
            self.starts.append(pos)
            pos += span_length(span)
        self.length = pos
        self.text = visible_text(spans)

    def slice(self, start: int, end: int) -> tuple[Span, ...]:
        """Return the part between two offsets, like :func:`slice_spans`."""
        first = max(bisect_right(self.starts, start) - 1, 0)
        last = bisect_left(self.starts, end)
        offset = self.starts[first] if self.starts else 0
        return slice_spans(self.spans[first:last], start - offset, end - offset)


def map_spans(spans: Iterable[Span], fn: Callable[[str], str]) -> tuple[Span, ...]:
    """Apply ``fn`` to every text and code value in ``spans``."""
    out: list[Span] = []
    for span in spans:
        if isinstance(span, Text):
            out.append(Text(fn(span.value)))
        elif isinstance(span, Code):
            out.append(Code(fn(span.value)))
        elif isinstance(span, Link):
            out.append(Link(span.url, map_spans(span.children, fn)))
        elif isinstance(span, Bold | Italic | Strike):
            out.append(type(span)(map_spans(span.children, fn)))
        else:
            out.append(span)
    return normalize_spans(out)


def map_blocks(blocks: Iterable[Block], fn: Callable[[str], str]) -> tuple[Block, ...]:
    """Apply ``fn`` to every text, code and preformatted value in ``blocks``."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph | Heading):
            out.append(type(block)(map_spans(block.spans, fn)))
        elif isinstance(block, Pre):
            out.append(Pre(fn(block.value), block.language))
        elif isinstance(block, Quote):
            out.append(Quote(map_blocks(block.blocks, fn)))
        else:
            out.append(BulletList(tuple(map_spans(item, fn) for item in block.items)))
    return tuple(out)


def map_document(document: Document, fn: Callable[[str], str]) -> Document:
    """Apply ``fn`` to every piece of text in ``document``."""
    return Document(map_blocks(document.blocks, fn), document.buttons)


def paragraphs(spans: tuple[Span, ...]) -> list[tuple[Span, ...]]:
    """Cut a run of spans into paragraphs at blank (or whitespace-only) lines.

    Leading and trailing blank lines disappear; lines keep their own whitespace.
    """
    run = SpanRun(spans)
    visible = run.text
    out: list[tuple[Span, ...]] = []
    first: int | None = None
    last_end = 0
    pos = 0
    for line in visible.split("\n"):
        end = pos + len(line)
        if line.strip():
            if first is None:
                first = pos
            last_end = end
        elif first is not None:
            out.append(run.slice(first, last_end))
            first = None
        pos = end + 1
    if first is not None:
        out.append(run.slice(first, last_end))
    return [p for p in out if p]


def linkify(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Turn bare URLs inside plain texts into links (not inside code or links)."""
    out: list[Span] = []
    for span in spans:
        if isinstance(span, Text):
            pos = 0
            for start, end in find_urls(span.value):
                out.append(Text(span.value[pos:start]))
                url = span.value[start:end]
                out.append(Link(url, (Text(url),)))
                pos = end
            out.append(Text(span.value[pos:]))
        elif isinstance(span, Bold | Italic | Strike):
            out.append(type(span)(linkify(span.children)))
        else:
            out.append(span)
    return normalize_spans(out)
