"""Long messages are split at each platform's limit, never cut."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from text_support import PROPERTY, TelegramHtmlChecker, hostile_text, shown_text

from osoto_bridge.text import (
    CONTINUATION,
    OSOTO_MAX_CONTENT,
    SLACK_MAX_TEXT,
    TELEGRAM_MAX_TEXT,
    Document,
    Pre,
    bold,
    bullet_list,
    button,
    doc,
    from_osoto,
    from_plain,
    measure_telegram,
    paragraph,
    pre,
    quote,
    render_osoto_parts,
    render_plain_parts,
    render_slack_parts,
    render_telegram_html_parts,
    split_document,
    split_slack,
    split_telegram,
    utf16_len,
)
from osoto_bridge.text._graphemes import is_boundary


def _twenty_thousand() -> str:
    """A realistic long message: paragraphs of words, some lines, some emoji."""
    words = ["Tuesday", "hotel", "check-in", "15:00", "🚗", "한국어", "@here", "<b>", "café"]
    paragraphs = []
    for index in range(60):
        line = " ".join(words[(index + k) % len(words)] for k in range(40))
        paragraphs.append(f"{index}. {line}\n{line[:120]}")
    text = "\n\n".join(paragraphs)
    return text[:20_000]


def _strip_marker(part: Document, index: int) -> str:
    """A part's text without the continuation marker (own paragraph or not)."""
    value = shown_text(part)
    return re.sub(r"\A…\s*", "", value) if index else value


def test_a_twenty_thousand_character_message_is_split_and_whole() -> None:
    text = _twenty_thousand()
    assert len(text) == 20_000
    document = from_plain(text)
    for parts in (
        split_telegram(document),
        split_slack(document),
        split_document(document, lambda d: len(d.plain_text()) <= OSOTO_MAX_CONTENT),
    ):
        assert len(parts) > 1
        words = [w for i, p in enumerate(parts) for w in _strip_marker(p, i).split()]
        assert words == text.split()
        # Each part ends where a paragraph or line ends: nothing cut mid-line.
        for part in parts[:-1]:
            assert _strip_marker(part, 1).split("\n")[-1] in text.split("\n")

    telegram = render_telegram_html_parts(document)
    for markup in telegram:
        visible = TelegramHtmlChecker.check(markup)
        assert utf16_len(visible) <= TELEGRAM_MAX_TEXT
    assert all(utf16_len(part) <= SLACK_MAX_TEXT for part in render_slack_parts(document))
    osoto = render_osoto_parts(document)
    assert all(len(part) <= OSOTO_MAX_CONTENT for part in osoto)
    read_back = [_strip_marker(from_osoto(part), i) for i, part in enumerate(osoto)]
    assert [w for part in read_back for w in part.split()] == text.split()
    assert all(len(part) <= 5000 for part in render_plain_parts(document, 5000))


def test_a_short_message_is_one_part_without_marker() -> None:
    document = doc("hello @here")
    assert render_telegram_html_parts(document) == ["hello @\u2060here"]


def test_continuation_parts_are_marked_and_buttons_stay_last() -> None:
    document = doc(
        *(f"paragraph {i} " + "word " * 30 for i in range(10)),
        buttons=[[button("Done", "todo.done", "1")]],
    )
    parts = split_document(document, lambda d: len(d.plain_text()) <= 400)
    assert len(parts) > 2
    assert not shown_text(parts[0]).startswith(CONTINUATION)
    assert all(shown_text(part).startswith(CONTINUATION) for part in parts[1:])
    assert [bool(part.buttons) for part in parts] == [False] * (len(parts) - 1) + [True]


def test_markup_is_closed_and_reopened_across_a_cut() -> None:
    document = doc(paragraph("start ", bold("word " * 3000), "end"))
    parts = render_telegram_html_parts(document)
    assert len(parts) >= 4
    for markup in parts:
        TelegramHtmlChecker.check(markup)
        assert "<b>" in markup
    assert parts[1].startswith("… <b>word")


def test_a_word_longer_than_the_limit_is_cut_between_graphemes() -> None:
    cluster = ["👨‍👩‍👧", "🇰🇷", "👍🏽", "e\u0301", "한", "𝔘", "x"]
    word = "".join(cluster[i % len(cluster)] for i in range(3000))
    parts = split_document(doc(word), lambda d: utf16_len(d.plain_text()) <= 100, marker="")
    assert len(parts) > 10
    assert "".join(p.plain_text() for p in parts) == word
    offset = 0
    for part in parts[:-1]:
        offset += len(part.plain_text())
        assert is_boundary(word, offset), (offset, word[offset - 2 : offset + 2])


def test_preformatted_blocks_split_between_lines() -> None:
    code = "\n".join(f"line {i} = {'x' * 20}" for i in range(400))
    parts = split_telegram(doc(pre(code, "python")), limit=1000)
    assert len(parts) > 5
    values = [block.value for part in parts for block in part.blocks if isinstance(block, Pre)]
    assert "\n".join(values) == code
    assert all(
        block.language == "python"
        for part in parts
        for block in part.blocks
        if isinstance(block, Pre)
    )


def test_quotes_and_lists_split_item_by_item() -> None:
    document = doc(
        quote(*(f"quoted paragraph {i} " + "q " * 40 for i in range(8))),
        bullet_list(*(f"item {i} " + "i " * 40 for i in range(12))),
    )
    parts = split_slack(document, limit=300)
    assert len(parts) > 4
    words = [w for i, p in enumerate(parts) for w in _strip_marker(p, i).split()]
    assert words == shown_text(document).split()
    assert all(utf16_len(text) <= 300 for text in render_slack_parts(document, 300))


def test_a_limit_too_small_for_anything_still_ends() -> None:
    parts = split_document(doc("abc def"), lambda d: False, marker="")
    assert "".join(shown_text(p) for p in parts).replace(" ", "") == "abcdef"


@PROPERTY
@given(hostile_text.map(lambda s: s * 20), st.integers(min_value=40, max_value=400))
def test_parts_fit_and_rejoin(value: str, limit: int) -> None:
    document = from_plain(value)
    parts = split_telegram(document, limit=limit)
    for index, part in enumerate(parts):
        markup, visible = measure_telegram(part)
        TelegramHtmlChecker.check(markup)
        if visible > limit:
            # Only a single grapheme bigger than the limit may overflow it.
            alone = _strip_marker(part, index)
            assert not any(is_boundary(alone, i) for i in range(1, len(alone))), alone
    whole = re.sub(r"\s+", "", shown_text(document))
    rejoined = "".join(re.sub(r"\s+", "", _strip_marker(p, i)) for i, p in enumerate(parts))
    assert rejoined == whole
    # No word is cut unless it could not fit in a part on its own.
    if all(utf16_len(w) <= limit // 3 for w in shown_text(document).split()):
        words = [w for i, p in enumerate(parts) for w in _strip_marker(p, i).split()]
        assert words == shown_text(document).split()
