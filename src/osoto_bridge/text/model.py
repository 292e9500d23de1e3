"""The platform-neutral rich-text model.

Everything the bridge shows in a chat is built as a :class:`Document` first and
rendered per platform afterwards, so escaping and mention neutralisation happen in
the renderers and nowhere else (DESIGN.md invariant 5).

The tree is small on purpose::

    Document(blocks, buttons)
      Block  = Paragraph(spans) | Pre(value, language) | Quote(blocks)
             | BulletList(items) | Heading(spans)
      Span   = Text(value) | Bold(children) | Italic(children) | Strike(children)
             | Code(value) | Link(url, children) | LineBreak()

All nodes are frozen, hashable dataclasses. :func:`normalize` gives the canonical
form (adjacent texts merged, empty nodes dropped, newlines inside texts turned into
:class:`LineBreak`, unsafe link targets dropped); the builders in
:mod:`osoto_bridge.text.build` and every parser return canonical documents, so two
documents that show the same thing compare equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

from osoto_bridge.text.urls import is_safe_url


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text; never markup, whatever characters it holds."""

    value: str


@dataclass(frozen=True, slots=True)
class Bold:
    """Bold inline content."""

    children: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Italic:
    """Italic inline content (Telegram's underline also lands here)."""

    children: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Strike:
    """Struck-through inline content."""

    children: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline monospace text; its value is shown verbatim."""

    value: str


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink; ``children`` is the visible label."""

    url: str
    children: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A line break inside a paragraph."""


Span: TypeAlias = Text | Bold | Italic | Strike | Code | Link | LineBreak


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inline spans."""

    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Pre:
    """A preformatted (code) block, shown verbatim."""

    value: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quote, e.g. the "replying to Alice: ..." fallback."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    """A bulleted list; each item is a run of inline spans."""

    items: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading line; chat platforms have none, so renderers show it bold."""

    spans: tuple[Span, ...]


Block: TypeAlias = Paragraph | Pre | Quote | BulletList | Heading


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a command reply.

    Renderers ignore buttons; chat adapters turn them into inline keyboards or
    Block Kit buttons and route presses back by ``action_id`` and ``value``.

    Attributes:
        label: The text on the button (plain text, escaped by the adapter).
        action_id: What the button does, e.g. ``"todo.done"``.
        value: The argument, e.g. the action item id.
    """

    label: str
    action_id: str
    value: str


ButtonRows: TypeAlias = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """A whole message: blocks, plus optional button rows for command replies."""

    blocks: tuple[Block, ...]
    buttons: ButtonRows = field(default=())

    def plain_text(self) -> str:
        """Return the visible text with no markup at all.

        Blocks are separated by a blank line, list items start with ``• ``, quoted
        lines with ``> ``, and a link whose label differs from its address shows
        both as ``label (url)``.
        """
        return "\n\n".join(block_plain_text(block) for block in self.blocks)

    def is_empty(self) -> bool:
        """Return whether the document shows nothing (buttons aside)."""
        return not self.blocks


# -- plain text -----------------------------------------------------------------------


def spans_plain_text(spans: Iterable[Span], *, link_urls: bool = True) -> str:
    """Return the visible text of inline spans.

    Args:
        spans: The spans.
        link_urls: Whether to add ``(url)`` after a link whose label is not its url.
    """
    out: list[str] = []
    for span in spans:
        if isinstance(span, Text | Code):
            out.append(span.value)
        elif isinstance(span, LineBreak):
            out.append("\n")
        elif isinstance(span, Link):
            label = spans_plain_text(span.children, link_urls=link_urls)
            out.append(label)
            if link_urls and label != span.url:
                out.append(f" ({span.url})")
        else:
            out.append(spans_plain_text(span.children, link_urls=link_urls))
    return "".join(out)


def block_plain_text(block: Block) -> str:
    """Return the visible text of one block (see :meth:`Document.plain_text`)."""
    if isinstance(block, Paragraph | Heading):
        return spans_plain_text(block.spans)
    if isinstance(block, Pre):
        return block.value
    if isinstance(block, Quote):
        inner = "\n\n".join(block_plain_text(b) for b in block.blocks)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    return "\n".join("• " + spans_plain_text(item) for item in block.items)


# -- canonical form ---------------------------------------------------------------------

SpanLike: TypeAlias = Span | str
BlockLike: TypeAlias = Block | Span | str


def _as_span(item: SpanLike) -> Span:
    return Text(item) if isinstance(item, str) else item


def normalize_spans(items: Iterable[SpanLike]) -> tuple[Span, ...]:
    """Return spans in canonical form.

    Texts are merged and their newlines become :class:`LineBreak`; empty texts,
    codes and wrappers disappear; neighbours of the same kind (two codes, two bold
    runs, two links to one address) merge; a wrapper directly inside the same kind
    of wrapper is flattened; code values lose their newlines to line breaks; a link
    to an unsafe address (see :func:`~osoto_bridge.text.urls.is_safe_url`) or inside
    another link's label is reduced to its label.
    """
    out: list[Span] = []

    def push_text(value: str) -> None:
        if not value:
            return
        if out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].value + value)
        else:
            out.append(Text(value))

    def push(span: Span) -> None:
        if isinstance(span, Text):
            if "\n" not in span.value and "\r" not in span.value:
                push_text(span.value)
                return
            lines = span.value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for index, line in enumerate(lines):
                if index:
                    out.append(LineBreak())
                push_text(line)
        elif isinstance(span, LineBreak):
            out.append(span)
        elif isinstance(span, Code):
            lines = span.value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for index, line in enumerate(lines):
                if index:
                    out.append(LineBreak())
                if not line:
                    continue
                if out and isinstance(out[-1], Code):
                    out[-1] = Code(out[-1].value + line)
                else:
                    out.append(Code(line))
        elif isinstance(span, Link):
            children = normalize_spans(_unlinked(span.children))
            if is_safe_url(span.url) and children:
                previous = out[-1] if out else None
                if isinstance(previous, Link) and previous.url == span.url:
                    out[-1] = Link(span.url, normalize_spans((*previous.children, *children)))
                else:
                    out.append(Link(span.url, children))
            else:
                # A link without a label, or to an address no platform should
                # open, still shows its text.
                for child in children or (Text(span.url),):
                    push(child)
        else:
            kind = type(span)
            children = normalize_spans(span.children)
            if children:
                previous = out[-1] if out else None
                if type(previous) is kind and isinstance(previous, Bold | Italic | Strike):
                    children = normalize_spans((*previous.children, *children))
                    out.pop()
                if any(type(child) is kind for child in children):
                    children = normalize_spans(_flatten_same(kind, children))
                out.append(kind(children))

    for item in items:
        push(_as_span(item))
    return tuple(out)


def _unlinked(children: Iterable[Span]) -> Iterable[Span]:
    """Links cannot nest on any platform: a link inside a label becomes its label."""
    for child in children:
        if isinstance(child, Link):
            yield from _unlinked(child.children)
        elif isinstance(child, Bold | Italic | Strike):
            yield type(child)(tuple(_unlinked(child.children)))
        else:
            yield child


def _flatten_same(kind: type, children: tuple[Span, ...]) -> Iterable[Span]:
    """Lift children of the same kind as their parent (``**a **b** c**``)."""
    for child in children:
        if type(child) is kind and isinstance(child, Bold | Italic | Strike):
            yield from _flatten_same(kind, child.children)
        else:
            yield child


def normalize_block(block: Block) -> Block | None:
    """Return a block in canonical form, or ``None`` when it shows nothing."""
    if isinstance(block, Paragraph | Heading):
        spans = normalize_spans(block.spans)
        return type(block)(spans) if spans else None
    if isinstance(block, Pre):
        value = block.value.replace("\r\n", "\n").replace("\r", "\n")
        return Pre(value, block.language or None) if value else None
    if isinstance(block, Quote):
        inner = normalize_blocks(block.blocks)
        return Quote(inner) if inner else None
    items = tuple(spans for spans in (normalize_spans(i) for i in block.items) if spans)
    return BulletList(items) if items else None


_BLOCK_TYPES = (Paragraph, Pre, Quote, BulletList, Heading)


def normalize_blocks(blocks: Iterable[BlockLike]) -> tuple[Block, ...]:
    """Return blocks in canonical form; a ``str`` or a span becomes a paragraph."""
    out: list[Block] = []
    for item in blocks:
        block = item if isinstance(item, _BLOCK_TYPES) else Paragraph((_as_span(item),))
        normal = normalize_block(block)
        if normal is not None:
            out.append(normal)
    return tuple(out)


def normalize(document: Document) -> Document:
    """Return a document in canonical form (see :func:`normalize_spans`)."""
    return Document(normalize_blocks(document.blocks), document.buttons)
