"""Reading a Telegram message (text plus ``MessageEntity`` list) into the model.

Entity offsets and lengths count UTF-16 code units, as the Bot API sends them.
Styles map onto the model (underline becomes italic, spoiler plain text); mentions,
hashtags, commands and the like become plain text, since the model has no live
mention; ``pre`` and ``blockquote`` become blocks. Entities that overlap without
nesting (which Telegram does not send) are clipped to their parent.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from osoto_bridge.text._emphasis import MAX_NESTING
from osoto_bridge.text._inline import map_blocks, paragraphs
from osoto_bridge.text.mentions import restore
from osoto_bridge.text.model import (
    Block,
    Bold,
    Code,
    Document,
    Italic,
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

_WRAPPERS: dict[str, type[Bold | Italic | Strike]] = {
    "bold": Bold,
    "italic": Italic,
    "underline": Italic,
    "strikethrough": Strike,
}
_BLOCKS = frozenset({"pre", "blockquote", "expandable_blockquote"})


@dataclass(slots=True)
class _Entity:
    kind: str
    start: int
    end: int
    url: str | None
    language: str | None
    children: list[_Entity] = field(default_factory=list)


def from_telegram(text: str, entities: Sequence[Mapping[str, Any]] = ()) -> Document:
    """Parse a Telegram message's text and entities into a canonical document.

    Args:
        text: ``message.text`` (or ``caption``).
        entities: ``message.entities`` (or ``caption_entities``) as dicts with
            ``type``, ``offset``, ``length`` and, where the type has them, ``url``
            and ``language``.

    Returns:
        The document; text the bridge neutralised on the way in is restored.
    """
    roots = _tree(text, entities)
    blocks = _Builder(text).blocks(0, len(text), roots)
    return Document(normalize_blocks(map_blocks(normalize_blocks(blocks), restore)))


def _tree(text: str, entities: Sequence[Mapping[str, Any]]) -> list[_Entity]:
    # starts[i] is the UTF-16 offset of code point i; the last entry is the total.
    starts = [0]
    for char in text:
        starts.append(starts[-1] + (2 if ord(char) > 0xFFFF else 1))
    flat: list[_Entity] = []
    for raw in entities:
        try:
            offset, length = int(raw["offset"]), int(raw["length"])
            kind = str(raw["type"])
        except (KeyError, TypeError, ValueError):
            continue
        start = bisect_left(starts, offset)
        end = min(bisect_left(starts, offset + length), len(text))
        if start >= end:
            continue
        url, language = raw.get("url"), raw.get("language")
        flat.append(
            _Entity(
                kind,
                start,
                end,
                str(url) if url else None,
                str(language) if language else None,
            )
        )
    flat.sort(key=lambda entity: (entity.start, -entity.end))
    roots: list[_Entity] = []
    stack: list[_Entity] = []
    for entity in flat:
        while stack and stack[-1].end <= entity.start:
            stack.pop()
        if len(stack) >= MAX_NESTING:
            continue  # no real message nests this deep; keep the text, drop the style
        if stack:
            entity.end = min(entity.end, stack[-1].end)
            stack[-1].children.append(entity)
        else:
            roots.append(entity)
        stack.append(entity)
    return roots


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text

    def blocks(self, start: int, end: int, entities: list[_Entity]) -> list[Block]:
        """Blocks for a range: ``pre`` and quotes split the paragraphs around them."""
        out: list[Block] = []
        pos = start
        pending: list[_Entity] = []
        for entity in entities:
            if entity.kind not in _BLOCKS:
                pending.append(entity)
                continue
            out.extend(self.paragraphs(pos, entity.start, pending))
            pending = []
            if entity.kind == "pre":
                out.append(Pre(self.text[entity.start : entity.end], entity.language))
            else:
                inner = self.blocks(entity.start, entity.end, entity.children)
                out.append(Quote(normalize_blocks(inner)))
            pos = entity.end
        out.extend(self.paragraphs(pos, end, pending))
        return out

    def paragraphs(self, start: int, end: int, entities: list[_Entity]) -> list[Block]:
        spans = normalize_spans(self.spans(start, end, entities))
        return [Paragraph(run) for run in paragraphs(spans)]

    def spans(self, start: int, end: int, entities: list[_Entity]) -> list[Span]:
        out: list[Span] = []
        pos = start
        for entity in entities:
            if entity.start < pos:
                continue
            out.append(Text(self.text[pos : entity.start]))
            out.extend(self.entity(entity))
            pos = entity.end
        out.append(Text(self.text[pos:end]))
        return out

    def entity(self, entity: _Entity) -> list[Span]:
        value = self.text[entity.start : entity.end]
        kind = entity.kind
        if kind in ("code", "pre"):
            return [Code(value)]
        children = self.spans(entity.start, entity.end, entity.children)
        if kind in _WRAPPERS:
            return [_WRAPPERS[kind](normalize_spans(children))]
        if kind == "text_link" and entity.url and is_safe_url(entity.url):
            return [Link(entity.url, normalize_spans(children))]
        if kind == "url":
            target = value if "://" in value else "http://" + value
            if is_safe_url(target):
                return [Link(target, normalize_spans(children))]
        # mention, text_mention, hashtag, bot_command, email, spoiler, ...: text.
        return children
