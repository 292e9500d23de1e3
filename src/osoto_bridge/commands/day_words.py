"""The words for days: weekday names and relative days in every language Babel knows.

Two sources, looked up in this order by `lookup_day_word`:

1. The chat's language, English and Korean, read live from Babel (weekday names in
   their wide, abbreviated and short forms; CLDR's relative days such as `today`,
   `내일`, `모레`) plus a few colloquial words CLDR lacks (`tues`, `tmrw`, `낼`).
   A hit here wins, so `ma` means Monday to a Dutch chat even though it is Tuesday
   elsewhere.
2. Every other language, from `day_words.json`: the same Babel data gathered over all
   of Babel's languages once at development time, because reading ~350 locales takes
   about a second, too long to do inside the event loop. A word that means different
   days in different languages comes back ambiguous.

Regenerate the JSON after upgrading Babel (a test compares it with the installed
Babel and says so)::

    .venv/bin/python -m osoto_bridge.commands.day_words
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import babel
from babel import Locale, localedata
from babel.core import UnknownLocaleError
from babel.dates import get_day_names, get_month_names
from babel.localedata import locale_identifiers

__all__ = [
    "WORLD_WORDS_PATH",
    "DayMeaning",
    "DayWords",
    "build_world_words",
    "fold",
    "local_words",
    "lookup_day_word",
    "month_number",
    "world_words",
]

WORLD_WORDS_PATH = Path(__file__).resolve().parent / "day_words.json"
"""The generated index of every Babel language's day words."""

_WIDTHS: tuple[Literal["wide", "abbreviated", "short"], ...] = ("wide", "abbreviated", "short")
_CONTEXTS: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")

# Colloquial forms CLDR does not carry; offsets are days from today, weekdays 0=Monday.
_EXTRA_RELATIVE: dict[str, dict[str, int]] = {
    "en": {
        "tmr": 1,
        "tmrw": 1,
        "tomorow": 1,
        "tonight": 0,
        "day after tomorrow": 2,
        "the day after tomorrow": 2,
        "overmorrow": 2,
    },
    "ko": {"낼": 1, "오늘밤": 0, "내일모레": 2, "글피": 3, "그제": -2},
}
_EXTRA_WEEKDAYS: dict[str, dict[str, int]] = {
    "en": {"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
    "ko": {"월욜": 0, "화욜": 1, "수욜": 2, "목욜": 3, "금욜": 4, "토욜": 5, "일욜": 6},
}


@dataclass(frozen=True)
class DayMeaning:
    """What a day word means.

    Attributes:
        kind: `relative` (value: days from today) or `weekday` (value: 0=Monday).
        value: The offset or the weekday.
    """

    kind: Literal["relative", "weekday"]
    value: int


@dataclass(frozen=True)
class DayWords:
    """Folded day words and what each may mean.

    Attributes:
        relative: Word to the day offsets it may mean.
        weekdays: Word to the weekdays it may mean.
    """

    relative: Mapping[str, frozenset[int]]
    weekdays: Mapping[str, frozenset[int]]

    def meanings(self, word: str) -> frozenset[DayMeaning]:
        """All meanings of an already folded word."""
        found = {DayMeaning("relative", v) for v in self.relative.get(word, ())}
        found |= {DayMeaning("weekday", v) for v in self.weekdays.get(word, ())}
        return frozenset(found)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    # Hangul decomposes into jamo under NFD; only drop combining marks, then recompose.
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def fold(text: str) -> str:
    """Normalise a word for lookup: NFKC, case-folded, typographic apostrophes plain,
    surrounding dots and spaces dropped, inner whitespace single."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(text.split()).strip(". ")


def _variants(word: str) -> Iterator[str]:
    folded = fold(word)
    if folded:
        yield folded
        plain = _strip_accents(folded)
        if plain != folded:
            yield plain


def _collect(
    pairs: Iterable[tuple[str, int]],
) -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for word, value in pairs:
        for variant in _variants(word):
            out.setdefault(variant, set()).add(value)
    return {k: frozenset(v) for k, v in out.items()}


def _babel_weekdays(locale: Locale) -> Iterator[tuple[str, int]]:
    for width in _WIDTHS:
        for context in _CONTEXTS:
            for day, name in get_day_names(width, context, locale=locale).items():
                yield str(name), int(day)


def _babel_relative(locale: Locale) -> Iterator[tuple[str, int]]:
    # Babel formats relative days but lists their names through no Locale property:
    # they come from the locale's CLDR data, read through the public localedata
    # module (LocaleDataDict resolves CLDR's aliases, as a Locale does inside).
    data = cast("MutableMapping[str | int | None, Any]", localedata.load(str(locale)))
    fields = localedata.LocaleDataDict(data)["date_fields"]
    for key in ("day", "day-short", "day-narrow"):
        if key not in fields or "relative" not in fields[key]:
            continue
        for offset, name in fields[key]["relative"].items():
            yield str(name), int(offset)


@functools.cache
def local_words(language: str) -> DayWords:
    """The day words of one language, live from Babel plus our colloquial extras.

    Args:
        language: A Babel locale identifier (`en`, `ko`, `nl`).

    Returns:
        The words; empty for a locale Babel does not know.
    """
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return DayWords({}, {})
    relative = list(_babel_relative(locale)) + list(_EXTRA_RELATIVE.get(language, {}).items())
    weekdays = list(_babel_weekdays(locale)) + list(_EXTRA_WEEKDAYS.get(language, {}).items())
    return DayWords(_collect(relative), _collect(weekdays))


def _world_locales() -> Iterator[Locale]:
    for identifier in sorted(locale_identifiers()):
        locale = Locale.parse(identifier)
        # Territory variants repeat their language's names; scripts (sr_Latn) do not.
        if locale.territory is None:
            yield locale


def build_world_words() -> DayWords:
    """Gather the day words of every language Babel knows (slow: about a second).

    Returns:
        The words of all languages together.
    """
    relative: list[tuple[str, int]] = []
    weekdays: list[tuple[str, int]] = []
    for locale in _world_locales():
        relative.extend(_babel_relative(locale))
        weekdays.extend(_babel_weekdays(locale))
    return DayWords(_collect(relative), _collect(weekdays))


def _to_json(words: DayWords) -> str:
    payload = {
        "babel": babel.__version__,
        "relative": {k: sorted(v) for k, v in sorted(words.relative.items())},
        "weekdays": {k: sorted(v) for k, v in sorted(words.weekdays.items())},
    }
    return json.dumps(payload, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


@functools.cache
def world_words() -> DayWords:
    """The generated index of all Babel languages' day words (read once, then cached)."""
    raw = json.loads(WORLD_WORDS_PATH.read_text(encoding="utf-8"))
    return DayWords(
        {k: frozenset(v) for k, v in raw["relative"].items()},
        {k: frozenset(v) for k, v in raw["weekdays"].items()},
    )


def lookup_day_word(word: str, languages: Iterable[str]) -> frozenset[DayMeaning]:
    """What a word may mean as a day.

    Args:
        word: The word as typed (any case, with or without a trailing dot).
        languages: The preferred languages, most preferred first.

    Returns:
        One meaning when the word is clear, several when it is ambiguous across
        languages, none when no language knows it.
    """
    folded = fold(word)
    if not folded:
        return frozenset()
    for language in languages:
        found = local_words(language).meanings(folded)
        if found:
            return found
    return world_words().meanings(folded)


@functools.cache
def _month_index(language: str) -> Mapping[str, int]:
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError):
        return {}
    pairs = [
        (str(name), int(month))
        for width in ("wide", "abbreviated")
        for context in _CONTEXTS
        for month, name in get_month_names(width, context, locale=locale).items()
    ]
    return {word: min(values) for word, values in _collect(pairs).items() if len(values) == 1}


def month_number(word: str, languages: Iterable[str]) -> int | None:
    """The month a name or abbreviation means in one of the given languages.

    Args:
        word: `july`, `Jul.`, `juillet`, `7월`.
        languages: The languages to try, most preferred first.

    Returns:
        1-12, or None.
    """
    folded = fold(word)
    for language in languages:
        month = _month_index(language).get(folded)
        if month is not None:
            return month
    return None


def main() -> None:
    """Regenerate `day_words.json` from the installed Babel."""
    WORLD_WORDS_PATH.write_text(_to_json(build_world_words()), encoding="utf-8")
    print(f"wrote {WORLD_WORDS_PATH}")


if __name__ == "__main__":
    main()
