"""No snapshot, day text or argument crashes an answer function (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osoto_bridge.commands import (
    TripView,
    answer_help,
    answer_next,
    answer_pins,
    answer_plan,
    answer_todo,
    answer_trip,
    answer_where,
    answer_who,
    translator,
)
from osoto_bridge.commands.todo_args import find_item, parse_new_item
from osoto_bridge.osoto import TripExport
from osoto_bridge.text import render_plain, render_slack_mrkdwn, render_telegram_html

ZONES = st.sampled_from(
    [
        "Asia/Tokyo",
        "Pacific/Honolulu",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Europe/London",
        "America/New_York",
        "UTC",
        "Mars/Base",
        "../etc/passwd",
        "",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
    ]
)
DATES = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2200, 12, 31))
ISO_DATES = DATES.map(dt.date.isoformat)
LOCAL_TIMES = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 12, 30)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M")
    ),
    st.sampled_from(["2026-07-15T15:00+09:00", "2026-07-15T15:00Z", "soon", "", "25:99"]),
    st.text(max_size=20),
)
CLOCKS = st.one_of(st.none(), st.sampled_from(["09:00", "23:59", "00:00", "7pm", ""]))
TEXT = st.text(max_size=40)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


ACCOMMODATION = st.fixed_dictionaries(
    {"name": TEXT},
    optional={
        "address": _opt(TEXT),
        "checkIn": LOCAL_TIMES,
        "checkOut": LOCAL_TIMES,
        "wifiPassword": _opt(TEXT),
        "doorCode": _opt(TEXT),
        "confirmationNumber": _opt(TEXT),
        "checkInInstructions": _opt(TEXT),
    },
)
FLIGHT = st.fixed_dictionaries(
    {},
    optional={
        "airline": _opt(TEXT),
        "flightNumber": _opt(TEXT),
        "from": _opt(TEXT),
        "to": _opt(TEXT),
        "departAt": LOCAL_TIMES,
        "arriveAt": LOCAL_TIMES,
    },
)
LEG = st.fixed_dictionaries(
    {
        "_id": st.text(min_size=1, max_size=8),
        "title": TEXT,
        "startDate": ISO_DATES,
        "endDate": ISO_DATES,
        "order": st.integers(-3, 10),
    },
    optional={
        "destination": _opt(TEXT),
        "timezone": _opt(ZONES),
        "accommodation": _opt(ACCOMMODATION),
        "stays": st.lists(ACCOMMODATION, max_size=2),
        "flights": st.lists(FLIGHT, max_size=2),
        "rentalCar": _opt(
            st.fixed_dictionaries(
                {"company": _opt(TEXT), "pickupAt": LOCAL_TIMES, "dropoffAt": LOCAL_TIMES}
            )
        ),
    },
)
EXPORTS = st.fixed_dictionaries(
    {
        "trip": st.fixed_dictionaries(
            {
                "_id": st.just("trip1"),
                "title": TEXT,
                "startDate": ISO_DATES,
                "endDate": ISO_DATES,
                "status": st.sampled_from(["draft", "active", "completed", "weird"]),
            }
        ),
        "legs": st.lists(LEG, max_size=4),
        "mapPins": st.lists(
            st.fixed_dictionaries(
                {"_id": TEXT, "name": TEXT, "lat": FLOATS, "lng": FLOATS},
                optional={"category": _opt(TEXT), "notes": _opt(TEXT)},
            ),
            max_size=4,
        ),
        "actionItems": st.lists(
            st.fixed_dictionaries(
                {
                    "_id": st.text(min_size=1, max_size=70),
                    "text": TEXT,
                    "urgency": st.sampled_from(["now", "before_trip", "nice_to_have", "x"]),
                    "done": st.booleans(),
                },
                optional={"owner": _opt(st.sampled_from(["u1", "u2", "nobody"]))},
            ),
            max_size=6,
        ),
        "commitments": st.lists(
            st.fixed_dictionaries(
                {"_id": TEXT, "title": TEXT, "startDate": ISO_DATES},
                optional={
                    "category": TEXT,
                    "startTime": CLOCKS,
                    "endTime": CLOCKS,
                    "isAllDay": st.booleans(),
                    "timezone": _opt(ZONES),
                    "legId": _opt(TEXT),
                    "mapPinId": _opt(TEXT),
                    "notes": _opt(TEXT),
                },
            ),
            max_size=4,
        ),
        "members": st.lists(
            st.fixed_dictionaries(
                {"userId": st.sampled_from(["u1", "u2", "u3"]), "name": TEXT, "role": TEXT}
            ),
            max_size=3,
        ),
    }
).map(TripExport.model_validate)
NOWS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.just(dt.UTC),
)
DAY_WORDS = st.one_of(
    TEXT,
    st.sampled_from(["", "tomorrow", "tue", "화요일", "모레", "7/17", "3/4", "day 3", "di"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    export=EXPORTS,
    now=NOWS,
    language=st.sampled_from(["en", "ko", "xx"]),
    sensitive=st.booleans(),
    group=st.booleans(),
    day=DAY_WORDS,
    words=TEXT,
)
def test_no_input_crashes_an_answer(
    export: TripExport,
    now: dt.datetime,
    language: str,
    sensitive: bool,
    group: bool,
    day: str,
    words: str,
) -> None:
    view = TripView.of(export, now=now, language=language, show_sensitive=sensitive, is_group=group)
    documents = [
        answer_where(view, day),
        answer_next(view),
        answer_plan(view),
        answer_todo(view),
        answer_pins(view, words),
        answer_who(view),
        answer_trip(view),
        answer_help(translator(language), words),
    ]
    find_item(view.export, words)
    parse_new_item(words)
    for document in documents:
        render_plain(document)
        render_telegram_html(document)
        render_slack_mrkdwn(document)
        for row in document.buttons:
            for button in row:
                assert len(button.value.encode()) <= 64
