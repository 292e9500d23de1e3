"""Who said it: the author line the relay puts on messages it carries across."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def attributed(
    author: str, body: Document, *, platform_label: str | None = None, emphasis: bool = True
) -> Document:
    """Prefix ``body`` with its author: ``**Alice** (Telegram): ...``.

    The author's name is only ever text, so renderers escape and neutralise it like
    any other text: a display name of ``@here`` or ``<!channel>`` pings nobody.

    Args:
        author: The author's display name (newlines collapse to spaces).
        body: What they wrote.
        platform_label: Where they wrote it, e.g. ``"Telegram"``; omitted when
            ``None``.
        emphasis: whether the name is bold. Toward Osoto it is not: Osoto shows its
            messages' content as typed, so ``Alice (Telegram): hi`` reads the same
            whether or not it renders Markdown (`emphasize_attribution` puts the bold
            back when such a message is shown in a chat).

    Returns:
        A new document with the author line merged into the first paragraph, or
        on a line of its own when the body starts with another kind of block.
    """
    body = normalize(body)
    name = _one_line(author) or "?"
    label = _one_line(platform_label or "")
    prefix: list[Span] = [Bold((Text(name),)) if emphasis else Text(name)]
    prefix.append(Text(f" ({label}):" if label else ":"))
    blocks: tuple[Block, ...]
    first = body.blocks[0] if body.blocks else None
    if isinstance(first, Paragraph):
        merged = Paragraph(normalize_spans((*prefix, Text(" "), *first.spans)))
        blocks = (merged, *body.blocks[1:])
    else:
        blocks = (Paragraph(normalize_spans(prefix)), *body.blocks)
    return Document(blocks, body.buttons)


def emphasize_attribution(body: Document, labels: Iterable[str]) -> Document:
    """``body`` with the author of its plain author line in bold, as `attributed` makes
    it for a chat: ``Alice (Telegram): hi`` becomes ``**Alice** (Telegram): hi``.

    Only a line that starts the first paragraph as text and names one of ``labels``
    (``Telegram``, ``Telegram, edited``) counts; anything else is returned unchanged.
    """
    first = body.blocks[0] if body.blocks else None
    if not isinstance(first, Paragraph) or not first.spans:
        return body
    head = first.spans[0]
    if not isinstance(head, Text):
        return body
    alternatives = "|".join(re.escape(label) for label in labels)
    if not alternatives:
        return body
    match = re.match(rf"([^\n]+?)( \((?:{alternatives})\):)(?= |$)", head.value)
    if match is None:
        return body
    spans = (
        Bold((Text(match.group(1)),)),
        Text(head.value[match.start(2) :]),
        *first.spans[1:],
    )
    return Document((Paragraph(normalize_spans(spans)), *body.blocks[1:]), body.buttons)


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
