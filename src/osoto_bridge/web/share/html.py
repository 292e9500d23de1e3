"""The neutral rich text of the commands, as HTML for the share page.

The commands word an itinerary line once (`event_spans`, `stay_paragraph`) for
every chat; the page shows the same words. Every text is escaped here, and a link
keeps only a safe target (`is_safe_url`: http, https, mailto), opening outside
the page without telling the target where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from osoto_bridge.text import (
    Bold,
    Code,
    Italic,
    LineBreak,
    Link,
    Span,
    Strike,
    Text,
    is_safe_url,
)
from osoto_bridge.text.model import normalize_spans

__all__ = ["spans_html"]


def _one(span: Span) -> str:
    if isinstance(span, Text):
        return str(escape(span.value))
    if isinstance(span, LineBreak):
        return "<br>"
    if isinstance(span, Code):
        return f"<code>{escape(span.value)}</code>"
    if isinstance(span, Bold):
        return f"<strong>{_all(span.children)}</strong>"
    if isinstance(span, Italic):
        return f"<em>{_all(span.children)}</em>"
    if isinstance(span, Strike):
        return f"<s>{_all(span.children)}</s>"
    if isinstance(span, Link):
        inner = _all(span.children)
        if not is_safe_url(span.url):
            return inner
        return f'<a href="{escape(span.url)}" rel="noopener noreferrer">{inner}</a>'
    raise TypeError(f"not a span: {span!r}")


def _all(spans: Iterable[Span]) -> str:
    return "".join(_one(span) for span in spans)


def spans_html(spans: Iterable[Span | str]) -> Markup:
    """Spans (or plain strings) as escaped HTML, newlines as `<br>`.

    Args:
        spans: What the commands' render helpers return.

    Returns:
        Markup safe to place in a template.
    """
    return Markup(_all(normalize_spans(tuple(spans))))
