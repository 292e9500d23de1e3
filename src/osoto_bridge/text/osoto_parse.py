"""Reading Osoto message content (plain text with light Markdown) into the model.

What is recognised, and nothing more: ``**bold**``, ``*italic*`` / ``_italic_``,
``~~strike~~``, ```code```, fenced blocks (three or more backticks on their own
lines, optional language), ``[label](url)``, bare ``http(s)://`` URLs and ``> ``
quote lines; a backslash escapes ASCII punctuation. Emphasis follows CommonMark's
flanking rules, so ``snake_case`` and ``5 * 3`` stay as typed, and any marker
without a partner is literal text.
"""

from __future__ import annotations

import re
import string

from osoto_bridge.text._emphasis import Delim, Item, Wrap, flanking, is_punct, resolve
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
)
from osoto_bridge.text.urls import is_safe_url, url_at

ESCAPABLE = frozenset(string.punctuation)
_FENCE_OPEN = re.compile(r"(`{3,})([^`]*)")
_FENCE_CLOSE = re.compile(r"(`{3,})[ \t]*")
MAX_QUOTE_DEPTH = 8
"""Quotes nest this deep at most; a deeper ``>`` is read as text."""


def from_osoto(content: str) -> Document:
    """Parse Osoto message content into a canonical document.

    Args:
        content: The message's ``content`` as the API returns it.

    Returns:
        The document; text the bridge neutralised on the way in is restored.
    """
    content = restore(content.replace("\r\n", "\n").replace("\r", "\n"))
    return Document(normalize_blocks(_Blocks(content.split("\n")).parse()))


def parse_inline(source: str) -> tuple[Span, ...]:
    """Parse one paragraph's inline Markdown (newlines become line breaks)."""
    return _Inline(source, links=True).parse()


class _Blocks:
    """Block structure of some lines: fences, quotes, paragraphs.

    Whether a line opens a fence that closes is remembered, and so is the narrowest
    fence found never to close, so that a message of many unclosed fences stays
    linear. Quotes nest at most :data:`MAX_QUOTE_DEPTH` deep; deeper ``>`` is text.
    """

    def __init__(self, lines: list[str], depth: int = 0) -> None:
        self.lines = lines
        self.depth = depth
        self.fences: dict[int, tuple[int, str] | None] = {}
        self.never_closes: int | None = None

    def fence(self, index: int) -> tuple[int, str] | None:
        """Return (closing line, language) when line ``index`` opens a closed fence."""
        if index not in self.fences:
            self.fences[index] = self._find_fence(index)
        return self.fences[index]

    def _find_fence(self, index: int) -> tuple[int, str] | None:
        match = _FENCE_OPEN.fullmatch(self.lines[index])
        if match is None:
            return None
        width = len(match.group(1))
        if self.never_closes is not None and width >= self.never_closes:
            return None
        for close in range(index + 1, len(self.lines)):
            found = _FENCE_CLOSE.fullmatch(self.lines[close])
            if found and len(found.group(1)) >= width:
                return close, match.group(2).strip()
        # Nothing at least this wide follows; later fences this wide won't close.
        self.never_closes = width
        return None

    def quoted(self, line: str) -> bool:
        return line.startswith(">") and self.depth < MAX_QUOTE_DEPTH

    def parse(self) -> list[Block]:
        lines = self.lines
        blocks: list[Block] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            if not line.strip():
                index += 1
                continue
            fence = self.fence(index)
            if fence is not None:
                close, language = fence
                value = "\n".join(lines[index + 1 : close])
                blocks.append(Pre(value, language or None))
                index = close + 1
                continue
            if self.quoted(line):
                end = index
                inner: list[str] = []
                while end < len(lines) and lines[end].startswith(">"):
                    body = lines[end][1:]
                    inner.append(body[1:] if body.startswith(" ") else body)
                    end += 1
                quoted = normalize_blocks(_Blocks(inner, self.depth + 1).parse())
                if quoted:
                    blocks.append(Quote(quoted))
                    index = end
                    continue
                # A ">" with nothing after it is just a character.
            end = index + 1
            while (
                end < len(lines)
                and lines[end].strip()
                and not self.quoted(lines[end])
                and self.fence(end) is None
            ):
                end += 1
            blocks.append(Paragraph(parse_inline("\n".join(lines[index:end]))))
            index = end
        return blocks


def _pair(opener: Delim, closer: Delim) -> tuple[int, Wrap] | None:
    # CommonMark's "rule of 3", so that "**a*b***" nests as it reads.
    both_ways = opener.can_close or closer.can_open
    if both_ways and (opener.length + closer.length) % 3 == 0 and (opener.length % 3):
        return None
    if opener.char == "~":
        return (2, Strike) if opener.count >= 2 and closer.count >= 2 else None
    if opener.count >= 2 and closer.count >= 2:
        return 2, Bold
    return 1, Italic


class _Inline:
    """A one-pass tokenizer for one paragraph, then delimiter pairing."""

    def __init__(self, source: str, *, links: bool) -> None:
        self.src = source
        self.links = links
        self.items: list[Item] = []
        self.buf: list[str] = []
        self._brackets: dict[int, int] | None = None
        self._parens: dict[int, int] | None = None

    def flush(self) -> None:
        if self.buf:
            self.items.append(Text("".join(self.buf)))
            self.buf.clear()

    def push(self, item: Item) -> None:
        self.flush()
        self.items.append(item)

    def parse(self) -> tuple[Span, ...]:
        src, n = self.src, len(self.src)
        i = 0
        while i < n:
            char = src[i]
            if char == "\\" and i + 1 < n and src[i + 1] in ESCAPABLE:
                self.buf.append(src[i + 1])
                i += 2
            elif char == "`":
                i = self.code(i)
            elif char == "[" and self.links and (end := self.link(i)) is not None:
                i = end
            elif char in "hH" and self.links and (url := url_at(src, i)) is not None:
                self.push(Link(url, (Text(url),)))
                i += len(url)
            elif char in "*_~":
                i = self.delim(i)
            elif char == "\n":
                self.push(LineBreak())
                i += 1
            else:
                self.buf.append(char)
                i += 1
        self.flush()
        return resolve(self.items, _pair)

    def brackets(self) -> dict[int, int]:
        """Match every ``[`` with its ``]`` in one pass, skipping escapes and code.

        One pass keeps a message full of brackets linear instead of quadratic.
        """
        if self._brackets is None:
            src, n = self.src, len(self.src)
            self._brackets = {}
            stack: list[int] = []
            j = 0
            while j < n:
                char = src[j]
                if char == "\\" and j + 1 < n and src[j + 1] in ESCAPABLE:
                    j += 2
                    continue
                if char == "`":
                    width = _run(src, j, "`")
                    close = _code_close(src, j + width, width)
                    j = j + width if close is None else close + width
                    continue
                if char == "[":
                    stack.append(j)
                elif char == "]" and stack:
                    self._brackets[stack.pop()] = j
                j += 1
        return self._brackets

    def target(self, start: int) -> tuple[str, int] | None:
        """Read a link target after ``(``: ``<url>`` or a url with balanced parentheses.

        Returns:
            The url and the index of the closing ``)``, or ``None``.
        """
        src = self.src
        if src.startswith("<", start):
            end = src.find(">", start)
            if end < 0 or not src.startswith(")", end + 1):
                return None
            return src[start + 1 : end], end + 1
        if self._parens is None:
            # Match parentheses in one pass; whitespace ends every open one.
            self._parens = {}
            stack: list[int] = []
            for index, char in enumerate(src):
                if char.isspace():
                    stack.clear()
                elif char == "(":
                    stack.append(index)
                elif char == ")" and stack:
                    self._parens[stack.pop()] = index
        close = self._parens.get(start - 1)
        return None if close is None else (src[start:close], close)

    def code(self, i: int) -> int:
        width = _run(self.src, i, "`")
        close = _code_close(self.src, i + width, width)
        if close is None:
            self.buf.append("`" * width)
            return i + width
        value = self.src[i + width : close]
        if len(value) >= 2 and value[0] == value[-1] == " " and value.strip(" "):
            value = value[1:-1]
        self.push(Code(value))
        return close + width

    def link(self, i: int) -> int | None:
        src, n = self.src, len(self.src)
        j = self.brackets().get(i, n)
        if j >= n or not src.startswith("(", j + 1):
            return None
        target = self.target(j + 2)
        if target is None:
            return None
        url, close = target
        if not is_safe_url(url):
            return None
        label = _Inline(src[i + 1 : j], links=False).parse()
        self.push(Link(url, label or (Text(url),)))
        return close + 1

    def delim(self, i: int) -> int:
        char = self.src[i]
        width = _run(self.src, i, char)
        before = self.src[i - 1] if i else ""
        after = self.src[i + width] if i + width < len(self.src) else ""
        left, right = flanking(before, after)
        if char == "_":
            can_open = left and (not right or is_punct(before))
            can_close = right and (not left or is_punct(after))
        else:
            can_open, can_close = left, right
        self.push(Delim(char, width, can_open, can_close))
        return i + width


def _run(source: str, start: int, char: str) -> int:
    end = start
    while end < len(source) and source[end] == char:
        end += 1
    return end - start


def _code_close(source: str, start: int, width: int) -> int | None:
    """Find the backtick run of exactly ``width`` closing a code span on this line."""
    j = start
    while j < len(source):
        char = source[j]
        if char == "\n":
            return None
        if char == "`":
            run = _run(source, j, "`")
            if run == width:
                return j
            j += run
        else:
            j += 1
    return None
