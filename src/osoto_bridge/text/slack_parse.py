"""Reading Slack message text (mrkdwn as events deliver it) into the model.

Recognised: ``*bold*``, ``_italic_``, ``~strike~``, ```code```, fenced
```````` blocks, ``&gt;`` quote lines, ``<url>`` and ``<url|label>``; user,
channel and group references (``<@U123|name>``, ``<#C123|general>``,
``<!subteam^S1|@team>``) and broadcasts (``<!here>``, ``<!channel>``,
``<!everyone>``) become plain text such as ``@name`` or ``@here``, which renderers
neutralise on output. ``&amp; &lt; &gt;`` are decoded. Markers without a partner
stay literal.
"""

from __future__ import annotations

from collections.abc import Mapping

from osoto_bridge.text._emphasis import Delim, Item, Wrap, is_punct, is_space, resolve
from osoto_bridge.text._inline import map_blocks, paragraphs
from osoto_bridge.text.mentions import restore
from osoto_bridge.text.model import (
    Block,
    Bold,
    Code,
    Document,
    Italic,
    LineBreak,
    Link,
    Paragraph,
    Pre,
    Quote,
    Span,
    Strike,
    Text,
    normalize_blocks,
    normalize_spans,
)
from osoto_bridge.text.urls import is_safe_url

MAX_QUOTE_DEPTH = 8
_WRAPS: dict[str, Wrap] = {"*": Bold, "_": Italic, "~": Strike}


def decode_entities(value: str) -> str:
    """Decode the three entities Slack escapes (``&lt;``, ``&gt;``, ``&amp;``)."""
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def from_slack(text: str, *, user_names: Mapping[str, str] | None = None) -> Document:
    """Parse Slack message text into a canonical document.

    Args:
        text: The event's ``text``.
        user_names: Display names by user id, for ``<@U123>`` without a label.

    Returns:
        The document; text the bridge neutralised on the way in is restored.
    """
    parser = _Parser(user_names or {})
    blocks = parser.document(text.replace("\r\n", "\n").replace("\r", "\n"))
    return Document(normalize_blocks(map_blocks(normalize_blocks(blocks), restore)))


class _Parser:
    def __init__(self, user_names: Mapping[str, str]) -> None:
        self.user_names = user_names

    def document(self, text: str) -> list[Block]:
        """Cut out fenced blocks (Slack allows them mid-line), then parse the rest."""
        blocks: list[Block] = []
        pos = 0
        while True:
            start = text.find("```", pos)
            end = text.find("```", start + 3) if start >= 0 else -1
            if end < 0:
                blocks.extend(self.lines(text[pos:].split("\n")))
                return blocks
            blocks.extend(self.lines(text[pos:start].split("\n")))
            value = text[start + 3 : end].removeprefix("\n").removesuffix("\n")
            blocks.append(Pre(self.flatten(value)))
            pos = end + 3

    def lines(self, lines: list[str], depth: int = 0) -> list[Block]:
        blocks: list[Block] = []
        index = 0
        while index < len(lines):
            # Slack shows one level of quote; a few more are read, deeper is text.
            quoted = _quote_body(lines[index]) if depth < MAX_QUOTE_DEPTH else None
            if quoted is None:
                end = index
                while end < len(lines) and (
                    depth >= MAX_QUOTE_DEPTH or _quote_body(lines[end]) is None
                ):
                    end += 1
                spans = self.inline("\n".join(lines[index:end]))
                blocks.extend(Paragraph(run) for run in paragraphs(spans))
            else:
                end = index
                inner: list[str] = []
                while end < len(lines) and (body := _quote_body(lines[end])) is not None:
                    inner.append(body)
                    end += 1
                blocks.append(Quote(normalize_blocks(self.lines(inner, depth + 1))))
            index = end
        return blocks

    def flatten(self, value: str) -> str:
        """Plain text of a code block or span: references shown, entities decoded."""
        out: list[str] = []
        pos = 0
        while (start := value.find("<", pos)) >= 0:
            end = value.find(">", start)
            if end < 0:
                break
            out.append(decode_entities(value[pos:start]))
            out.append(_plain(self.reference(value[start + 1 : end])))
            pos = end + 1
        out.append(decode_entities(value[pos:]))
        return "".join(out)

    def reference(self, body: str) -> Span:
        """The span for ``<body>``: a link, or the text a reference shows."""
        target, _, label = body.partition("|")
        label = decode_entities(label)
        if target.startswith("@"):
            name = label.removeprefix("@") or self.user_names.get(target[1:]) or target[1:]
            return Text("@" + name)
        if target.startswith("#"):
            return Text("#" + (label or target[1:]))
        if target.startswith("!"):
            special = target[1:].split("^", 1)[0]
            if special in ("here", "channel", "everyone"):
                return Text("@" + special)
            return Text(label or "@" + special)
        url = decode_entities(target)
        if is_safe_url(url):
            return Link(url, (Text(label or url),))
        return Text(label or url)

    def inline(self, source: str) -> tuple[Span, ...]:
        items: list[Item] = []
        buf: list[str] = []

        def push(item: Item) -> None:
            if buf:
                items.append(Text(decode_entities("".join(buf))))
                buf.clear()
            items.append(item)

        i, n = 0, len(source)
        while i < n:
            char = source[i]
            if char == "<" and (end := _close(source, i, ">")) is not None:
                push(self.reference(source[i + 1 : end]))
                i = end + 1
            elif char == "`" and (end := _close(source, i, "`")) is not None and end > i + 1:
                push(Code(self.flatten(source[i + 1 : end])))
                i = end + 1
            elif char in _WRAPS:
                width = 1
                while i + width < n and source[i + width] == char:
                    width += 1
                before = source[i - 1] if i else ""
                after = source[i + width] if i + width < n else ""
                can_open = not is_space(after) and (is_space(before) or is_punct(before))
                can_close = not is_space(before) and (is_space(after) or is_punct(after))
                push(Delim(char, width, can_open, can_close))
                i += width
            elif char == "\n":
                push(LineBreak())
                i += 1
            else:
                buf.append(char)
                i += 1
        if buf:
            items.append(Text(decode_entities("".join(buf))))
        return normalize_spans(resolve(items, _pair))


def _pair(opener: Delim, closer: Delim) -> tuple[int, Wrap] | None:
    # Slack's markers are single characters; "**" is not bold there.
    if opener.length == 1 and closer.length == 1:
        return 1, _WRAPS[opener.char]
    return None


def _close(source: str, start: int, char: str) -> int | None:
    """Index of the next ``char`` after ``start`` on the same line, if any."""
    end = source.find(char, start + 1)
    if end < 0 or "\n" in source[start:end]:
        return None
    return end


def _quote_body(line: str) -> str | None:
    for marker in ("&gt;", ">"):
        if line.startswith(marker):
            body = line[len(marker) :]
            return body[1:] if body.startswith(" ") else body
    return None


def _plain(span: Span) -> str:
    if isinstance(span, Text):
        return span.value
    if isinstance(span, Link):
        return "".join(_plain(child) for child in span.children)
    return ""
