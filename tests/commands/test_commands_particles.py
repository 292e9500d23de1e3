"""Every Korean message picks its particles from the word filled in before them.

Given each Korean text of the bridge (the commands' catalog, the Slack and Telegram
adapters' own lines), when a placeholder is followed by a particle whose form depends
on the word (이/가, 은/는, 을/를, 과/와, (으)로), then the text writes it with both
forms for the mechanism to resolve, and no filled message ever shows "(으)로".
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from osoto_bridge.chat.slack.texts import say
from osoto_bridge.i18n import LOCALES_DIR, translator

SRC = Path(__file__).resolve().parents[2] / "src" / "osoto_bridge"
ADAPTER_TEXTS = [SRC / "chat" / "slack" / "texts.py", SRC / "chat" / "telegram" / "link_texts.py"]

# A placeholder, what is not read after it (quotes, a parenthetical), then a particle
# written in one form only.
FIXED_PARTICLE = re.compile(
    r"\}[”’\"')\]]*(?:\s*\((?!(?:이|가|은|는|을|를|과|와|으|아|야)\))[^()]*\))?"
    r"(이|가|은|는|을|를|과|와|으로|로)(?![가-힣(])"
)
NOTATIONS = ("(이)", "(가)", "(은)", "(는)", "(을)", "(를)", "(과)", "(와)", "(으)", "(야)")
SAMPLES = ["일본", "한국어", "서울", "English", "Istanbul", "3", "10", "BA 982", "🎉"]


def _korean_catalog() -> list[tuple[str, str]]:
    with (LOCALES_DIR / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="ko")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        pairs += [(ids[0], s) for s in strings]
    return pairs


def _korean_literals(path: Path) -> list[str]:
    return [
        s for s in re.findall(r'"((?:[^"\\]|\\.)*)"', path.read_text()) if re.search("[가-힣]", s)
    ]


def _fields(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_no_korean_text_fixes_a_particle_after_a_placeholder() -> None:
    texts = [s for _, s in _korean_catalog()]
    for path in ADAPTER_TEXTS:
        texts += _korean_literals(path)
    fixed = [t for t in texts if FIXED_PARTICLE.search(t)]
    assert fixed == [], "write the particle with both forms, e.g. {name}(으)로"


def test_the_lint_catches_a_fixed_particle() -> None:
    """The check above can fail: these are the shapes it must catch."""
    for bad in ("{weekday}이 없습니다", "“{text}”은 날짜", "{trip} (#{channel})을 따라", "{n}로"):
        assert FIXED_PARTICLE.search(bad), bad
    for good in ("{weekday}이(가) 없습니다", "{day}까지", "{n}일", "{name}입니다", "{x}의"):
        assert not FIXED_PARTICLE.search(good), good


@pytest.mark.parametrize("sample", SAMPLES)
def test_no_filled_korean_message_shows_both_forms(sample: str) -> None:
    tr = translator("ko")
    for msgid, _ in _korean_catalog():
        values = {name: sample for name in _fields(msgid) if name != "n"}
        shown = (
            tr.gettext(msgid, **values)
            if "{n}" not in msgid
            else tr.ngettext(msgid, msgid, 2, **values)
        )
        assert not any(n in shown for n in NOTATIONS), (msgid, shown)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("en", "언어를 English로 설정했습니다."),
        ("ko", "언어를 한국어로 설정했습니다."),
    ],
)
def test_lang_confirms_with_the_agreeing_particle(name: str, expected: str) -> None:
    tr = translator("ko")
    assert tr.gettext("Language set to {name}.", name=tr.language_name(name)) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("someday", "“someday”가 어느 날인지 모르겠습니다."),
        ("언젠가", "“언젠가”가 어느 날인지 모르겠습니다."),
        ("모래", "“모래”가 어느 날인지 모르겠습니다."),
        ("다음달", "“다음달”이 어느 날인지 모르겠습니다."),
        ("day 99x", "“day 99x”가 어느 날인지 모르겠습니다."),
    ],
)
def test_an_unknown_day_is_quoted_with_the_agreeing_particle(typed: str, expected: str) -> None:
    assert translator("ko").gettext("I don't know which day “{text}” is.", text=typed) == expected


@pytest.mark.parametrize(
    ("trip", "particle"),
    [("London, Berlin & Istanbul", "을"), ("제주도", "를"), ("Summer in Japan", "을")],
)
def test_slack_lines_pick_the_particle_from_the_trip_title(trip: str, particle: str) -> None:
    expected = f"연결 완료: 이 채널은 이제 {trip} (#general){particle} 따라갑니다."
    assert say("ko", "done", trip=trip, channel="general") == expected


def test_rich_templates_pick_the_particle_from_the_span_filled_in() -> None:
    """Answers fill some placeholders with spans (bold names): the particle agrees."""
    from osoto_bridge.commands.render import rich
    from osoto_bridge.text import bold, doc, paragraph, render_plain

    template = translator("ko").gettext("{name}을(를) 봅니다")
    assert template == "{name}을(를) 봅니다"  # left for the filler
    for value, shown in (("제주도", "제주도를 봅니다"), ("Istanbul", "Istanbul을 봅니다")):
        spans = rich(template, name=bold(value))
        assert render_plain(doc(paragraph(*spans))) == shown
