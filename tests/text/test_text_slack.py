"""Slack: mrkdwn events in, escaped mrkdwn with inert user text out."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from text_support import PROPERTY, hostile_text, rich_documents, slack_visible

from osoto_bridge.text import (
    Bold,
    Code,
    Document,
    Italic,
    LineBreak,
    Link,
    Paragraph,
    Span,
    Strike,
    Text,
    bold,
    bullet_list,
    code,
    doc,
    from_plain,
    from_slack,
    has_live_mention,
    heading,
    italic,
    link,
    paragraph,
    pre,
    quote,
    render_slack_mrkdwn,
    strike,
)
from osoto_bridge.text.slack_render import LOOKALIKES, ZWSP


def test_event_text_reads_as_expected() -> None:
    text = (
        "Hi <@U123> and <@U9|bob>: *bold* _it_ ~gone~ `a &lt; b` &amp; &lt;b&gt; "
        "<!here> <!channel|channel> <!everyone> <#C1|general> <!subteam^S1|@team> "
        "<https://x.y/?a=1&amp;b=2|the map> <https://a.b> <mailto:a@b.c|mail> <tel:+1|call>"
    )
    assert from_slack(text, user_names={"U123": "alice"}) == doc(
        paragraph(
            "Hi @alice and @bob: ", bold("bold"), " ", italic("it"), " ", strike("gone"), " ",
            code("a < b"), " & <b> @here @channel @everyone #general @team ",
            link("https://x.y/?a=1&b=2", "the map"), " ", link("https://a.b"), " ",
            link("mailto:a@b.c", "mail"), " call",
        )
    )  # fmt: skip


def test_blocks_quotes_and_fences() -> None:
    text = "&gt; Alice: see you\n&gt; at *7*\nok then\n\nlook: ```x = 1\n&lt;y&gt;``` done"
    assert from_slack(text) == doc(
        quote(paragraph("Alice: see you\nat ", bold("7"))),
        "ok then",
        "look: ",
        pre("x = 1\n<y>"),
        " done",
    )


@pytest.mark.parametrize(
    "text",
    ["snake_case and 5 * 3", "*unclosed", "**not bold**", "a*b*c", "`unclosed", "<unclosed"],
)
def test_unmatched_or_inert_markers_stay_literal(text: str) -> None:
    assert from_slack(text) == doc(text)


def test_bridge_joiners_are_removed_on_the_way_back() -> None:
    assert from_slack("@\u2060here &lt;\u2060!channel&gt;") == doc("@here <!channel>")


def test_render_golden() -> None:
    document = doc(
        heading("Tuesday"),
        paragraph(
            "Hotel ", bold("Sun & ", italic("Sea")), " ", strike("old"), " in", bold("side"),
            "! ", bold("(paren)"), " ", link("https://m.ap/?a=1&b=2", "the | map"), " ",
            link("https://x.y"), " ", code("a`b <c>"),
        ),
        paragraph("*not bold* _nor_ ~this~ `or` snake_case 5 * 3 @here <!channel> &amp;"),
        "> not a quote",
        quote(paragraph("Alice: hi"), quote("nested")),
        bullet_list("one", "two\nlines"),
        pre("a ``` b <c>"),
    )  # fmt: skip
    z = ZWSP
    assert render_slack_mrkdwn(document) == (
        "*Tuesday*\n\n"
        f"Hotel *Sun &amp; _Sea_{z}* ~old~ in{z}*side*{z}! *{z}(paren){z}* "
        f"<https://m.ap/?a=1&amp;b=2|the | map> <https://x.y> `aˋb &lt;\u2060c&gt;{z}`\n\n"
        "∗not bold∗ ˍnorˍ ∼this∼ ˋorˋ snake_case 5 * 3 @\u2060here &lt;\u2060!channel&gt; "
        "&amp;amp;\n\n"
        f"{z}&gt; not a quote\n\n"
        "> Alice: hi\n>\n> nested\n\n"
        "• one\n• two\n   lines\n\n"
        f"```\na ``{z}` b &lt;\u2060c&gt;\n```"
    )


def _formatting(spans: tuple[Span, ...]) -> list[Span]:
    found: list[Span] = []
    for span in spans:
        if isinstance(span, Bold | Italic | Strike | Code):
            found.append(span)
        if isinstance(span, Bold | Italic | Strike | Link):
            found.extend(_formatting(span.children))
    return found


def _unmasked(value: str) -> str:
    for original, lookalike in LOOKALIKES.items():
        value = value.replace(lookalike, original)
    return value.replace(ZWSP, "").replace("\u2060", "")


@PROPERTY
@given(hostile_text)
def test_user_text_never_becomes_markup(value: str) -> None:
    document = from_plain(value)
    back = from_slack(render_slack_mrkdwn(document))
    for block in back.blocks:
        # Only paragraphs of text and links come back: no quote, code or emphasis.
        assert isinstance(block, Paragraph), block
        assert not _formatting(block.spans), block
        assert all(isinstance(s, Text | LineBreak | Link) for s in block.spans)
    assert _unmasked(back.plain_text()).split() == _unmasked(document.plain_text()).split()


_OWN_ANGLES = re.compile(r"<(?:https?|mailto):[^<>]*>|^> |^>$", re.MULTILINE)


@PROPERTY
@given(rich_documents)
def test_output_is_escaped_and_mention_safe(document: Document) -> None:
    mrkdwn = render_slack_mrkdwn(document)
    # Every raw "<" or ">" left belongs to our own links and quote markers.
    assert "<" not in _OWN_ANGLES.sub("", mrkdwn)
    assert ">" not in _OWN_ANGLES.sub("", mrkdwn)
    assert not has_live_mention(slack_visible(mrkdwn))
    assert re.search(r"&(?!amp;|lt;|gt;)", mrkdwn) is None
