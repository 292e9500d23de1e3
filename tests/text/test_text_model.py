"""The model: canonical builders, plain text, values that behave like values."""

from __future__ import annotations

import dataclasses
import types

import pytest

import osoto_bridge.text as text_pkg
from osoto_bridge.text import (
    Bold,
    BulletList,
    Button,
    Code,
    Document,
    LineBreak,
    Link,
    Paragraph,
    Quote,
    Strike,
    Text,
    bold,
    bullet_list,
    button,
    code,
    doc,
    heading,
    italic,
    link,
    normalize,
    paragraph,
    pre,
    quote,
    strike,
)

AGREED = {
    # what the relay, commands and chat adapters code against
    "Text", "Bold", "Italic", "Strike", "Code", "Link", "LineBreak", "Paragraph", "Pre",
    "Quote", "BulletList", "Heading", "Document", "Button", "doc", "paragraph", "text",
    "bold", "italic", "strike", "code", "link", "from_osoto", "from_telegram", "from_slack",
    "render_plain", "render_osoto", "render_telegram_html", "render_slack_mrkdwn", "split",
    "render_telegram_html_parts", "render_slack_parts", "render_plain_parts", "attributed",
    "OSOTO_MAX_CONTENT",
}  # fmt: skip


def test_the_agreed_names_are_exported_sorted_and_real() -> None:
    names = text_pkg.__all__
    assert set(names) >= AGREED
    assert len(set(names)) == len(names)
    isort_style = sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    assert names == isort_style
    for name in names:
        value = getattr(text_pkg, name)
        if isinstance(value, type | types.FunctionType):
            assert value.__module__.startswith("osoto_bridge.text"), name


def test_strings_become_paragraphs_and_newlines_line_breaks() -> None:
    assert doc("one\ntwo", "three") == Document(
        (
            Paragraph((Text("one"), LineBreak(), Text("two"))),
            Paragraph((Text("three"),)),
        )
    )


def test_builders_merge_texts_and_drop_what_shows_nothing() -> None:
    built = paragraph("a", "b", bold(), italic(""), code(""), bold("c", bold("d")), "")
    assert built == Paragraph((Text("ab"), Bold((Text("cd"),))))
    assert doc(paragraph(), quote(), pre(""), bullet_list()) == Document(())


def test_code_with_newlines_and_links_without_labels_stay_visible() -> None:
    assert paragraph(code("a\nb")) == Paragraph((Code("a"), LineBreak(), Code("b")))
    assert link("https://x.y") == Link("https://x.y", (Text("https://x.y"),))
    # A hand-built link with no label still shows its address.
    assert normalize(Document((Paragraph((Link("https://x.y", ()),)),))) == doc("https://x.y")


def test_normalize_is_idempotent_on_hand_built_trees() -> None:
    raw = Document(
        (
            Paragraph((Text("a\r\nb"), Text(""), Bold((Bold((Text("x"),)), Text("y"))))),
            Quote((Paragraph(()),)),
        )
    )
    once = normalize(raw)
    assert once == normalize(once)
    assert once == doc(paragraph("a\nb", bold("xy")))


def test_plain_text_layout() -> None:
    document = doc(
        heading("Tuesday"),
        paragraph("Stay at ", bold("Hotel"), " ", link("https://m.ap/1", "map"), "."),
        bullet_list("check in 15:00", ["pick up ", italic("car")]),
        quote("Alice: see you", quote("inner")),
        pre("x = 1\ny = 2", "python"),
        paragraph(strike("old"), " ", link("https://same.url")),
    )
    assert document.plain_text() == (
        "Tuesday\n\n"
        "Stay at Hotel map (https://m.ap/1).\n\n"
        "• check in 15:00\n• pick up car\n\n"
        "> Alice: see you\n>\n> > inner\n\n"
        "x = 1\ny = 2\n\n"
        "old https://same.url"
    )


def test_nodes_are_frozen_hashable_values() -> None:
    first = doc(paragraph("a", bold("b")), buttons=[[button("Done", "todo.done", "1")]])
    second = doc(paragraph("a", bold("b")), buttons=[[Button("Done", "todo.done", "1")]])
    assert first == second and hash(first) == hash(second)
    assert first.buttons == ((Button("Done", "todo.done", "1"),),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.blocks = ()  # type: ignore[misc]


def test_bullet_items_take_spans_strings_or_runs() -> None:
    built = bullet_list("a", bold("b"), ["c", strike("d")])
    assert built == BulletList(
        ((Text("a"),), (Bold((Text("b"),)),), (Text("c"), Strike((Text("d"),))))
    )
