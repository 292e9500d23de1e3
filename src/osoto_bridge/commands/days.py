"""The day grammar of `/where [day]`: parse what was typed, then resolve it on a trip.

Accepted (case-insensitive, in any order of preference the chat's language sets):

- nothing, `today`, `tomorrow`, `yesterday` and their words in any language Babel
  knows (`오늘`, `내일`, `모레`, `heute`, ...; see `day_words`);
- weekday names and abbreviations in any language Babel knows (`tuesday`, `tue`,
  `화요일`, `화`, `mardi`), optionally after `on`, `this` or `next`, or with a Korean
  particle (`화요일에`);
- ISO dates `2026-07-17` (also with `/` or `.`), `2026년 7월 17일`;
- a month and day: `7/17`, `17/7`, `7.17`, `7월 17일`, `jul 17`, `17 july`;
- a day of the trip: `day 3`, `d3`, `3일차`, `3일째`.

Resolution rules: relative words count from the trip's local today (`TripCalendar.
today`); a weekday is the next such day within the trip, or its first one when the
trip has not started; a month and day takes the year that puts it in the trip, and
is ambiguous when both readings of `3/4` fall in the trip.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from osoto_bridge.commands.day_words import DayMeaning, fold, lookup_day_word, month_number
from osoto_bridge.commands.tripclock import TripCalendar

__all__ = [
    "AmbiguousDay",
    "DayOfTrip",
    "DayQuery",
    "DayResolution",
    "DayStatus",
    "ExactDate",
    "MonthDay",
    "RelativeDay",
    "UnknownDay",
    "Weekday",
    "parse_day",
    "resolve_day",
]

_MAX_INPUT = 64


@dataclass(frozen=True)
class RelativeDay:
    """`today` (0), `tomorrow` (1), `모레` (2), `yesterday` (-1)."""

    offset: int


@dataclass(frozen=True)
class Weekday:
    """A weekday name; 0 is Monday."""

    weekday: int


@dataclass(frozen=True)
class ExactDate:
    """A full date with its year."""

    date: dt.date


@dataclass(frozen=True)
class MonthDay:
    """A month and day without a year; `readings` holds every (month, day) it may mean,
    the locale's preferred reading first."""

    readings: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class DayOfTrip:
    """`day 3`: the trip's third day (1-based)."""

    number: int


@dataclass(frozen=True)
class AmbiguousDay:
    """A word meaning different days in different languages (`di`: Tuesday or Sunday)."""

    text: str
    meanings: frozenset[DayMeaning]


@dataclass(frozen=True)
class UnknownDay:
    """Text that is no day we know; `invalid_date` when it looked like an impossible date."""

    text: str
    invalid_date: bool = False


DayQuery = RelativeDay | Weekday | ExactDate | MonthDay | DayOfTrip | AmbiguousDay | UnknownDay
"""What `parse_day` understood."""

_ISO = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\.?")
_KO_FULL = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?")
_NUMERIC_MD = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\.?")
_KO_MD = re.compile(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일?")
_NAME_MD = re.compile(r"([^\W\d_]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?")
_MD_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\.?\s*(?:of\s+)?([^\W\d_]+)\.?")
_TRIP_DAY = re.compile(r"(?:day|d)\s*#?\s*(\d{1,4})")
_KO_TRIP_DAY = re.compile(r"(\d{1,4})\s*(?:일차|일째|번째\s*날|째\s*날)")
_PREFIXES = ("on ", "this ", "next ", "이번 주 ", "이번주 ", "이번 ")
_KO_PARTICLES = ("에는", "에", "은", "는")


def _languages(language: str) -> tuple[str, ...]:
    # The chat's language first, then the bot's two catalog languages.
    return tuple(dict.fromkeys((language, "en", "ko")))


def _month_day(month: int, day: int) -> tuple[tuple[int, int], ...]:
    readings = []
    for m, d in ((month, day), (day, month)):
        if 1 <= m <= 12 and 1 <= d <= 31 and (m, d) not in readings:
            try:
                dt.date(2000, m, d)  # a leap year, so 2/29 is possible
            except ValueError:
                continue
            readings.append((m, d))
    return tuple(readings)


def _parse_dates(text: str, languages: Sequence[str]) -> DayQuery | None:
    for pattern in (_ISO, _KO_FULL):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return ExactDate(dt.date(year, month, day))
            except ValueError:
                return UnknownDay(text, invalid_date=True)
    match = _KO_MD.fullmatch(text)
    if match:
        month, day = int(match[1]), int(match[2])
        readings = tuple(r for r in _month_day(month, day) if r == (month, day))
        return MonthDay(readings) if readings else UnknownDay(text, invalid_date=True)
    match = _NUMERIC_MD.fullmatch(text)
    if match:
        # Month first, as English and Korean write it; the swapped reading stays
        # available for 17/7 and for resolution to pick whichever is in the trip.
        readings = _month_day(int(match[1]), int(match[2]))
        return MonthDay(readings) if readings else UnknownDay(text, invalid_date=True)
    for pattern, name_group, day_group in ((_NAME_MD, 1, 2), (_MD_NAME, 2, 1)):
        match = pattern.fullmatch(text)
        if match:
            named = month_number(match[name_group], languages)
            if named is None:
                continue
            day = int(match[day_group])
            readings = tuple(r for r in _month_day(named, day) if r == (named, day))
            return MonthDay(readings) if readings else UnknownDay(text, invalid_date=True)
    return None


def _parse_word(text: str, languages: Sequence[str]) -> DayQuery | None:
    candidates = [text]
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            candidates.append(text[len(prefix) :])
    for candidate in list(candidates):
        for particle in _KO_PARTICLES:
            if candidate.endswith(particle) and len(candidate) > len(particle):
                candidates.append(candidate[: -len(particle)])
    for candidate in candidates:
        meanings = lookup_day_word(candidate, languages)
        if len(meanings) == 1:
            (meaning,) = meanings
            if meaning.kind == "relative":
                return RelativeDay(meaning.value)
            return Weekday(meaning.value)
        if meanings:
            return AmbiguousDay(text, meanings)
    return None


def parse_day(text: str, language: str = "en") -> DayQuery:
    """Understand the day argument of `/where`.

    Args:
        text: What followed the command (may be empty).
        language: The chat's language, preferred when a word differs by language.

    Returns:
        The day query; `UnknownDay` when nothing matched. Never raises.
    """
    folded = fold(text)
    if not folded:
        return RelativeDay(0)
    if len(folded) > _MAX_INPUT:
        return UnknownDay(text[:_MAX_INPUT])
    languages = _languages(language)
    found = _parse_dates(folded, languages)
    if found is not None:
        return found
    for pattern in (_TRIP_DAY, _KO_TRIP_DAY):
        match = pattern.fullmatch(folded)
        if match:
            return DayOfTrip(int(match[1]))
    return _parse_word(folded, languages) or UnknownDay(text)


class DayStatus(enum.Enum):
    """How a day query relates to the trip."""

    IN_TRIP = "in_trip"
    BEFORE_TRIP = "before_trip"
    AFTER_TRIP = "after_trip"
    NO_SUCH_WEEKDAY = "no_such_weekday"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DayResolution:
    """The date a query stands for, or why there is none.

    Attributes:
        status: How the day relates to the trip.
        day: The date (set for IN_TRIP, BEFORE_TRIP and AFTER_TRIP).
        today: The trip's local today that relative words counted from.
        candidates: The possible dates when ambiguous.
        weekday: The weekday asked for (NO_SUCH_WEEKDAY).
        trip_over: True when a weekday was asked after the trip's last day.
        invalid_date: True when the text was an impossible date (2026-02-30).
        meanings: What an ambiguous word may mean (AMBIGUOUS from a word).
    """

    status: DayStatus
    today: dt.date
    day: dt.date | None = None
    candidates: tuple[dt.date, ...] = field(default=())
    weekday: int | None = None
    trip_over: bool = False
    invalid_date: bool = False
    meanings: frozenset[DayMeaning] = field(default=frozenset())


def _shift(day: dt.date, days: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


def _placed(day: dt.date | None, today: dt.date, calendar: TripCalendar) -> DayResolution:
    if day is None:
        return DayResolution(DayStatus.UNKNOWN, today)
    if day < calendar.start:
        return DayResolution(DayStatus.BEFORE_TRIP, today, day=day)
    if day > calendar.end:
        return DayResolution(DayStatus.AFTER_TRIP, today, day=day)
    return DayResolution(DayStatus.IN_TRIP, today, day=day)


def _next_weekday(weekday: int, today: dt.date, calendar: TripCalendar) -> DayResolution:
    if today > calendar.end:
        return DayResolution(DayStatus.NO_SUCH_WEEKDAY, today, weekday=weekday, trip_over=True)
    first = max(today, calendar.start)
    day = _shift(first, (weekday - first.weekday()) % 7)
    if day is None or day > calendar.end:
        return DayResolution(DayStatus.NO_SUCH_WEEKDAY, today, weekday=weekday)
    return DayResolution(DayStatus.IN_TRIP, today, day=day)


def _dates_for(readings: Iterable[tuple[int, int]], years: Iterable[int]) -> list[dt.date]:
    dates: list[dt.date] = []
    for month, day in readings:
        for year in years:
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if candidate not in dates:
                dates.append(candidate)
    return dates


def _month_day_on_trip(query: MonthDay, today: dt.date, calendar: TripCalendar) -> DayResolution:
    years = sorted({calendar.start.year, calendar.end.year})
    in_trip = [d for d in _dates_for(query.readings, years) if calendar.contains(d)]
    if len(in_trip) == 1:
        return DayResolution(DayStatus.IN_TRIP, today, day=in_trip[0])
    if len(in_trip) > 1:
        return DayResolution(DayStatus.AMBIGUOUS, today, candidates=tuple(sorted(in_trip)))
    # Nowhere in the trip: the preferred reading, in the year nearest the trip.
    nearby = [y for y in (calendar.start.year - 1, *years, calendar.end.year + 1) if y >= 1]
    options = _dates_for(query.readings[:1], nearby)
    if not options:
        return DayResolution(DayStatus.UNKNOWN, today, invalid_date=True)

    def distance(day: dt.date) -> int:
        return (calendar.start - day).days if day < calendar.start else (day - calendar.end).days

    return _placed(min(options, key=distance), today, calendar)


def resolve_day(query: DayQuery, calendar: TripCalendar, now: dt.datetime) -> DayResolution:
    """Find the date a query means on a trip.

    Args:
        query: What `parse_day` returned.
        calendar: The trip's calendar.
        now: The current instant (aware).

    Returns:
        The resolution. Never raises.
    """
    today = calendar.today(now)
    match query:
        case RelativeDay(offset):
            return _placed(_shift(today, offset), today, calendar)
        case ExactDate(day):
            return _placed(day, today, calendar)
        case DayOfTrip(number):
            return _placed(_shift(calendar.start, number - 1), today, calendar)
        case Weekday(weekday):
            return _next_weekday(weekday, today, calendar)
        case MonthDay():
            return _month_day_on_trip(query, today, calendar)
        case AmbiguousDay(meanings=meanings):
            return DayResolution(DayStatus.AMBIGUOUS, today, meanings=meanings)
        case UnknownDay(invalid_date=invalid):
            return DayResolution(DayStatus.UNKNOWN, today, invalid_date=invalid)
