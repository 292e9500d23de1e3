"""Plain text in and out: the console, notifications, and docs built from raw text."""

from __future__ import annotations

from osoto_bridge.text._inline import linkify, paragraphs
from osoto_bridge.text.mentions import neutralize, restore
from osoto_bridge.text.model import Document, Paragraph, Text, normalize, normalize_spans


def from_plain(value: str) -> Document:
    """Build a document from raw text, interpreting no markup at all.

    Blank lines separate paragraphs, other newlines are line breaks, and bare
    ``http(s)://`` URLs become links (as every platform shows them anyway).
    """
    spans = linkify(normalize_spans((Text(restore(value)),)))
    return Document(tuple(Paragraph(p) for p in paragraphs(spans)))


def render_plain(document: Document) -> str:
    """Render a document as plain text with every mention neutralised.

    See :meth:`Document.plain_text` for the layout.
    """
    return neutralize(normalize(document).plain_text())
