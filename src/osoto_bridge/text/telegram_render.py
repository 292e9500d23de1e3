"""Rendering the model as Telegram HTML (``parse_mode=HTML``).

Only tags Telegram supports are emitted (``b i s code pre a blockquote``) and every
piece of user text is HTML-escaped and mention-neutralised. Telegram's nesting rules
are kept: nothing inside ``code``/``pre``, no link inside a link, no block quote
inside a block quote (inner quotes are flattened), and a preformatted block inside
a quote becomes plain lines.
"""

from __future__ import annotations

import html
import re

from osoto_bridge.text.limits import utf16_len
from osoto_bridge.text.mentions import neutralize
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
    normalize,
)
from osoto_bridge.text.urls import is_safe_url

ALLOWED_TAGS = frozenset({"b", "i", "s", "code", "pre", "a", "blockquote"})
_LANGUAGE = re.compile(r"[^\w+#.-]")
_TAGS = {Bold: "b", Italic: "i", Strike: "s"}


def render_telegram_html(document: Document) -> str:
    """Render a document as Telegram HTML."""
    return measure_telegram(document)[0]


def measure_telegram(document: Document) -> tuple[str, int]:
    """Render a document and count what Telegram will count.

    Returns:
        The HTML and the length of its visible text in UTF-16 code units (the
        unit of Telegram's 4,096-character limit).
    """
    return measure_blocks(normalize(document).blocks)


def measure_blocks(blocks: tuple[Block, ...]) -> tuple[str, int]:
    """Like :func:`measure_telegram`, for blocks already in canonical form."""
    writer = _Html()
    for index, block in enumerate(blocks):
        if index:
            writer.text("\n\n")
        writer.block(block, quoted=False)
    return "".join(writer.out), writer.visible


class _Html:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.visible = 0

    def tag(self, markup: str) -> None:
        self.out.append(markup)

    def text(self, value: str) -> None:
        """Append user text: neutralised, escaped, counted."""
        value = neutralize(value)
        self.out.append(html.escape(value, quote=False))
        self.visible += utf16_len(value)

    def block(self, block: Block, *, quoted: bool) -> None:
        if isinstance(block, Paragraph):
            self.spans(block.spans, linked=False)
        elif isinstance(block, Heading):
            self.tag("<b>")
            self.spans(block.spans, linked=False)
            self.tag("</b>")
        elif isinstance(block, Pre):
            self.pre(block, quoted=quoted)
        elif isinstance(block, Quote):
            if not quoted:
                self.tag("<blockquote>")
            for index, inner in enumerate(block.blocks):
                if index:
                    self.text("\n\n")
                self.block(inner, quoted=True)
            if not quoted:
                self.tag("</blockquote>")
        else:
            self.bullets(block)

    def pre(self, block: Pre, *, quoted: bool) -> None:
        if quoted:
            # Telegram entities other than text styles cannot share text with a
            # block quote's; plain lines read fine there.
            self.text(block.value)
            return
        language = _LANGUAGE.sub("", block.language or "")
        if language:
            self.tag(f'<pre><code class="language-{language}">')
            self.text(block.value)
            self.tag("</code></pre>")
        else:
            self.tag("<pre>")
            self.text(block.value)
            self.tag("</pre>")

    def bullets(self, block: BulletList) -> None:
        for index, item in enumerate(block.items):
            self.text("\n• " if index else "• ")
            self.spans(item, linked=False)

    def spans(self, spans: tuple[Span, ...], *, linked: bool) -> None:
        for span in spans:
            if isinstance(span, Text):
                self.text(span.value)
            elif isinstance(span, LineBreak):
                self.text("\n")
            elif isinstance(span, Code):
                if linked:
                    self.text(span.value)  # Telegram: no code inside a link
                else:
                    self.tag("<code>")
                    self.text(span.value)
                    self.tag("</code>")
            elif isinstance(span, Link):
                if linked or not is_safe_url(span.url):
                    self.spans(span.children, linked=linked)
                else:
                    self.tag(f'<a href="{html.escape(span.url, quote=True)}">')
                    self.spans(span.children, linked=True)
                    self.tag("</a>")
            else:
                name = _TAGS[type(span)]
                self.tag(f"<{name}>")
                self.spans(span.children, linked=linked)
                self.tag(f"</{name}>")
