"""Languages, message catalogs and locale-aware formatting of the answers.

Messages are English msgids looked up in Babel catalogs under `locales/` (the `.po`
files are the source; the compiled `.mo` files ship next to them). A `Translator`
bundles one language's catalog with Babel's date and time formatting, so an answer
function needs nothing else to speak the chat's language.

Maintaining the catalogs (from the repository root)::

    pybabel extract -k gettext -k ngettext:1,2 --no-location --sort-output \
        -o /tmp/messages.pot src/osoto_bridge/commands src/osoto_bridge/web/share
    pybabel update -w 100 -i /tmp/messages.pot -d src/osoto_bridge/i18n/locales -D messages
    # translate the new entries in ko/.../messages.po (and copy msgid to msgstr in en/)
    pybabel compile -d src/osoto_bridge/i18n/locales -D messages

`tests/commands/test_catalogs.py` fails when a message is missing, untranslated or
stale in either catalog, or when a `.mo` file lags behind its `.po` file.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import (
    format_interval,
    format_skeleton,
    format_time,
    format_timedelta,
    get_day_names,
)
from babel.support import Translations

from osoto_bridge.text import fill_particles, resolve_particles

__all__ = [
    "DEFAULT_LANGUAGE",
    "LOCALES_DIR",
    "SUPPORTED_LANGUAGES",
    "Translator",
    "default_language",
    "match_language",
    "translator",
]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ko")
"""The languages with a complete catalog, in the order `/lang` lists them."""

DEFAULT_LANGUAGE = "en"
"""The language of a chat nobody set a language for and whose platform gave no hint."""

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
"""Where the `<lang>/LC_MESSAGES/messages.{po,mo}` catalogs live."""

_DOMAIN = "messages"

# Names people type after /lang, beyond the codes themselves.
_LANGUAGE_NAMES: dict[str, str] = {
    "english": "en",
    "영어": "en",
    "korean": "ko",
    "한국어": "ko",
    "한글": "ko",
    "한국말": "ko",
}


def match_language(text: str | None) -> str | None:
    """Map a language code, locale or name onto a supported language.

    Accepts codes and locales in any case and separator (`ko`, `ko-KR`, `en_US`) and
    the names `english`, `korean`, `한국어` and a few more.

    Args:
        text: What the user or the platform said.

    Returns:
        A member of `SUPPORTED_LANGUAGES`, or None when nothing matches.
    """
    if not text:
        return None
    word = unicodedata.normalize("NFKC", text).strip().casefold()
    if word in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[word]
    base = word.replace("-", "_").split("_", 1)[0]
    return base if base in SUPPORTED_LANGUAGES else None


def default_language(hint: str | None) -> str:
    """The chat's language from a platform hint (Telegram `language_code`, Slack locale).

    Args:
        hint: The platform's language hint, if any.

    Returns:
        The matching supported language, else `DEFAULT_LANGUAGE`.
    """
    return match_language(hint) or DEFAULT_LANGUAGE


@functools.cache
def _load(language: str) -> _gettext.NullTranslations:
    # Cached because catalogs are immutable package data; loading them per answer
    # would only re-read the same file.
    return Translations.load(str(LOCALES_DIR), [language], _DOMAIN)


@dataclass(frozen=True)
class Translator:
    """One language's messages and date/time formats.

    Attributes:
        language: A member of `SUPPORTED_LANGUAGES`.
        translations: The gettext catalog of that language.
    """

    language: str
    translations: _gettext.NullTranslations

    @property
    def locale(self) -> Locale:
        """The Babel locale of this language."""
        return Locale.parse(self.language)

    def gettext(self, message: str, /, **fields: Any) -> str:
        """Translate a message and fill its `{placeholders}`.

        A Korean particle written with both forms after a placeholder (`{name}(으)로`,
        `“{text}”이(가)`) takes the form that agrees with the value filled in.

        Args:
            message: The English msgid.
            **fields: Values for the placeholders.

        Returns:
            The translated, filled message.
        """
        text = self.translations.gettext(message)
        return fill_particles(text, **fields) if fields else resolve_particles(text)

    def ngettext(self, singular: str, plural: str, n: int, /, **fields: Any) -> str:
        """Translate a message with a count; `{n}` is always available to it.

        Args:
            singular: The English singular msgid.
            plural: The English plural msgid.
            n: The count that picks the form.
            **fields: Values for the other placeholders.

        Returns:
            The translated, filled message.
        """
        return fill_particles(self.translations.ngettext(singular, plural, n), n=n, **fields)

    def day(self, value: dt.date) -> str:
        """A short date with its weekday: `Tue, Jul 14` / `7월 14일 (화)`."""
        return str(format_skeleton("MMMEd", value, locale=self.language))

    def full_day(self, value: dt.date) -> str:
        """A date with weekday and year: `Tue, Jul 14, 2026` / `2026년 7월 14일 (화)`."""
        return str(format_skeleton("yMMMEd", value, locale=self.language))

    def time(self, value: dt.time) -> str:
        """A time of day: `3:00 PM` / `오후 3:00`."""
        return str(format_time(value, "short", locale=self.language))

    def day_time(self, value: dt.datetime) -> str:
        """A date and time, both local as given: `Tue, Jul 14 3:00 PM`."""
        return self.gettext(
            "{day} {time}", day=self.day(value.date()), time=self.time(value.time())
        )

    def weekday_name(self, weekday: int) -> str:
        """A weekday's name (0 is Monday): `Tuesday` / `화요일`."""
        return str(get_day_names("wide", locale=self.language)[weekday % 7])

    def date_range(self, start: dt.date, end: dt.date, *, year: bool = True) -> str:
        """A date interval: `Jul 14 – 22, 2026` / `2026년 7월 14일~22일`.

        Args:
            start: The first day.
            end: The last day.
            year: Whether to show the year (`Jul 14 – 22` without).
        """
        if end < start:
            start, end = end, start
        skeleton = "yMMMd" if year else "MMMd"
        return str(format_interval(start, end, skeleton, locale=self.language))

    def ago(self, delta: dt.timedelta) -> str:
        """A signed duration: `5 minutes ago`, `in 2 days` / `5분 전`."""
        return str(format_timedelta(delta, add_direction=True, threshold=1.0, locale=self.language))

    def language_name(self, language: str) -> str:
        """A language's own name: `English`, `한국어`."""
        return str(Locale.parse(language).get_display_name(language) or language)


def translator(language: str | None) -> Translator:
    """The translator of a language; unsupported or missing languages get English.

    Args:
        language: A language code, locale or name (see `match_language`).

    Returns:
        The translator.
    """
    lang = match_language(language) or DEFAULT_LANGUAGE
    return Translator(lang, _load(lang))
