"""Builders for documents: the quick way to write a reply in code.

Each accepts plain ``str`` wherever a span (or, for :func:`doc` and :func:`quote`,
a block) is expected and returns the canonical form, so
``doc(paragraph("Hi ", bold("Alice")))`` compares equal to what a parser returns
for the same text.
"""

from __future__ import annotations

from collections.abc import Iterable

from osoto_bridge.text.model import (
    BlockLike,
    Bold,
    BulletList,
    Button,
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
    SpanLike,
    Strike,
    Text,
    normalize_blocks,
    normalize_spans,
)


def text(value: str) -> Text:
    """Build a literal text span."""
    return Text(value)


def bold(*children: SpanLike) -> Bold:
    """Build bold text from spans or strings."""
    return Bold(normalize_spans(children))


def italic(*children: SpanLike) -> Italic:
    """Build italic text from spans or strings."""
    return Italic(normalize_spans(children))


def strike(*children: SpanLike) -> Strike:
    """Build struck-through text from spans or strings."""
    return Strike(normalize_spans(children))


def code(value: str) -> Code:
    """Build inline code."""
    return Code(value)


def link(url: str, *children: SpanLike) -> Link:
    """Build a link; without a label the address is its own label."""
    return Link(url, normalize_spans(children) if children else (Text(url),))


def line_break() -> LineBreak:
    """Build a line break."""
    return LineBreak()


def paragraph(*spans: SpanLike) -> Paragraph:
    """Build a paragraph from spans or strings."""
    return Paragraph(normalize_spans(spans))


def heading(*spans: SpanLike) -> Heading:
    """Build a heading from spans or strings."""
    return Heading(normalize_spans(spans))


def pre(value: str, language: str | None = None) -> Pre:
    """Build a preformatted block."""
    return Pre(value, language)


def quote(*blocks: BlockLike) -> Quote:
    """Build a block quote from blocks, spans or strings (each a paragraph)."""
    return Quote(normalize_blocks(blocks))


def bullet_list(*items: SpanLike | Iterable[SpanLike]) -> BulletList:
    """Build a bulleted list; each item is a span, a string or a run of them."""
    built: list[tuple[Span, ...]] = []
    for item in items:
        if isinstance(item, str | Text | Bold | Italic | Strike | Code | Link | LineBreak):
            built.append(normalize_spans((item,)))
        else:
            built.append(normalize_spans(item))
    return BulletList(tuple(built))


def button(label: str, action_id: str, value: str) -> Button:
    """Build a button for a command reply."""
    return Button(label, action_id, value)


def doc(*blocks: BlockLike, buttons: Iterable[Iterable[Button]] = ()) -> Document:
    """Build a canonical document from blocks, spans or strings.

    Args:
        *blocks: The blocks; a ``str`` or a span is a paragraph of its own (a
            string's newlines become line breaks; it is not parsed in any way).
        buttons: Rows of buttons for a command reply.
    """
    return Document(normalize_blocks(blocks), tuple(tuple(row) for row in buttons))
