"""Osoto content: light Markdown in, the same Markdown out, plain text round-trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from text_support import PROPERTY, hostile_text, rich_documents, shown_text

from osoto_bridge.text import (
    Document,
    Text,
    bold,
    bullet_list,
    code,
    doc,
    from_osoto,
    from_plain,
    heading,
    italic,
    link,
    normalize,
    paragraph,
    pre,
    quote,
    render_osoto,
    strike,
)

READS = [
    (
        "**bold** and *it* or _it_",
        doc(paragraph(bold("bold"), " and ", italic("it"), " or ", italic("it"))),
    ),
    ("~~gone~~ `x*y`", doc(paragraph(strike("gone"), " ", code("x*y")))),
    (
        "[the map](https://m.ap/1) and https://x.y/z.",
        doc(paragraph(link("https://m.ap/1", "the map"), " and ", link("https://x.y/z"), ".")),
    ),
    (
        "(see https://en.wikipedia.org/wiki/Foo_(bar))",
        doc(paragraph("(see ", link("https://en.wikipedia.org/wiki/Foo_(bar)"), ")")),
    ),
    ("**a *b* c**", doc(paragraph(bold("a ", italic("b"), " c")))),
    ("**a*b***", doc(paragraph(bold("a", italic("b"))))),
    ("`` a`b ``", doc(paragraph(code("a`b")))),
    ("> Alice: hi\n> there\n\nreply", doc(quote(paragraph("Alice: hi\nthere")), "reply")),
    ("```python\nx = 1\n\n  y\n```", doc(pre("x = 1\n\n  y", "python"))),
    ("one\n\n\n  \ntwo\nthree", doc("one", "two\nthree")),
]


@pytest.mark.parametrize(("content", "expected"), READS)
def test_markdown_reads_as_expected(content: str, expected: Document) -> None:
    assert from_osoto(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "snake_case_name and 5 * 3 and ~5 min",
        "*unclosed and **also",
        "a ~single~ tilde",
        "```\nno closing fence",
        "[label](javascript:alert(1))",
        "**",
        "> ",
        "\\",
        "`unclosed code",
        "x_y_z",
    ],
)
def test_unmatched_or_inert_markers_stay_literal(content: str) -> None:
    assert from_osoto(content) == doc(content)


def test_backslash_escapes_punctuation_only() -> None:
    assert from_osoto(r"\*not\* C:\path \\") == doc("*not* C:\\path \\")


def test_joiners_the_bridge_added_are_removed_on_the_way_back() -> None:
    assert from_osoto("@\u2060here <\u2060!channel>") == doc("@here <!channel>")


def test_render_golden() -> None:
    document = doc(
        heading("Tuesday"),
        paragraph(
            "Check in at ", bold("Hotel *Star*"), ", ", italic("late"), " ", strike("early"),
            " — ", link("https://m.ap/1", "map"), " ", link("https://x.y"), " ", code("a`b"),
        ),
        paragraph("in", italic("word"), "s and @here <!channel> [x](y) > quote"),
        quote(paragraph("> Bob: ", bold("hi"))),
        bullet_list("one", "two\nlines"),
        pre("```\ninside\n```", "sh"),
    )  # fmt: skip
    assert render_osoto(document) == (
        "**Tuesday**\n\n"
        "Check in at **Hotel \\*Star\\***, _late_ ~~early~~ — [map](https://m.ap/1) "
        "https://x.y ``a`b``\n\n"
        "in*word*s and @\u2060here <\u2060!channel> [x\\](y) > quote\n\n"
        "> \\> Bob: **hi**\n\n"
        "• one\n• two\n  lines\n\n"
        "````sh\n```\ninside\n```\n````"
    )


def test_formatted_documents_read_back_as_rendered() -> None:
    document = doc(
        paragraph(bold("a ", italic("b")), " ", italic(bold("c")), " x", italic("y"), "z"),
        paragraph(link("https://x.y/a_(b)", "l ", bold("b")), " ", code(" padded ")),
        quote(paragraph("q ", strike("s")), paragraph("second")),
        pre("code", "py"),
    )
    assert from_osoto(render_osoto(document)) == document


@PROPERTY
@given(hostile_text)
def test_plain_text_round_trips(value: str) -> None:
    document = from_plain(value)
    assert from_osoto(render_osoto(document)) == document


@PROPERTY
@given(st.text())
def test_any_text_round_trips(value: str) -> None:
    document = from_plain(value)
    assert from_osoto(render_osoto(document)) == document


@PROPERTY
@given(hostile_text)
def test_parsing_never_fails_and_is_canonical(value: str) -> None:
    document = from_osoto(value)
    assert normalize(document) == document


@PROPERTY
@given(rich_documents)
def test_rendering_any_document_keeps_its_words(document: Document) -> None:
    back = from_osoto(render_osoto(document))
    # Markup may settle differently (e.g. a bold run ending in punctuation next to
    # a letter), but no text is lost or invented.
    assert _words(back) == _words(document)


def _words(document: Document) -> list[str]:
    """The words a document shows, ignoring emphasis markers and layout."""
    return shown_text(document).translate(str.maketrans("", "", "*_~•>")).split()


def test_text_spans_are_never_markup() -> None:
    hostile = "**b** _i_ ~~s~~ `c` [l](https://x.y) https://x.y > q\n```\nfence\n```"
    assert from_osoto(render_osoto(doc(paragraph(Text(hostile))))) == doc(hostile)
