"""Splitting a document into message-sized parts, never cutting a word or markup.

The cut happens in the model, not in rendered text, so markup is closed and
reopened across a cut for free: a bold run cut in two is two bold runs. Cuts are
tried at block boundaries first, then at line breaks, then between words, and only
for a single "word" longer than a whole message between characters (never inside
a grapheme). Whether a part fits is the caller's question, asked of the whole
rendered part, so each platform counts in its own units; the whitespace at a cut
is dropped. Parts after the first begin with a continuation marker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from osoto_bridge.text._graphemes import boundaries
from osoto_bridge.text._inline import SpanRun
from osoto_bridge.text.model import (
    Block,
    BulletList,
    Document,
    Heading,
    Paragraph,
    Pre,
    Quote,
    Span,
    Text,
    normalize,
    normalize_spans,
)

CONTINUATION = "… "
"""What a continuation part begins with."""

Fits = Callable[[Document], bool]


def split_document(document: Document, fits: Fits, *, marker: str = CONTINUATION) -> list[Document]:
    """Split ``document`` into parts that each satisfy ``fits``.

    Args:
        document: The document to split.
        fits: Whether a candidate part is small enough (render it and measure).
        marker: Text that begins every part after the first (may be empty).

    Returns:
        One or more documents; buttons stay on the last one. If even a single
        character does not fit, that part holds one character regardless, so
        splitting always ends.
    """
    document = normalize(document)
    if fits(document):
        return [document]
    queue = list(document.blocks)
    parts: list[tuple[Block, ...]] = []
    while queue:
        prefix = marker if parts else ""

        def fits_blocks(blocks: Sequence[Block], prefix: str = prefix) -> bool:
            return fits(Document(_marked(blocks, prefix)))

        count = _longest(lambda k: fits_blocks(queue[:k]), len(queue))
        if count:
            parts.append(_marked(queue[:count], prefix))
            del queue[:count]
            continue
        head, tail = _split_block(queue[0], lambda block: fits_blocks((block,)))
        parts.append(_marked((head,), prefix))
        if tail is None:
            del queue[0]
        else:
            queue[0] = tail
    documents = [Document(blocks) for blocks in parts]
    documents[-1] = Document(documents[-1].blocks, document.buttons)
    return documents


def split(
    document: Document,
    *,
    limit: int,
    render: Callable[[Document], str],
    measure: Callable[[str], int] = len,
    marker: str = CONTINUATION,
) -> list[str]:
    """Split and render ``document`` into parts of at most ``limit`` (by ``measure``)."""

    def fits(part: Document) -> bool:
        return measure(render(part)) <= limit

    return [render(part) for part in split_document(document, fits, marker=marker)]


def _marked(blocks: Sequence[Block], prefix: str) -> tuple[Block, ...]:
    if not prefix or not blocks:
        return tuple(blocks)
    first = blocks[0]
    if isinstance(first, Paragraph):
        return (Paragraph(normalize_spans((Text(prefix), *first.spans))), *blocks[1:])
    return (Paragraph((Text(prefix.strip() or prefix),)), *blocks)


def _longest(ok: Callable[[int], bool], most: int) -> int:
    """Return the largest ``k`` in ``[0, most]`` with ``ok(k)``, ``ok`` being monotone."""
    good, step = 0, 1
    while good + step <= most and ok(good + step):
        good += step
        step *= 2
    bad = min(good + step, most + 1)
    while bad - good > 1:
        middle = (good + bad) // 2
        if ok(middle):
            good = middle
        else:
            bad = middle
    return good


def _best_cut(cuts: Sequence[int], ok: Callable[[int], bool]) -> int | None:
    """Return the last cut in sorted ``cuts`` for which ``ok`` holds, if any."""
    count = _longest(lambda k: ok(cuts[k - 1]), len(cuts))
    return cuts[count - 1] if count else None


def _split_block(block: Block, fits: Callable[[Block], bool]) -> tuple[Block, Block | None]:
    """Cut one block that does not fit into a head that does and the rest."""
    if isinstance(block, Paragraph | Heading):
        kind = type(block)
        head, tail = _split_spans(block.spans, lambda spans: fits(kind(spans)))
        return kind(head), (kind(tail) if tail else None)
    if isinstance(block, Pre):
        return _split_pre(block, fits)
    if isinstance(block, Quote):
        inner = block.blocks
        count = _longest(lambda k: fits(Quote(inner[:k])), len(inner))
        if count:
            return Quote(inner[:count]), Quote(inner[count:]) if inner[count:] else None
        head_block, tail_block = _split_block(inner[0], lambda b: fits(Quote((b,))))
        rest = ((tail_block,) if tail_block else ()) + inner[1:]
        return Quote((head_block,)), (Quote(rest) if rest else None)
    items = block.items
    count = _longest(lambda k: fits(BulletList(items[:k])), len(items))
    if count:
        return BulletList(items[:count]), BulletList(items[count:]) if items[count:] else None
    head_item, tail_item = _split_spans(items[0], lambda s: fits(BulletList((s,))))
    rest_items = ((tail_item,) if tail_item else ()) + items[1:]
    return BulletList((head_item,)), (BulletList(rest_items) if rest_items else None)


def _split_spans(
    spans: tuple[Span, ...], fits: Callable[[tuple[Span, ...]], bool]
) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    run = SpanRun(spans)
    value = run.text

    def head(cut: int) -> tuple[Span, ...]:
        end = cut
        while end > 0 and value[end - 1].isspace():
            end -= 1
        return run.slice(0, end)

    def ok(cut: int) -> bool:
        part = head(cut)
        return bool(part) and fits(part)

    cut = _find_cut(value, ok)
    start = cut
    while start < len(value) and value[start].isspace():
        start += 1
    return head(cut) or run.slice(0, cut), run.slice(start, len(value))


def _split_pre(block: Pre, fits: Callable[[Block], bool]) -> tuple[Block, Block | None]:
    value = block.value

    def ok(cut: int) -> bool:
        return fits(Pre(value[:cut].removesuffix("\n"), block.language))

    cut = _find_cut(value, ok)
    head = value[:cut].removesuffix("\n") or value[:cut]
    tail = value[cut:]
    return Pre(head, block.language), (Pre(tail, block.language) if tail else None)


def _find_cut(value: str, ok: Callable[[int], bool]) -> int:
    """Pick where to cut ``value``: after a line, else a word, else a grapheme.

    A cut ``c`` keeps ``value[:c]`` (whitespace before ``c`` is dropped by the
    caller) in this part. Returns at least one grapheme's worth.
    """
    lines = [i + 1 for i, char in enumerate(value) if char == "\n" and i + 1 < len(value)]
    words = [
        i
        for i in range(1, len(value))
        if value[i].isspace() and not value[i - 1].isspace() and value[i] != "\n"
    ]
    graphemes = boundaries(value)
    for cuts in (lines, words, graphemes):
        cut = _best_cut(cuts, ok)
        if cut is not None:
            return cut
    return graphemes[0] if graphemes else len(value)
