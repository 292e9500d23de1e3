"""A stay is one place however many copies of it the snapshot holds.

Given a leg whose accommodation is recorded again as one of its stays (the copies
drifting: one with the dates, one with the address only), when someone asks `/where`,
then the place is listed once with everything both copies knew; two different places
(another address, separate nights, no name) stay two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from commands_fixtures import leg, trip_export
from demo_trip import NOW, demo_export

from osoto_bridge.commands import TripView, answer_where
from osoto_bridge.commands.stays import stays_of
from osoto_bridge.commands.tripclock import TripCalendar
from osoto_bridge.osoto import TripExport
from osoto_bridge.text import render_plain

LOFT = {
    "name": "Kreuzberg loft",
    "address": "Oranienstraße 25, 10999 Berlin",
    "checkIn": "2026-07-16T16:00",
    "checkOut": "2026-07-19T10:00",
}


def _trip(accommodation: dict[str, Any] | None, *stays: dict[str, Any]) -> TripExport:
    extra: dict[str, Any] = {"stays": [{"_id": f"s{n}", **s} for n, s in enumerate(stays)]}
    if accommodation is not None:
        extra["accommodation"] = accommodation
    return trip_export(
        "2026-07-16",
        "2026-07-19",
        [leg("l1", 0, "Berlin", "2026-07-16", "2026-07-19", "Europe/Berlin", **extra)],
    )


def _where(export: TripExport, day: str = "2026-07-17", *, sensitive: bool = False) -> str:
    now = dt.datetime(2026, 7, 16, 9, 0, tzinfo=dt.UTC)
    view = TripView.of(export, now=now, language="en", show_sensitive=sensitive)
    return render_plain(answer_where(view, day))


def _places(export: TripExport) -> list[str]:
    (span,) = TripCalendar.from_export(export).legs
    return [p.name for p in stays_of(span)]


def test_a_stay_copy_with_the_address_only_is_merged_into_the_dated_one() -> None:
    copy = {"name": LOFT["name"], "address": LOFT["address"], "wifiPassword": "spree-2026"}
    text = _where(_trip(LOFT, copy), sensitive=True)
    assert text.count("Kreuzberg loft") == 1
    assert "Check-in" in text and "Oranienstraße 25" in text
    assert "spree-2026" in text  # the copy's field is kept on the merged place


def test_the_merged_stay_still_hides_secrets_from_a_group() -> None:
    copy = {"name": LOFT["name"], "doorCode": "2580", "wifiPassword": "spree-2026"}
    text = _where(_trip(LOFT, copy))
    assert text.count("Kreuzberg loft") == 1
    assert "2580" not in text and "spree-2026" not in text


@pytest.mark.parametrize(
    "name", ["kreuzberg LOFT", "  Kreuzberg   loft ", "Ｋｒｅｕｚｂｅｒｇ loft", "KREUZBERG LOFT"]
)
def test_names_differing_in_case_spacing_or_width_are_one_stay(name: str) -> None:
    assert _places(_trip(LOFT, {"name": name, "checkIn": LOFT["checkIn"]})) == ["Kreuzberg loft"]


def test_three_copies_become_one_with_the_fullest_address() -> None:
    short = {"name": "Kreuzberg loft", "address": "Oranienstraße 25"}
    dated = {"name": "Kreuzberg loft", "checkOut": LOFT["checkOut"]}
    export = _trip(None, short, dated, {"name": "Kreuzberg loft", "address": LOFT["address"]})
    (span,) = TripCalendar.from_export(export).legs
    (place,) = stays_of(span)
    assert place.address == LOFT["address"]
    assert place.check_out == LOFT["checkOut"]
    assert place.check_in is None


def test_only_stays_without_an_accommodation_are_merged_too() -> None:
    assert _places(_trip(None, LOFT, {"name": "Kreuzberg loft"})) == ["Kreuzberg loft"]


def test_two_visits_to_one_hotel_on_separate_nights_stay_two() -> None:
    first = {**LOFT, "checkIn": "2026-07-16T16:00", "checkOut": "2026-07-17T10:00"}
    back = {**LOFT, "checkIn": "2026-07-18T16:00", "checkOut": "2026-07-19T10:00"}
    assert _places(_trip(first, back)) == ["Kreuzberg loft", "Kreuzberg loft"]


def test_back_to_back_visits_are_two_stays() -> None:
    first = {**LOFT, "checkIn": "2026-07-16T16:00", "checkOut": "2026-07-17T10:00"}
    back = {**LOFT, "checkIn": "2026-07-17T10:00", "checkOut": "2026-07-19T10:00"}
    assert len(_places(_trip(first, back))) == 2


def test_same_name_at_another_address_is_another_place() -> None:
    other = {"name": "Kreuzberg loft", "address": "Bergmannstraße 5, 10961 Berlin"}
    assert len(_places(_trip(LOFT, other))) == 2


@pytest.mark.parametrize("name", ["", "   "])
def test_unnamed_places_are_never_merged(name: str) -> None:
    assert len(_places(_trip({"name": name}, {"name": name}))) == 2


def test_unparsable_dates_do_not_split_a_stay() -> None:
    odd = {"name": "Kreuzberg loft", "checkIn": "late afternoon", "checkOut": "??"}
    assert _places(_trip(LOFT, odd)) == ["Kreuzberg loft"]


def test_the_first_copy_wins_a_clash_of_secrets() -> None:
    accommodation = {**LOFT, "doorCode": "1111"}
    (span,) = TripCalendar.from_export(_trip(accommodation, {**LOFT, "doorCode": "2222"})).legs
    (place,) = stays_of(span)
    assert place.door_code == "1111"


async def test_where_on_a_berlin_day_of_the_demo_lists_the_loft_once() -> None:
    export = await demo_export()
    view = TripView.of(export, now=NOW, language="en", show_sensitive=False)
    for day in ("day 3", "day 4", "day 5", "day 6"):
        text = render_plain(answer_where(view, day))
        assert text.count("Kreuzberg loft") == 1, (day, text)
        assert "Oranienstraße 25" in text


async def test_the_demo_records_each_stay_with_its_dates() -> None:
    """The demo data itself holds no drifting copy: every stay carries its nights."""
    export = await demo_export()
    for each in export.legs:
        for stay in each.stays:
            assert stay.check_in and stay.check_out, (each.title, stay.name)
        if each.accommodation is not None:
            twins = [s for s in each.stays if s.name == each.accommodation.name]
            assert all(
                s.model_dump(exclude={"id", "client_ref"}) == each.accommodation.model_dump()
                for s in twins
            ), each.title
