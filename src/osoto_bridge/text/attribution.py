"""Who said it: the author line the relay puts on messages it carries across."""

from __future__ import annotations

from osoto_bridge.text._graphemes import is_boundary
from osoto_bridge.text.model import (
    Block,
    Bold,
    Document,
    Paragraph,
    Quote,
    Span,
    Text,
    normalize,
    normalize_spans,
)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def attributed(author: str, body: Document, *, platform_label: str | None = None) -> Document:
    """Prefix ``body`` with its author: ``**Alice** (Telegram): ...``.

    The author's name is only ever text, so renderers escape and neutralise it like
    any other text: a display name of ``@here`` or ``<!channel>`` pings nobody.

    Args:
        author: The author's display name (newlines collapse to spaces).
        body: What they wrote.
        platform_label: Where they wrote it, e.g. ``"Telegram"``; omitted when
            ``None``.

    Returns:
        A new document with the author line merged into the first paragraph, or
        on a line of its own when the body starts with another kind of block.
    """
    body = normalize(body)
    name = _one_line(author) or "?"
    label = _one_line(platform_label or "")
    prefix: list[Span] = [Bold((Text(name),))]
    prefix.append(Text(f" ({label}):" if label else ":"))
    blocks: tuple[Block, ...]
    first = body.blocks[0] if body.blocks else None
    if isinstance(first, Paragraph):
        merged = Paragraph(normalize_spans((*prefix, Text(" "), *first.spans)))
        blocks = (merged, *body.blocks[1:])
    else:
        blocks = (Paragraph(normalize_spans(prefix)), *body.blocks)
    return Document(blocks, body.buttons)


def excerpt(body: Document, max_chars: int = 200) -> str:
    """Return the start of ``body``'s plain text, at most ``max_chars`` long.

    Newlines collapse to spaces; a cut falls between words where it can, never
    inside a character, and is marked with ``…``.
    """
    value = _one_line(body.plain_text())
    if len(value) <= max_chars:
        return value
    cut = max_chars - 1
    while cut > 0 and not is_boundary(value, cut):
        cut -= 1
    space = value.rfind(" ", 0, cut + 1)
    if space > max_chars // 2:
        cut = space
    return value[:cut].rstrip() + "…"


def reply_quote(author: str, parent: Document, *, max_chars: int = 200) -> Quote:
    """Build the short quote shown when a reply's parent has no message to reply to.

    Args:
        author: Who wrote the parent.
        parent: The parent message.
        max_chars: How much of the parent to show.

    Returns:
        ``> **Alice**: the start of what Alice wrote…``
    """
    spans = (Bold((Text(_one_line(author) or "?"),)), Text(": " + excerpt(parent, max_chars)))
    return Quote((Paragraph(normalize_spans(spans)),))
