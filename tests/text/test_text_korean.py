"""Korean particles agree with the word before them (batchim), whatever the word is.

Given a template written with both forms of a particle (`{name}(으)로`), when it is
filled, then the form that agrees with the value's final sound is chosen: Hangul by
its batchim, numbers and Latin words by their Korean reading, and what is not read
(quotes, a parenthetical, emoji) is skipped.
"""

from __future__ import annotations

import pytest

from osoto_bridge.text import fill_particles, pick_particle, resolve_particles
from osoto_bridge.text.korean import Ending, ending_of

V, R, C = Ending.VOWEL, Ending.RIEUL, Ending.CONSONANT


@pytest.mark.parametrize(
    ("word", "ending"),
    [
        ("한국어", V), ("일본", C), ("서울", R), ("화요일", R), ("제주도", V),
        ("ㅋㅋ", C), ("ㄹ", R), ("ㅏ", V),
        ("\u1100\u1161\u11a8", C),  # 각, typed as decomposed jamo
        ("0", C), ("1", R), ("2", V), ("3", C), ("6", C), ("7", R), ("8", R), ("9", V),
        ("10", C), ("20", C), ("100", C), ("1000", C), ("1,000", C), ("10000", C),
        ("100000", C), ("100000000", C), ("1000000000000", V), ("2.5", V), ("3.0", C),
        ("레벨 999", V), ("１０", C), ("007", R),
        ("English", V), ("someday", V), ("Istanbul", R), ("Berlin", C), ("time", C),
        ("phone", C), ("king", C), ("table", R), ("cake", V), ("cat", C), ("cup", C),
        ("desk", V), ("Paris", V), ("Madrid", V), ("Tokyo", V), ("car", V),
        ("BA", V), ("USB", V), ("URL", R), ("SIM", C), ("HTML", R), ("ＵＳＢ", V),
        ("“someday”", V), ("'Berlin'", C), ("2026년 7월 14일 (화)", R),
        ("London, Berlin & Istanbul (#general)", R), ("Summer trip 🌴", C),
        ("hello!!!", V), ("제주도 (Jeju)", V), ("「서울」", R), ("《일본》", C), ("파일[1]", R),
    ],
)  # fmt: skip
def test_a_word_is_read_to_its_final_sound(word: str, ending: Ending) -> None:
    assert ending_of(word) is ending


@pytest.mark.parametrize("word", ["", "   ", "🎉", "!!!", "東京", "()", "“”", "🇰🇷🇰🇷"])
def test_nothing_readable_has_no_ending(word: str) -> None:
    assert ending_of(word) is None


@pytest.mark.parametrize(
    ("word", "particle", "form"),
    [
        ("일본", "이(가)", "이"), ("한국어", "이(가)", "가"), ("서울", "이(가)", "이"),
        ("일본", "은(는)", "은"), ("English", "은(는)", "는"),
        ("일본", "을(를)", "을"), ("제주도", "를(을)", "를"),
        ("일본", "과(와)", "과"), ("제주도", "와(과)", "와"),
        ("일본", "(으)로", "으로"), ("한국어", "(으)로", "로"), ("서울", "(으)로", "로"),
        ("1", "(으)로", "로"), ("3", "(으)로", "으로"), ("Istanbul", "(으)로", "로"),
        ("사과", "(이)에요", "예요"), ("수박", "(이)에요", "이에요"),
        ("사과", "(이)나", "나"), ("수박", "(이)나", "이나"),
        ("민수", "아(야)", "야"), ("영민", "아(야)", "아"),
        ("🎉", "이(가)", "가"), ("🎉", "(으)로", "로"),  # nothing to read: the vowel form
        ("일본", "의", "의"),  # invariant: left as it is
    ],
)  # fmt: skip
def test_the_particle_agrees_with_the_word(word: str, particle: str, form: str) -> None:
    assert pick_particle(word, particle) == form


def test_a_template_is_filled_with_agreeing_particles() -> None:
    template = "언어를 {name}(으)로 설정했습니다."
    assert fill_particles(template, name="English") == "언어를 English로 설정했습니다."
    assert fill_particles(template, name="한국어") == "언어를 한국어로 설정했습니다."
    assert fill_particles(template, name="日本語") == "언어를 日本語로 설정했습니다."
    quoted = "“{text}”이(가) 어느 날인지 모르겠습니다."
    assert fill_particles(quoted, text="someday") == "“someday”가 어느 날인지 모르겠습니다."
    assert fill_particles(quoted, text="3일차요") == "“3일차요”가 어느 날인지 모르겠습니다."
    assert fill_particles(quoted, text="모레일") == "“모레일”이 어느 날인지 모르겠습니다."


def test_a_parenthetical_after_the_word_is_skipped() -> None:
    template = "이 채널은 이제 {trip} (#{channel})을(를) 따라갑니다."
    assert fill_particles(template, trip="제주도", channel="general") == (
        "이 채널은 이제 제주도 (#general)를 따라갑니다."
    )
    assert fill_particles(template, trip="도쿄 여행", channel="일반") == (
        "이 채널은 이제 도쿄 여행 (#일반)을 따라갑니다."
    )


def test_a_value_holding_the_notation_is_left_as_typed() -> None:
    """Only the template's own notations are resolved: user text is never rewritten."""
    template = "“{text}”은(는) 달력에 없는 날짜입니다."
    assert fill_particles(template, text="날(이)가") == "“날(이)가”는 달력에 없는 날짜입니다."
    assert fill_particles(template, text="{name}") == "“{name}”은 달력에 없는 날짜입니다."


def test_format_specs_conversions_and_plain_text_still_work() -> None:
    assert fill_particles("{n:,}명(이)에요", n=1000) == "1,000명이에요"
    assert fill_particles("{n:03d}(으)로", n=7) == "007로"
    assert fill_particles("{word!r}을(를)", word="x") == "'x'를"
    assert fill_particles("{{literal}}을(를) {x}", x="y") == "{literal}을 y"
    assert resolve_particles("한국어(으)로 바꿨습니다") == "한국어로 바꿨습니다"
    assert resolve_particles("(이)가 앞에 말이 없으면 그대로") == "(이)가 앞에 말이 없으면 그대로"
    assert resolve_particles("English text (no particles)") == "English text (no particles)"


def test_a_missing_field_raises_as_format_does() -> None:
    with pytest.raises(KeyError):
        fill_particles("{name}(으)로", other="x")


def test_a_notation_after_an_unfilled_placeholder_waits_for_its_value() -> None:
    """`gettext` without fields leaves `{name}을(를)` for the code that fills it."""
    assert resolve_particles("{name}을(를) 완료했습니다") == "{name}을(를) 완료했습니다"
    assert resolve_particles("을(를) 완료했습니다", after="제주도") == "를 완료했습니다"
    assert resolve_particles("한국어(으)로 {x}") == "한국어로 {x}"
