"""Hostile input: deep nesting and marker floods end quickly, without recursion."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from osoto_bridge.text import (
    Bold,
    Document,
    Italic,
    Paragraph,
    Quote,
    Span,
    Strike,
    from_osoto,
    from_slack,
    from_telegram,
    render_osoto,
    render_slack_mrkdwn,
    render_telegram_html,
)
from osoto_bridge.text._emphasis import MAX_NESTING
from osoto_bridge.text.osoto_parse import MAX_QUOTE_DEPTH


def _span_depth(spans: tuple[Span, ...]) -> int:
    return max(
        (1 + _span_depth(s.children) for s in spans if isinstance(s, Bold | Italic | Strike)),
        default=0,
    )


def _quote_depth(document: Document) -> int:
    depth, blocks = 0, document.blocks
    while blocks and isinstance(blocks[0], Quote):
        depth, blocks = depth + 1, blocks[0].blocks
    return depth


def test_deep_quotes_stop_nesting() -> None:
    document = from_osoto("> " * 3000 + "x")
    assert _quote_depth(document) == MAX_QUOTE_DEPTH
    assert document.plain_text().endswith("x")
    assert _quote_depth(from_slack("&gt; " * 3000 + "x")) <= MAX_QUOTE_DEPTH


@pytest.mark.parametrize(
    ("parse", "source"),
    [
        (from_osoto, "**_" * 1500 + "a" + "_**" * 1500),
        (from_osoto, "*_~" * 1500 + "a" + "~_*" * 1500),
        (from_slack, "*_~" * 1500 + "a" + "~_*" * 1500),
    ],
)
def test_deep_emphasis_stops_nesting_and_keeps_the_rest_as_text(
    parse: Callable[[str], Document], source: str
) -> None:
    document = parse(source)
    (block,) = document.blocks
    assert isinstance(block, Paragraph)
    assert _span_depth(block.spans) <= MAX_NESTING
    for render in (render_osoto, render_telegram_html, render_slack_mrkdwn):
        assert "a" in render(document)


def test_floods_of_markers_stay_literal() -> None:
    for flood in ("[" * 5000, "[a](" * 2000, "`" * 5000, "```a\n" * 2000, "\\" * 5000):
        document = from_osoto(flood)
        assert "".join(document.plain_text().split()) == "".join(flood.split()).replace(
            "\\\\", "\\"
        )


def test_deeply_nested_telegram_entities_keep_their_text() -> None:
    text = "a" * 4000
    entities = [{"type": "bold", "offset": i, "length": 4000 - 2 * i} for i in range(1500)]
    document = from_telegram(text, entities)
    (block,) = document.blocks
    assert isinstance(block, Paragraph)
    assert _span_depth(block.spans) <= MAX_NESTING
    assert document.plain_text() == text
