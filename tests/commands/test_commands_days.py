"""Day resolution, table-driven: words, dates, time zones, the date line and DST."""

from __future__ import annotations

import datetime as dt

import pytest
from commands_fixtures import at, leg, trip_export
from hypothesis import given
from hypothesis import strategies as st

from osoto_bridge.commands import DayStatus, TripCalendar, parse_day, resolve_day
from osoto_bridge.commands.days import (
    AmbiguousDay,
    DayOfTrip,
    ExactDate,
    MonthDay,
    RelativeDay,
    UnknownDay,
    Weekday,
)

D = dt.date

# --- parsing ------------------------------------------------------------------------

PARSE_CASES = [
    ("", "en", RelativeDay(0)),
    ("  ", "en", RelativeDay(0)),
    ("today", "en", RelativeDay(0)),
    ("Today", "en", RelativeDay(0)),
    ("tomorrow", "en", RelativeDay(1)),
    ("tmrw", "en", RelativeDay(1)),
    ("yesterday", "en", RelativeDay(-1)),
    ("day after tomorrow", "en", RelativeDay(2)),
    ("오늘", "ko", RelativeDay(0)),
    ("내일", "en", RelativeDay(1)),
    ("모레", "ko", RelativeDay(2)),
    ("내일에", "ko", RelativeDay(1)),
    ("morgen", "de", RelativeDay(1)),
    ("demain", "en", RelativeDay(1)),
    ("tuesday", "en", Weekday(1)),
    ("Tue", "en", Weekday(1)),
    ("tue.", "en", Weekday(1)),
    ("tues", "ko", Weekday(1)),
    ("on tuesday", "en", Weekday(1)),
    ("next tuesday", "en", Weekday(1)),
    ("SUNDAY", "en", Weekday(6)),
    ("화요일", "en", Weekday(1)),
    ("화", "ko", Weekday(1)),
    ("화요일에", "ko", Weekday(1)),
    ("일요일", "ko", Weekday(6)),
    ("mardi", "en", Weekday(1)),
    ("miércoles", "en", Weekday(2)),
    ("miercoles", "en", Weekday(2)),
    ("木曜日", "en", Weekday(3)),
    ("ma", "nl", Weekday(0)),  # maandag: the chat's language wins
    ("2026-07-17", "en", ExactDate(D(2026, 7, 17))),
    ("2026/7/17", "en", ExactDate(D(2026, 7, 17))),
    ("2026년 7월 17일", "ko", ExactDate(D(2026, 7, 17))),
    ("7/17", "en", MonthDay(((7, 17),))),
    ("17/7", "en", MonthDay(((7, 17),))),
    ("3/4", "en", MonthDay(((3, 4), (4, 3)))),
    ("7.17", "ko", MonthDay(((7, 17),))),
    ("7월 17일", "ko", MonthDay(((7, 17),))),
    ("7월17일", "ko", MonthDay(((7, 17),))),
    ("jul 17", "en", MonthDay(((7, 17),))),
    ("July 17th", "en", MonthDay(((7, 17),))),
    ("17 july", "en", MonthDay(((7, 17),))),
    ("17 juillet", "fr", MonthDay(((7, 17),))),
    ("day 3", "en", DayOfTrip(3)),
    ("Day3", "en", DayOfTrip(3)),
    ("d3", "en", DayOfTrip(3)),
    ("3일차", "ko", DayOfTrip(3)),
    ("3일째", "ko", DayOfTrip(3)),
    ("2026-02-30", "en", UnknownDay("2026-02-30", invalid_date=True)),
    ("2/30", "en", UnknownDay("2/30", invalid_date=True)),
    ("13/13", "en", UnknownDay("13/13", invalid_date=True)),
    ("someday", "en", UnknownDay("someday")),
    ("tuesday please", "en", UnknownDay("tuesday please")),
]


@pytest.mark.parametrize(("text", "language", "expected"), PARSE_CASES)
def test_parse_day(text: str, language: str, expected: object) -> None:
    assert parse_day(text, language) == expected


def test_a_word_meaning_different_days_in_other_languages_is_ambiguous() -> None:
    parsed = parse_day("di", "en")  # Dutch/German Tuesday, Welsh Sunday...
    assert isinstance(parsed, AmbiguousDay)
    assert len(parsed.meanings) > 1


@given(st.text(max_size=200), st.sampled_from(["en", "ko", "nl", "xx", ""]))
def test_parse_day_never_raises(text: str, language: str) -> None:
    parse_day(text, language)


# --- resolution -----------------------------------------------------------------------

# One-leg trips in zones on both sides of the date line and across DST changes.
AUCKLAND = trip_export(
    "2026-07-14", "2026-07-22", [leg("l", 0, "Auckland", "2026-07-14", "2026-07-22",
                                     "Pacific/Auckland")]
)  # fmt: skip
HONOLULU = trip_export(
    "2026-07-14", "2026-07-22", [leg("l", 0, "Honolulu", "2026-07-14", "2026-07-22",
                                     "Pacific/Honolulu")]
)  # fmt: skip
KIRITIMATI = trip_export(  # UTC+14
    "2026-07-14", "2026-07-22", [leg("l", 0, "Kiritimati", "2026-07-14", "2026-07-22",
                                     "Pacific/Kiritimati")]
)  # fmt: skip
PAGO_PAGO = trip_export(  # UTC-11
    "2026-07-14", "2026-07-22", [leg("l", 0, "Pago Pago", "2026-07-14", "2026-07-22",
                                     "Pacific/Pago_Pago")]
)  # fmt: skip
LONDON_SPRING = trip_export(  # BST starts 2026-03-29 01:00 UTC
    "2026-03-27", "2026-04-02", [leg("l", 0, "London", "2026-03-27", "2026-04-02",
                                     "Europe/London")]
)  # fmt: skip
NEW_YORK_FALL = trip_export(  # EST starts 2026-11-01 06:00 UTC
    "2026-10-30", "2026-11-04", [leg("l", 0, "New York", "2026-10-30", "2026-11-04",
                                     "America/New_York")]
)  # fmt: skip
# Tokyo then Honolulu: eastward over the date line, July 18 is lived twice.
EASTWARD = trip_export(
    "2026-07-14",
    "2026-07-22",
    [
        leg("tyo", 0, "Tokyo", "2026-07-14", "2026-07-18", "Asia/Tokyo"),
        leg("hnl", 1, "Honolulu", "2026-07-18", "2026-07-22", "Pacific/Honolulu"),
    ],
)
# Honolulu then Tokyo: westward, July 19 is skipped over the Pacific; the flight
# lands in Tokyo at 16:00 local on the 19th.
WESTWARD = trip_export(
    "2026-07-14",
    "2026-07-22",
    [
        leg("hnl", 0, "Honolulu", "2026-07-14", "2026-07-18", "Pacific/Honolulu"),
        leg(
            "tyo",
            1,
            "Tokyo",
            "2026-07-19",
            "2026-07-22",
            "Asia/Tokyo",
            flights=[{"flightNumber": "NH183", "departAt": "2026-07-18T13:00-10:00",
                      "arriveAt": "2026-07-19T16:00"}],
        ),
    ],
)  # fmt: skip
NEW_YEAR = trip_export(
    "2026-12-28", "2027-01-05", [leg("l", 0, "Sydney", "2026-12-28", "2027-01-05",
                                     "Australia/Sydney")]
)  # fmt: skip
SPRING_MONTHS = trip_export(
    "2026-03-01", "2026-04-30", [leg("l", 0, "Lisbon", "2026-03-01", "2026-04-30",
                                     "Europe/Lisbon")]
)  # fmt: skip
NO_LEGS = trip_export("2026-07-14", "2026-07-16", [])

IN = DayStatus.IN_TRIP
BEFORE = DayStatus.BEFORE_TRIP
AFTER = DayStatus.AFTER_TRIP
NONE_LEFT = DayStatus.NO_SUCH_WEEKDAY
AMBIGUOUS = DayStatus.AMBIGUOUS

RESOLVE_CASES = [
    # name, trip, now, text, expected status, expected day
    ("auckland is a day ahead of utc", AUCKLAND, "2026-07-14T13:00+00:00", "", IN, D(2026, 7, 15)),
    ("honolulu is a day behind utc", HONOLULU, "2026-07-15T05:00+00:00", "", IN, D(2026, 7, 14)),
    ("+14 at the same instant", KIRITIMATI, "2026-07-16T11:00+00:00", "", IN, D(2026, 7, 17)),
    ("-11 at the same instant", PAGO_PAGO, "2026-07-16T11:00+00:00", "", IN, D(2026, 7, 16)),
    ("tomorrow in auckland", AUCKLAND, "2026-07-14T13:00+00:00", "tomorrow", IN, D(2026, 7, 16)),
    ("내일 in honolulu", HONOLULU, "2026-07-15T05:00+00:00", "내일", IN, D(2026, 7, 15)),
    ("모레 in honolulu", HONOLULU, "2026-07-15T05:00+00:00", "모레", IN, D(2026, 7, 16)),
    # Eastward over the date line: Tokyo's July 18, then Honolulu's July 18.
    ("tokyo morning of the 18th", EASTWARD, "2026-07-18T10:00+09:00", "", IN, D(2026, 7, 18)),
    (
        "after the flight it is the 18th again",
        EASTWARD,
        "2026-07-19T02:00+09:00",
        "",
        IN,
        D(2026, 7, 18),
    ),
    (
        "tomorrow from honolulu's 18th",
        EASTWARD,
        "2026-07-19T02:00+09:00",
        "tomorrow",
        IN,
        D(2026, 7, 19),
    ),
    # Westward: still Honolulu's 18th until the flight lands in Tokyo.
    (
        "honolulu morning, tokyo already the 19th",
        WESTWARD,
        "2026-07-18T09:00-10:00",
        "",
        IN,
        D(2026, 7, 18),
    ),
    ("in the air", WESTWARD, "2026-07-18T18:00-10:00", "", IN, D(2026, 7, 18)),
    ("landed in tokyo", WESTWARD, "2026-07-19T16:30+09:00", "", IN, D(2026, 7, 19)),
    # DST: the day turns at local midnight, whatever the offset that night.
    (
        "london before spring forward",
        LONDON_SPRING,
        "2026-03-28T23:30+00:00",
        "",
        IN,
        D(2026, 3, 28),
    ),
    (
        "london after spring forward",
        LONDON_SPRING,
        "2026-03-29T23:30+00:00",
        "",
        IN,
        D(2026, 3, 30),
    ),
    ("new york before fall back", NEW_YORK_FALL, "2026-11-01T03:30+00:00", "", IN, D(2026, 10, 31)),
    ("new york after fall back", NEW_YORK_FALL, "2026-11-02T04:30+00:00", "", IN, D(2026, 11, 1)),
    # Weekdays (2026-07-14 is a Tuesday).
    (
        "weekday before the trip: the trip's first",
        HONOLULU,
        "2026-07-01T12:00+00:00",
        "thu",
        IN,
        D(2026, 7, 16),
    ),
    (
        "weekday before the trip: first tuesday",
        HONOLULU,
        "2026-07-01T12:00+00:00",
        "화요일",
        IN,
        D(2026, 7, 14),
    ),
    (
        "weekday during the trip: the next one",
        HONOLULU,
        "2026-07-17T22:00+00:00",
        "tue",
        IN,
        D(2026, 7, 21),
    ),
    ("weekday that is today", HONOLULU, "2026-07-17T22:00+00:00", "friday", IN, D(2026, 7, 17)),
    ("no thursday left", HONOLULU, "2026-07-20T22:00+00:00", "thu", NONE_LEFT, None),
    ("after the trip", HONOLULU, "2026-08-20T22:00+00:00", "wed", NONE_LEFT, None),
    # Dates before and after the trip.
    ("today before the trip", HONOLULU, "2026-07-01T12:00+00:00", "", BEFORE, D(2026, 7, 1)),
    ("today after the trip", HONOLULU, "2026-08-01T12:00+00:00", "today", AFTER, D(2026, 8, 1)),
    (
        "iso before the trip",
        HONOLULU,
        "2026-07-15T12:00+00:00",
        "2026-07-01",
        BEFORE,
        D(2026, 7, 1),
    ),
    ("month/day after the trip", HONOLULU, "2026-07-15T12:00+00:00", "8/1", AFTER, D(2026, 8, 1)),
    ("day 0 is before", HONOLULU, "2026-07-15T12:00+00:00", "day 0", BEFORE, D(2026, 7, 13)),
    ("day 9 is the last", HONOLULU, "2026-07-15T12:00+00:00", "day 9", IN, D(2026, 7, 22)),
    ("day 10 is after", HONOLULU, "2026-07-15T12:00+00:00", "day 10", AFTER, D(2026, 7, 23)),
    # Month/day readings and years.
    (
        "day/month when only that fits",
        HONOLULU,
        "2026-07-15T12:00+00:00",
        "17/7",
        IN,
        D(2026, 7, 17),
    ),
    ("both readings in the trip", SPRING_MONTHS, "2026-03-02T12:00+00:00", "3/4", AMBIGUOUS, None),
    (
        "same reading twice is no ambiguity",
        SPRING_MONTHS,
        "2026-03-02T12:00+00:00",
        "4/4",
        IN,
        D(2026, 4, 4),
    ),
    ("january of a new-year trip", NEW_YEAR, "2026-12-20T12:00+00:00", "1/2", IN, D(2027, 1, 2)),
    (
        "december of a new-year trip",
        NEW_YEAR,
        "2026-12-20T12:00+00:00",
        "12/30",
        IN,
        D(2026, 12, 30),
    ),
    ("korean month/day", NEW_YEAR, "2026-12-20T12:00+00:00", "1월 3일", IN, D(2027, 1, 3)),
    # No legs: UTC decides.
    ("no legs", NO_LEGS, "2026-07-14T23:30+00:00", "", IN, D(2026, 7, 14)),
]


@pytest.mark.parametrize(
    ("name", "trip", "now", "text", "status", "day"),
    RESOLVE_CASES,
    ids=[case[0] for case in RESOLVE_CASES],
)
def test_resolve_day(
    name: str,
    trip: object,
    now: str,
    text: str,
    status: DayStatus,
    day: dt.date | None,
) -> None:
    from osoto_bridge.osoto import TripExport

    assert isinstance(trip, TripExport)
    resolution = resolve_day(parse_day(text, "en"), TripCalendar.from_export(trip), at(now))
    assert (resolution.status, resolution.day) == (status, day)


def test_ambiguous_dates_list_both_readings() -> None:
    calendar = TripCalendar.from_export(SPRING_MONTHS)
    resolution = resolve_day(parse_day("3/4"), calendar, at("2026-03-02T12:00+00:00"))
    assert resolution.candidates == (D(2026, 3, 4), D(2026, 4, 3))


def test_a_weekday_after_the_trip_says_the_trip_is_over() -> None:
    calendar = TripCalendar.from_export(HONOLULU)
    resolution = resolve_day(parse_day("wed"), calendar, at("2026-08-20T22:00+00:00"))
    assert resolution.trip_over
    still_on = resolve_day(parse_day("wed"), calendar, at("2026-07-20T22:00+00:00"))
    assert not still_on.trip_over


def test_a_weekday_the_short_trip_does_not_have() -> None:
    calendar = TripCalendar.from_export(NO_LEGS)  # Tue 14 - Thu 16
    resolution = resolve_day(parse_day("sat"), calendar, at("2026-07-01T12:00+00:00"))
    assert resolution.status is NONE_LEFT
    assert resolution.weekday == 5


def test_the_current_leg_follows_the_date_line() -> None:
    calendar = TripCalendar.from_export(WESTWARD)
    before = calendar.current_leg(at("2026-07-18T18:00-10:00"))
    after = calendar.current_leg(at("2026-07-19T16:30+09:00"))
    assert before is not None and before.leg.id == "hnl"
    assert after is not None and after.leg.id == "tyo"


def test_a_naive_now_is_taken_as_utc() -> None:
    calendar = TripCalendar.from_export(AUCKLAND)
    assert calendar.today(dt.datetime(2026, 7, 14, 13, 0)) == D(2026, 7, 15)


def test_unknown_time_zones_fall_back_to_utc() -> None:
    trip = trip_export(
        "2026-07-14", "2026-07-16", [leg("l", 0, "Mars", "2026-07-14", "2026-07-16", "Mars/Base")]
    )
    calendar = TripCalendar.from_export(trip)
    assert calendar.today(at("2026-07-14T23:30+00:00")) == D(2026, 7, 14)
