"""Attribution and reply quotes for relayed messages."""

from __future__ import annotations

from osoto_bridge.text import (
    Quote,
    attributed,
    bold,
    button,
    doc,
    emphasize_attribution,
    excerpt,
    from_osoto,
    from_plain,
    paragraph,
    pre,
    quote,
    render_osoto,
    render_plain,
    render_slack_mrkdwn,
    render_telegram_html,
    reply_quote,
)


def test_author_and_platform_lead_the_first_paragraph() -> None:
    document = attributed("Alice", from_plain("see you at 7\n\nbye"), platform_label="Telegram")
    assert document == doc(paragraph(bold("Alice"), " (Telegram): see you at 7"), "bye")
    assert render_osoto(document) == "**Alice** (Telegram): see you at 7\n\nbye"
    assert render_telegram_html(document) == "<b>Alice</b> (Telegram): see you at 7\n\nbye"
    assert render_slack_mrkdwn(document) == "*Alice* (Telegram): see you at 7\n\nbye"
    assert render_plain(document) == "Alice (Telegram): see you at 7\n\nbye"


def test_without_a_platform_label() -> None:
    assert render_osoto(attributed("Bob", doc("hi"))) == "**Bob**: hi"


def test_a_body_starting_with_another_block_gets_its_own_author_line() -> None:
    document = attributed("Alice", doc(pre("x = 1"), "after"), platform_label="Slack")
    assert document == doc(paragraph(bold("Alice"), " (Slack):"), pre("x = 1"), "after")
    assert attributed("Alice", doc()) == doc(paragraph(bold("Alice"), ":"))


def test_names_are_one_line_and_only_text() -> None:
    document = attributed("  *Ann*\n<b>Bob</b>  ", doc("hi"), platform_label="Tele\ngram")
    assert document == doc(paragraph(bold("*Ann* <b>Bob</b>"), " (Tele gram): hi"))
    assert render_telegram_html(document) == (
        "<b>*Ann* &lt;\u2060b&gt;Bob&lt;\u2060/b&gt;</b> (Tele gram): hi"
    )
    assert render_osoto(document) == "**\\*Ann\\* <\u2060b>Bob<\u2060/b>** (Tele gram): hi"
    assert attributed(" \n", doc("hi")) == doc(paragraph(bold("?"), ": hi"))


def test_buttons_survive_attribution() -> None:
    rows = [[button("Done", "todo.done", "7")]]
    assert attributed("Bot", doc("x", buttons=rows)).buttons == (
        (button("Done", "todo.done", "7"),),
    )


def test_excerpt_cuts_between_words_and_marks_the_cut() -> None:
    body = from_plain("The quick brown fox\njumps over the lazy dog " * 20)
    short = excerpt(body, 40)
    assert len(short) <= 40 and short.endswith("…")
    assert short == "The quick brown fox jumps over the lazy…"
    assert excerpt(doc("short one"), 40) == "short one"


def test_excerpt_never_cuts_inside_a_character() -> None:
    flags = "🇰🇷" * 30
    assert excerpt(doc(flags), 11) == "🇰🇷" * 5 + "…"


def test_reply_quote_names_the_parent_author() -> None:
    block = reply_quote("Alice", from_plain("see **you** at 7"), max_chars=200)
    assert block == Quote((paragraph(bold("Alice"), ": see **you** at 7"),))
    assert render_osoto(doc(block, "sure")) == "> **Alice**: see \\*\\*you\\*\\* at 7\n\nsure"
    assert render_telegram_html(doc(block)) == (
        "<blockquote><b>Alice</b>: see **you** at 7</blockquote>"
    )
    assert quote(paragraph(bold("Alice"), ": see **you** at 7")) == block


def test_toward_osoto_the_author_line_is_plain_text() -> None:
    # Osoto shows content as typed: no Markdown markers around the name.
    document = attributed("Alice Martin", doc("hi"), platform_label="console", emphasis=False)
    assert render_osoto(document) == "Alice Martin (console): hi"
    assert render_osoto(attributed("*Ann*", doc("hi"), emphasis=False)) == "\\*Ann\\*: hi"


def test_a_plain_author_line_gets_its_bold_back_for_a_chat() -> None:
    labels = ("Telegram", "Telegram, edited", "Slack")
    plain = from_osoto("Alice (Telegram): see **you**\n\nbye")
    shown = emphasize_attribution(plain, labels)
    assert shown == doc(paragraph(bold("Alice"), " (Telegram): see ", bold("you")), "bye")
    edited = emphasize_attribution(from_osoto("Bo (b) (Telegram, edited): x"), labels)
    assert render_telegram_html(edited) == "<b>Bo (b)</b> (Telegram, edited): x"
    assert render_slack_mrkdwn(emphasize_attribution(from_osoto("Al (Slack):"), labels)) == (
        "*Al* (Slack):"
    )


def test_only_a_known_label_at_the_start_counts_as_an_author_line() -> None:
    labels = ("Telegram", "Slack")
    for content in (
        "Alice (Fax): hi",
        "**Alice** (Telegram): hi",
        "Alice (Telegram):hi",
        "> Alice (Telegram): quoted",
        "",
    ):
        document = from_osoto(content)
        assert emphasize_attribution(document, labels) == document, content
    assert emphasize_attribution(from_osoto("A (Slack): x"), ()) == from_osoto("A (Slack): x")
