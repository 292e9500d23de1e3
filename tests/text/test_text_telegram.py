"""Telegram: messages with UTF-16 entities in, well-formed safe HTML out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from text_support import PROPERTY, TelegramHtmlChecker, hostile_text, rich_documents, shown_text

from osoto_bridge.text import (
    Document,
    bold,
    bullet_list,
    code,
    doc,
    from_telegram,
    has_live_mention,
    heading,
    italic,
    link,
    measure_telegram,
    normalize,
    paragraph,
    pre,
    quote,
    render_telegram_html,
    restore,
    strike,
    utf16_len,
)


def entity(text: str, kind: str, part: str, nth: int = 0, **extra: str) -> dict[str, Any]:
    """An entity over the ``nth`` occurrence of ``part``, offsets in UTF-16 units."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return {
        "type": kind,
        "offset": utf16_len(text[:start]),
        "length": utf16_len(part),
        **extra,
    }


def test_offsets_count_utf16_units_after_astral_characters() -> None:
    text = "😀👍🏽 𝔘 bold then italic"
    entities = [entity(text, "bold", "bold"), entity(text, "italic", "italic")]
    assert from_telegram(text, entities) == doc(
        paragraph("😀👍🏽 𝔘 ", bold("bold"), " then ", italic("italic"))
    )


def test_nested_styles_links_and_code() -> None:
    text = "Stay at Hotel Sun, map here, ref ABC-1 and strike"
    entities = [
        entity(text, "bold", "Hotel Sun, map"),
        entity(text, "underline", "Sun"),
        entity(text, "text_link", "map here", url="https://m.ap/1"),
        entity(text, "code", "ABC-1"),
        entity(text, "strikethrough", "strike"),
    ]
    # Entities overlapping without nesting are clipped to the first one.
    assert from_telegram(text, entities) == doc(
        paragraph(
            "Stay at ",
            bold("Hotel ", italic("Sun"), ", ", link("https://m.ap/1", "map")),
            " here, ref ",
            code("ABC-1"),
            " and ",
            strike("strike"),
        )
    )


def test_urls_mentions_and_commands() -> None:
    text = "see example.com/x and https://a.b @alice /where@trip_bot #tag me@x.y"
    entities = [
        entity(text, "url", "example.com/x"),
        entity(text, "url", "https://a.b"),
        entity(text, "mention", "@alice"),
        entity(text, "bot_command", "/where@trip_bot"),
        entity(text, "hashtag", "#tag"),
        entity(text, "email", "me@x.y"),
    ]
    assert from_telegram(text, entities) == doc(
        paragraph(
            "see ",
            link("http://example.com/x", "example.com/x"),
            " and ",
            link("https://a.b"),
            " @alice /where@trip_bot #tag me@x.y",
        )
    )


def test_blocks_quotes_and_preformatted() -> None:
    text = "Alice wrote:\nsee you at 7\nbring **snacks**\n\nprint(1)\nx = 2\nok"
    entities = [
        entity(text, "blockquote", "see you at 7\nbring **snacks**"),
        entity(text, "italic", "7"),
        entity(text, "pre", "print(1)\nx = 2", language="python"),
        entity(text, "text_mention", "ok", url="tg://user?id=1"),
    ]
    assert from_telegram(text, entities) == doc(
        "Alice wrote:",
        quote(paragraph("see you at ", italic("7"), "\nbring **snacks**")),
        pre("print(1)\nx = 2", "python"),
        "ok",
    )


@pytest.mark.parametrize(
    "entities",
    [
        [{"type": "bold"}],
        [{"type": "bold", "offset": "x", "length": 2}],
        [{"type": "bold", "offset": 40, "length": 2}],
        [{"type": "bold", "offset": 2, "length": 0}],
        [{"type": "text_link", "offset": 0, "length": 2, "url": "javascript:alert(1)"}],
        [{"type": "custom_emoji", "offset": 0, "length": 2, "custom_emoji_id": "1"}],
    ],
)
def test_bad_or_unknown_entities_leave_plain_text(entities: list[Mapping[str, Any]]) -> None:
    assert from_telegram("hi there", entities) == doc("hi there")


def test_bridge_joiners_are_removed_on_the_way_back() -> None:
    assert from_telegram("@\u2060here <\u2060!channel>", []) == doc("@here <!channel>")


def test_render_golden() -> None:
    document = doc(
        heading("Tuesday < 3"),
        paragraph(
            "Hotel ", bold("Sun & ", italic("Sea")), " ", strike("old"), " ",
            link("https://m.ap/?a=1&b=\"2\"", "map ", code("x")), " ", code("<b>"),
            " @here <!channel> <@U1>",
        ),
        quote(paragraph("Alice: hi"), quote("nested"), pre("a < b")),
        bullet_list("one", ["two ", bold("2")]),
        pre("if a < b:\n    pass", "python"),
        pre("plain", 'x"><script>'),
    )  # fmt: skip
    assert render_telegram_html(document) == (
        "<b>Tuesday &lt; 3</b>\n\n"
        "Hotel <b>Sun &amp; <i>Sea</i></b> <s>old</s> "
        '<a href="https://m.ap/?a=1&amp;b=&quot;2&quot;">map x</a> <code>&lt;\u2060b&gt;</code>'
        " @\u2060here &lt;\u2060!channel&gt; &lt;\u2060@\u2060U1&gt;\n\n"
        "<blockquote>Alice: hi\n\nnested\n\na &lt; b</blockquote>\n\n"
        "• one\n• two <b>2</b>\n\n"
        '<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>\n\n'
        '<pre><code class="language-xscript">plain</code></pre>'
    )


@PROPERTY
@given(rich_documents)
def test_html_is_well_formed_safe_and_counted(document: Document) -> None:
    markup, visible_units = measure_telegram(document)
    visible = TelegramHtmlChecker.check(markup)
    assert utf16_len(visible) == visible_units
    assert not has_live_mention(visible)
    assert restore(visible).split() == shown_text(document).split()


ENTITY_TYPES = [
    "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link",
    "url", "mention", "blockquote", "expandable_blockquote",
]  # fmt: skip


@PROPERTY
@given(
    hostile_text,
    st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(ENTITY_TYPES),
                "offset": st.integers(-2, 40),
                "length": st.integers(-1, 40),
                "url": st.sampled_from(["https://x.y", "tg://user?id=1", ""]),
                "language": st.sampled_from(["", "py"]),
            }
        ),
        max_size=6,
    ),
)
def test_any_entities_parse_to_a_canonical_document(
    value: str, entities: list[dict[str, Any]]
) -> None:
    document = from_telegram(value, entities)
    assert normalize(document) == document
    # Nothing the user wrote goes missing or moves (entities only add structure).
    assert _letters(shown_text(document)) == _letters(value)


def _letters(value: str) -> str:
    return "".join(value.replace("\u2060", "").split())
