"""Invariant 5: no renderer ever lets relayed text ping anyone."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from text_support import (
    PROPERTY,
    TelegramHtmlChecker,
    hostile_text,
    osoto_visible,
    rich_documents,
    slack_visible,
)

from osoto_bridge.text import (
    WORD_JOINER,
    Document,
    attributed,
    doc,
    from_plain,
    has_live_mention,
    neutralize,
    render_osoto,
    render_plain,
    render_slack_mrkdwn,
    render_telegram_html,
    restore,
)
from osoto_bridge.text.slack_render import ZWSP

INJECTIONS = [
    "@here", "@channel", "@everyone", "@alice", "＠here", "<!here>", "<!channel>",
    "<!everyone>", "<@U123>", "<@U123|bob>", "<#C1|general>", "<!subteam^S1|@team>",
    "&lt;!here&gt;", "hi@here", "@@here", "<<!here>>", "@\u2060here", "@\u2060\u2060here",
]  # fmt: skip


@pytest.mark.parametrize("injection", INJECTIONS)
def test_known_injections_are_neutralised(injection: str) -> None:
    safe = neutralize(injection)
    assert not has_live_mention(safe)
    assert restore(safe) == injection


def test_the_joiner_sits_right_after_the_at_sign() -> None:
    assert neutralize("@here and <!channel>, not me @ home") == (
        f"@{WORD_JOINER}here and <{WORD_JOINER}!channel>, not me @ home"
    )


@PROPERTY
@given(st.text())
def test_restore_undoes_neutralize(value: str) -> None:
    assert restore(neutralize(value)) == value
    assert not has_live_mention(neutralize(value))


def _visible_outputs(document: Document) -> dict[str, str]:
    return {
        "plain": render_plain(document),
        "osoto": osoto_visible(render_osoto(document)),
        "telegram": TelegramHtmlChecker.check(render_telegram_html(document)),
        "telegram markup": re.sub(r' href="[^"]*"', "", render_telegram_html(document)),
        "slack": slack_visible(render_slack_mrkdwn(document)),
    }


@pytest.mark.parametrize("injection", INJECTIONS)
def test_every_renderer_neutralises_known_injections(injection: str) -> None:
    document = attributed(injection, from_plain(f"{injection} says {injection}"))
    for name, output in _visible_outputs(document).items():
        assert not has_live_mention(output), (name, output)


@PROPERTY
@given(hostile_text)
def test_plain_relayed_text_never_pings(value: str) -> None:
    for name, output in _visible_outputs(from_plain(value)).items():
        assert not has_live_mention(output), (name, output)


@PROPERTY
@given(rich_documents)
def test_formatted_text_never_pings(document: Document) -> None:
    for name, output in _visible_outputs(document).items():
        assert not has_live_mention(output), (name, output)


def test_an_author_named_here_pings_nobody() -> None:
    document = attributed("@here", doc("hello"), platform_label="<!channel>")
    assert render_slack_mrkdwn(document) == (
        f"*{ZWSP}@{WORD_JOINER}here* (&lt;{WORD_JOINER}!channel&gt;): hello"
    )
    assert render_telegram_html(document) == (
        f"<b>@{WORD_JOINER}here</b> (&lt;{WORD_JOINER}!channel&gt;): hello"
    )
