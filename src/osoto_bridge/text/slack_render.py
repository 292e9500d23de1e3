"""Rendering the model as Slack mrkdwn.

Slack needs ``&``, ``<`` and ``>`` escaped, and has no escape at all for its
formatting characters. A zero-width space does not help there: Slack treats it as
a word boundary, which is how people force bold in the middle of a word, so it
can *enable* formatting. A formatting character in user text that could open or
close markup is therefore swapped for a look-alike (``*`` → ``∗``, ``_`` → ``ˍ``,
``~`` → ``∼``, ````` → ``ˋ``); the ones that cannot (``5 * 3``, ``snake_case``)
stay. Zero-width spaces are used only around our own markers, where they make
Slack honour them next to letters or punctuation.
"""

from __future__ import annotations

from collections.abc import Sequence

from osoto_bridge.text._inline import slice_spans
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
    spans_plain_text,
)
from osoto_bridge.text.urls import is_safe_url

ZWSP = "\u200b"
LOOKALIKES = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
_MARKERS = {Bold: "*", Italic: "_", Strike: "~"}


def render_slack_mrkdwn(document: Document) -> str:
    """Render a document as Slack mrkdwn (for ``text`` or a mrkdwn text object)."""
    return render_blocks(normalize(document).blocks)


def render_blocks(blocks: tuple[Block, ...]) -> str:
    """Like :func:`render_slack_mrkdwn`, for blocks already in canonical form."""
    return "\n\n".join(_block(block, quoted=False) for block in blocks)


def escape_slack(value: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack requires, after neutralising mentions."""
    value = neutralize(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_slack_text(value: str, *, line_start: bool = False) -> str:
    """Escape user text for mrkdwn so that it shows exactly as text.

    Args:
        value: The literal text.
        line_start: Whether ``value`` begins a line, where ``>`` would quote.
    """
    out: list[str] = []
    last = len(value) - 1
    for index, char in enumerate(value):
        if char in LOOKALIKES:
            before = value[index - 1] if index else ""
            after = value[index + 1] if index < last else ""
            if char == "_":
                inert = _ascii_alnum(before) and _ascii_alnum(after)
            elif char == "`":
                inert = False
            else:
                inert = before.isspace() and after.isspace()
            out.append(char if inert else LOOKALIKES[char])
        else:
            out.append(char)
    escaped = escape_slack("".join(out))
    if line_start and escaped.startswith("&gt;"):
        escaped = ZWSP + escaped  # a leading ">" would quote the line
    return escaped


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _block(block: Block, *, quoted: bool) -> str:
    if isinstance(block, Paragraph):
        return _inline(block.spans)
    if isinstance(block, Heading):
        return _inline((Bold(block.spans),))
    if isinstance(block, Pre):
        return _pre(block)
    if isinstance(block, Quote):
        # Slack has one level of quote: inner quotes are flattened into it.
        inner = "\n\n".join(_block(b, quoted=True) for b in block.blocks)
        if quoted:
            return inner
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    return "\n".join("• " + _inline(item).replace("\n", "\n   ") for item in block.items)


def _pre(block: Pre) -> str:
    value = escape_slack(block.value)
    # Three backticks in a row would end the block early.
    while "```" in value:
        value = value.replace("```", "``" + ZWSP + "`")
    return f"```\n{value}\n```"


def _inline(spans: Sequence[Span]) -> str:
    writer = _Writer()
    writer.spans(spans)
    return "".join(writer.out)


def _shape(span: Span) -> str:
    if isinstance(span, Text):
        return span.value
    if isinstance(span, LineBreak):
        return "\n"
    if isinstance(span, Code):
        return "x" * len(span.value)
    if isinstance(span, Link):
        return "x" * len(spans_plain_text(span.children, link_urls=False))
    return "".join(_shape(child) for child in span.children)


def _first_char(span: Span | None) -> str:
    if span is None or isinstance(span, LineBreak):
        return " "
    if isinstance(span, Text):
        return span.value[:1] or " "
    return "x"


def _boundary(char: str) -> bool:
    """Whether Slack sees a word boundary at ``char`` (space, or a line's edge)."""
    return not char or char.isspace()


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.line_start = True

    def raw(self, value: str) -> None:
        if value:
            self.out.append(value)
            self.line_start = value.endswith("\n")

    def last_char(self) -> str:
        return self.out[-1][-1] if self.out else ""

    def spans(self, spans: Sequence[Span]) -> None:
        for index, span in enumerate(spans):
            following = spans[index + 1] if index + 1 < len(spans) else None
            if isinstance(span, Text):
                self.raw(escape_slack_text(span.value, line_start=self.line_start))
            elif isinstance(span, LineBreak):
                self.raw("\n")
            elif isinstance(span, Code):
                value = escape_slack(span.value).replace("`", LOOKALIKES["`"])
                self.marked("`", value, following)
            elif isinstance(span, Link):
                self.link(span)
            else:
                self.wrapped(span, following)

    def marked(self, marker: str, inner: str, following: Span | None) -> None:
        """Emit ``marker inner marker`` so Slack honours it wherever it sits."""
        if not _boundary(self.last_char()):
            self.raw(ZWSP)
        self.raw(marker)
        if not inner[:1].isalnum():
            self.raw(ZWSP)
        self.raw(inner)
        if not inner[-1:].isalnum():
            self.raw(ZWSP)
        self.raw(marker)
        if not _boundary(_first_char(following)):
            self.raw(ZWSP)

    def link(self, span: Link) -> None:
        label = " ".join(spans_plain_text(span.children, link_urls=False).split())
        if not is_safe_url(span.url):
            self.raw(escape_slack_text(label, line_start=self.line_start))
            return
        url = span.url.replace("&", "&amp;")
        for char, code in (("<", "%3C"), (">", "%3E"), ("|", "%7C")):
            url = url.replace(char, code)
        if label == span.url:
            self.raw(f"<{url}>")
        else:
            self.raw(f"<{url}|{escape_slack_text(label)}>")

    def wrapped(self, span: Bold | Italic | Strike, following: Span | None) -> None:
        children = span.children
        shape = "".join(_shape(child) for child in children)
        total = len(shape)
        lead, trail = total - len(shape.lstrip()), total - len(shape.rstrip())
        if lead == total:
            self.spans(children)
            return
        core = children
        tail: tuple[Span, ...] = ()
        if lead or trail:
            # Markers must touch text: whitespace at the edges goes outside them.
            self.spans(slice_spans(children, 0, lead))
            core = slice_spans(children, lead, total - trail)
            tail = slice_spans(children, total - trail, total)
        inner = _Writer()
        inner.line_start = False
        inner.spans(core)
        self.marked(_MARKERS[type(span)], "".join(inner.out), tail[0] if tail else following)
        self.spans(tail)
