"""Rendering the model as Osoto message content (the Markdown ``from_osoto`` reads).

User text is escaped only where a character could act as markup, so ordinary text
such as ``snake_case``, ``5 * 3`` or ``~5 min`` reaches Osoto unchanged, and
``from_osoto(render_osoto(d)) == d`` for every document built with
:func:`~osoto_bridge.text.plain.from_plain`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from osoto_bridge.text._inline import paragraphs, slice_spans
from osoto_bridge.text.mentions import neutralize
from osoto_bridge.text.model import (
    Block,
    Bold,
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
    normalize,
    normalize_spans,
)
from osoto_bridge.text.osoto_parse import ESCAPABLE
from osoto_bridge.text.urls import is_safe_url, url_at

_LANGUAGE = re.compile(r"[^\w+#.-]")
_URL_SCHEME = re.compile(r"https?://", re.IGNORECASE)


def render_osoto(document: Document) -> str:
    """Render a document as Osoto message content."""
    return render_blocks(normalize(document).blocks)


def render_blocks(blocks: tuple[Block, ...]) -> str:
    """Like :func:`render_osoto`, for blocks already in canonical form."""
    return "\n\n".join(_block(block) for block in blocks)


def _block(block: Block) -> str:
    if isinstance(block, Paragraph | Heading):
        # Markdown cannot hold a blank line inside a paragraph: cut it there first,
        # as from_osoto would, so markup never straddles one.
        runs = paragraphs(block.spans)
        if isinstance(block, Heading):
            return "\n\n".join(_inline(normalize_spans((Bold(run),))) for run in runs)
        return "\n\n".join(_inline(run) for run in runs)
    if isinstance(block, Pre):
        return _pre(block)
    if isinstance(block, Quote):
        inner = "\n\n".join(_block(b) for b in block.blocks)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    return "\n".join("• " + _inline(item).replace("\n", "\n  ") for item in block.items)


def _pre(block: Pre) -> str:
    longest = max((len(run) for run in re.findall(r"`+", block.value)), default=0)
    fence = "`" * max(3, longest + 1)
    language = _LANGUAGE.sub("", block.language or "")
    return f"{fence}{language}\n{neutralize(block.value)}\n{fence}"


def _inline(spans: Sequence[Span]) -> str:
    writer = _Writer()
    writer.spans(spans, label=False)
    return "".join(writer.out)


def escape_text(value: str, *, label: bool = False, line_start: bool = False) -> str:
    """Escape the characters of ``value`` that ``from_osoto`` could read as markup.

    The neighbours of a character decide: a ``*`` between spaces or a ``_`` inside
    a word cannot open or close emphasis, so they stay bare. The ends of ``value``
    count as unknown, since the next span's markup may touch them.

    Args:
        value: The literal text.
        label: Whether the text sits inside a link label, where brackets matter.
        line_start: Whether ``value`` begins a line, where ``>`` opens a quote.
    """
    out: list[str] = []
    last = len(value) - 1
    # A URL left as text (not a link) must not turn into one on the way back.
    colons = {match.end() - 3 for match in _URL_SCHEME.finditer(value)}
    for index, char in enumerate(value):
        before = value[index - 1] if index else None
        after = value[index + 1] if index < last else None
        if char == "\\":
            escape = after is None or after in ESCAPABLE
        elif char == "`":
            escape = True
        elif char == "*":
            escape = not (before is not None and before.isspace() and after is not None)
            escape = escape or not (after is not None and after.isspace())
        elif char == "_":
            escape = not (
                before is not None and before.isalnum() and after is not None and after.isalnum()
            )
        elif char == "~":
            escape = before is None or after is None or before == "~" or after == "~"
        elif char == "[":
            escape = label
        elif char == "]":
            escape = label or after is None or after == "("
        elif char == ">":
            escape = index == 0 and line_start
        elif char == ":":
            escape = index in colons
        else:
            escape = False
        out.append("\\" + char if escape else char)
    return "".join(out)


def _balanced(url: str) -> bool:
    depth = 0
    for char in url:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _code(value: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = value.startswith("`") or value.endswith("`")
    pad = pad or (value[0] == value[-1] == " " and bool(value.strip(" ")))
    return f"{fence} {value} {fence}" if pad else f"{fence}{value}{fence}"


def _shape(span: Span) -> str:
    if isinstance(span, Text):
        return span.value
    if isinstance(span, LineBreak):
        return "\n"
    if isinstance(span, Code):
        return "x" * len(span.value)
    return "".join(_shape(child) for child in span.children)


def _first_char(span: Span | None) -> str:
    """The first character ``span`` will render as, near enough for flanking."""
    if span is None or isinstance(span, LineBreak):
        return " "
    if isinstance(span, Text):
        return span.value[:1] or " "
    if isinstance(span, Link):
        return "h"  # a bare URL starts with a letter
    return "*"


class _Writer:
    """Accumulates output and tracks whether the next character starts a line."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.line_start = True

    def raw(self, value: str) -> None:
        if value:
            self.out.append(value)
            self.line_start = value.endswith("\n")

    def last_char(self) -> str:
        return self.out[-1][-1] if self.out else " "

    def spans(self, spans: Sequence[Span], *, label: bool) -> None:
        for index, span in enumerate(spans):
            following = spans[index + 1] if index + 1 < len(spans) else None
            if isinstance(span, Text):
                value = neutralize(span.value)
                self.raw(escape_text(value, label=label, line_start=self.line_start))
            elif isinstance(span, LineBreak):
                # A label cannot hold a blank line, so it holds no line breaks at all.
                self.raw(" " if label else "\n")
            elif isinstance(span, Code):
                self.raw(_code(neutralize(span.value)))
            elif isinstance(span, Link):
                self.link(span, following, label=label)
            else:
                self.wrapped(span, following, label=label)

    def link(self, span: Link, following: Span | None, *, label: bool) -> None:
        if label or not is_safe_url(span.url):
            # Links cannot nest, and unsafe targets are dropped: show the label.
            self.spans(span.children, label=label)
            return
        url = span.url
        # Bare only when from_osoto would find exactly this URL again, given the
        # characters around it (escapes only ever shorten what it finds).
        after = neutralize(following.value) if isinstance(following, Text) else ""
        after = after or _first_char(following)
        bare = (
            span.children == (Text(url),)
            and neutralize(url) == url
            and url_at(self.last_char() + url + after, 1) == url
        )
        if bare:
            self.raw(url)
            return
        target = (
            url if _balanced(url) else "<{}>".format(url.replace("<", "%3C").replace(">", "%3E"))
        )
        self.raw("[")
        self.spans(span.children, label=True)
        self.raw(f"]({target})")

    def wrapped(self, span: Bold | Italic | Strike, following: Span | None, *, label: bool) -> None:
        children = span.children
        shape = "".join(_shape(child) for child in children)
        total = len(shape)
        lead, trail = total - len(shape.lstrip()), total - len(shape.rstrip())
        if lead == total:
            self.spans(children, label=label)
            return
        core = children
        if lead or trail:
            # Markers must touch text: whitespace at the edges goes outside them.
            self.spans(slice_spans(children, 0, lead), label=label)
            core = slice_spans(children, lead, total - trail)
        if isinstance(span, Bold):
            marker = "**"
        elif isinstance(span, Strike):
            marker = "~~"
        else:
            after = " " if trail else _first_char(following)
            intraword = self.last_char().isalnum() or after.isalnum()
            marker = "*" if intraword else "_"
        self.raw(marker)
        self.spans(core, label=label)
        self.raw(marker)
        if trail:
            self.spans(slice_spans(children, total - trail, total), label=label)
