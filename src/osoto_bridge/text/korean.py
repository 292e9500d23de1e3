"""Korean particles that agree with the word before them.

A Korean particle takes one of two forms depending on whether the word before it ends
in a consonant (its final syllable has a batchim): 일본**이**, 한국어**가**; 일본**으로**,
한국어**로**, 서울**로** (ㄹ counts as a vowel for (으)로).
Message templates write the particle with both forms, as translators are used to
(`{name}(으)로`, `“{text}”이(가)`), and `fill_particles` picks one from what each
placeholder became, so no chat ever shows "한국어(으)로".

How a word is read (the last readable character decides):
- Hangul by its final syllable's batchim; a lone jamo by its name (ㅋ 키읔);
- numbers by their Korean reading: 1 일, 3 삼, 10 십, 100 백, 2.5 오, 10000 만;
- Latin letters: capitals (BA, USB) by their letter names (에이, 비, 엘, 엠 …), words by
  the loanword spelling rules' usual outcome (Istanbul 이스탄불, time 타임, cake 케이크);
- trailing punctuation, quotes, spaces, emoji and a complete parenthetical are skipped
  (`2026년 7월 14일 (화)` reads as 14일).

A word with nothing readable (only emoji or symbols, or another script) gets the form
written after a vowel, the convention of es-hangul and most particle libraries; a
message whose placeholder may hold anything a user typed is better phrased without a
variable particle after it.
"""

from __future__ import annotations

import enum
import re
import string
import unicodedata
from typing import Any

__all__ = ["Ending", "ending_of", "fill_particles", "pick_particle", "resolve_particles"]


class Ending(enum.Enum):
    """How a word's reading ends, as far as particles care."""

    VOWEL = "vowel"
    RIEUL = "rieul"  # ㄹ: a consonant, except before (으)로
    CONSONANT = "consonant"


_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL_CODA = 8  # index of ㄹ among the 28 final consonants (0 = none)

# Lone consonant jamo are read by their names, which all end in their own sound.
_JAMO_CONSONANTS = "ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"

# Digit readings 영 일 이 삼 사 오 육 칠 팔 구.
_DIGITS = (
    Ending.CONSONANT,
    Ending.RIEUL,
    Ending.VOWEL,
    Ending.CONSONANT,
    Ending.VOWEL,
    Ending.VOWEL,
    Ending.CONSONANT,
    Ending.RIEUL,
    Ending.RIEUL,
    Ending.VOWEL,
)
# A round number ends in its unit: 십 백 천 만 (to 천만) 억 조 경.
_UNITS = (
    (16, Ending.CONSONANT),
    (12, Ending.VOWEL),
    (8, Ending.CONSONANT),
    (4, Ending.CONSONANT),
    (3, Ending.CONSONANT),
    (2, Ending.CONSONANT),
    (1, Ending.CONSONANT),
)
# Letter names: 엘 and 알 end in ㄹ; 엠 and 엔 in a consonant; the rest in a vowel.
_LETTER_RIEUL = frozenset("LR")
_LETTER_CONSONANT = frozenset("MN")

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*$")
_LATIN_WORD = re.compile(r"[A-Za-z]+$")
# A parenthetical is skipped whole; other closing marks (quotes, 」) only themselves.
_CLOSERS = {")": "(", "）": "（", "]": "["}


def _hangul(char: str) -> Ending | None:
    code = ord(char)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        coda = (code - _HANGUL_FIRST) % 28
        if coda == 0:
            return Ending.VOWEL
        return Ending.RIEUL if coda == _RIEUL_CODA else Ending.CONSONANT
    if char in _JAMO_CONSONANTS:
        return Ending.RIEUL if char == "ㄹ" else Ending.CONSONANT
    if "ㅏ" <= char <= "ㅣ":
        return Ending.VOWEL
    return None


def _number(digits: str) -> Ending:
    if re.search(r"[.,][0-9]+$", digits) and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", digits):
        return _DIGITS[int(digits[-1])]  # a decimal: 2.5 reads 이 점 오
    whole = digits.replace(",", "").lstrip("0")
    if not whole:
        return _DIGITS[0]
    zeros = len(whole) - len(whole.rstrip("0"))
    if zeros == 0:
        return _DIGITS[int(whole[-1])]
    for exponent, ending in _UNITS:
        if zeros >= exponent:
            return ending
    return Ending.CONSONANT  # not reached: zeros >= 1


_VOWEL_LETTERS = frozenset("aeiou")


def _english(word: str) -> Ending:
    """The usual Korean spelling's ending of an English (or Latin-script) word."""
    w = word.casefold()
    if w.endswith("ng") or w.endswith(("m", "n", "me", "ne", "mb", "mn")):
        return Ending.CONSONANT  # 킹, 타임, 폰, 라인, 밤, 오텀
    if w.endswith(("l", "le")):
        return Ending.RIEUL  # 이스탄불, 파일, 테이블
    # A short vowel before a final p, t, k (or ck) keeps it as a batchim: 컵, 캣, 블랙.
    if re.search(r"(?:^|[^aeiou])[aeiou](?:p|t|k|ck)$", w):
        return Ending.CONSONANT
    return Ending.VOWEL  # 데이, 카, 케이크, 버스, 파리, 마드리드


def _latin(word: str) -> Ending:
    if word.isupper() and (len(word) <= 5 or not set(word.casefold()) & _VOWEL_LETTERS):
        last = word[-1]  # an acronym, read letter by letter: BA 비에이, USB 유에스비
        if last in _LETTER_RIEUL:
            return Ending.RIEUL
        return Ending.CONSONANT if last in _LETTER_CONSONANT else Ending.VOWEL
    return _english(word)


def _significant(text: str) -> str:
    """`text` without what is not read at its end: spaces, quotes, emoji, a (…) group."""
    end = len(text)
    while end > 0:
        char = text[end - 1]
        if char in _CLOSERS:
            opener = text.rfind(_CLOSERS[char], 0, end - 1)
            end = opener if opener >= 0 else end - 1
            continue
        if unicodedata.category(char)[0] in "LN":
            break
        end -= 1
    return text[:end]


def ending_of(word: str) -> Ending | None:
    """How `word` is read at its end.

    Args:
        word: Any text; what is not read at its end is skipped.

    Returns:
        The ending, or None when nothing readable is left (emoji, symbols, a script
        other than Hangul, digits and Latin).
    """
    text = unicodedata.normalize("NFC", _significant(word))
    if not text:
        return None
    hangul = _hangul(text[-1])
    if hangul is not None:
        return hangul
    # Full-width digits and letters (１０, ＵＳＢ) read as their plain forms.
    text = _significant(unicodedata.normalize("NFKC", text))
    if not text:
        return None
    number = _NUMBER.search(text)
    if number:
        return _number(number.group(0))
    latin = _LATIN_WORD.search(text)
    if latin:
        return _latin(latin.group(0))
    return _hangul(text[-1])


# Each notation: (form after a consonant, form after a vowel); ㄹ takes the vowel
# form only for (으)로.
_PAIRS: dict[str, tuple[str, str]] = {
    "이(가)": ("이", "가"),
    "가(이)": ("이", "가"),
    "(이)가": ("이", "가"),
    "은(는)": ("은", "는"),
    "는(은)": ("은", "는"),
    "(은)는": ("은", "는"),
    "을(를)": ("을", "를"),
    "를(을)": ("을", "를"),
    "(을)를": ("을", "를"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(과)와": ("과", "와"),
    "아(야)": ("아", "야"),
    "(으)로": ("으로", "로"),
    "(이)에요": ("이에요", "예요"),
    "(이)예요": ("이에요", "예요"),
}


def pick_particle(word: str, particle: str) -> str:
    """The form of `particle` that follows `word`.

    Args:
        word: The word (or the whole text up to the particle).
        particle: The particle in the both-forms notation: `이(가)`, `은(는)`, `을(를)`,
            `과(와)`, `아(야)`, `(으)로`, `(이)에요`, or `(이)` before the rest of a
            particle (`(이)나`, `(이)라고`, `(이)다`). Other text is returned as is.

    Returns:
        The form that agrees with `word`'s ending (the vowel form when nothing in
        `word` can be read).
    """
    ending = ending_of(word) or Ending.VOWEL
    if particle in _PAIRS:
        after_consonant, after_vowel = _PAIRS[particle]
        if particle == "(으)로":
            return after_consonant if ending is Ending.CONSONANT else after_vowel
        return after_vowel if ending is Ending.VOWEL else after_consonant
    if particle.startswith("(이)"):
        rest = particle[3:]
        return rest if ending is Ending.VOWEL else "이" + rest
    return particle


_NOTATION = re.compile(
    "|".join(re.escape(n) for n in sorted(_PAIRS, key=len, reverse=True)) + r"|\(이\)(?=[가-힣])"
)


def _resolve(literal: str, before: str, *, templated: bool = False) -> str:
    """Resolve the particle notations of a template's literal text.

    With `templated`, `literal` still holds `{placeholders}`: a notation right after
    one is left for whoever fills it (`rich` in the commands).
    """
    out: list[str] = []
    position = 0
    for match in _NOTATION.finditer(literal):
        out.append(literal[position : match.start()])
        preceding = before + "".join(out)
        notation = match.group(0)
        if not preceding or preceding[-1].isspace() or (templated and preceding[-1] == "}"):
            out.append(notation)  # not after a word (yet): leave the text as written
        else:
            out.append(pick_particle(preceding, notation))
        position = match.end()
    out.append(literal[position:])
    return "".join(out)


def resolve_particles(text: str, *, after: str = "") -> str:
    """Resolve the particle notations of a text that is not filled by `fill_particles`.

    A notation right after a `{placeholder}` of `text` is left as it is, for the code
    that fills the placeholder later to resolve (with `after` set to what precedes).

    Args:
        text: E.g. `"한국어(으)로 바꿨습니다"`, or a template's literal piece.
        after: The text shown before `text` (the value of a placeholder just filled).

    Returns:
        The text with each notation that follows a word replaced by its agreeing form.
    """
    return _resolve(text, after, templated=True)


def fill_particles(template: str, /, **fields: Any) -> str:
    """`template.format(**fields)`, with each particle notation agreeing with its word.

    Only the template's own notations are resolved: a value that holds "(이)가"
    (a user typed it) is inserted as it is.

    Args:
        template: A `str.format` template with named fields, e.g.
            `"언어를 {name}(으)로 설정했습니다."`.
        **fields: The values.

    Returns:
        The filled text, e.g. `언어를 English로 설정했습니다.`
    """
    formatter = string.Formatter()
    out: list[str] = []
    for literal, name, spec, conversion in formatter.parse(template):
        out.append(_resolve(literal, "".join(out)))
        if name is None:
            continue
        value, _ = formatter.get_field(name, (), fields)
        value = formatter.convert_field(value, conversion)
        out.append(formatter.format_field(value, spec or ""))
    return "".join(out)
