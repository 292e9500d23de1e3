"""`/next` and the timeline: 48 hours counted in instants, across DST and zones."""

from __future__ import annotations

from commands_fixtures import at, leg, trip_export

from osoto_bridge.commands import TripView, answer_next
from osoto_bridge.text import render_plain


def _london(*commitments: dict[str, object]) -> TripView:
    export = trip_export(
        "2026-03-27",
        "2026-04-02",
        [leg("l", 0, "London", "2026-03-27", "2026-04-02", "Europe/London")],
        commitments=list(commitments),
    )
    # Saturday noon; the clocks go forward that night, so the window ends at
    # 13:00 BST on Monday, not 12:00.
    return TripView.of(
        export, now=at("2026-03-28T12:00+00:00"), language="en", show_sensitive=False
    )


def _event(title: str, day: str, start: str, **extra: object) -> dict[str, object]:
    return {"_id": title, "title": title, "startDate": day, "startTime": start, **extra}


def test_the_window_is_48_real_hours_across_spring_forward() -> None:
    view = _london(
        _event("inside", "2026-03-30", "12:30"),  # 11:30 UTC
        _event("just inside", "2026-03-30", "13:00"),  # 12:00 UTC
        _event("outside", "2026-03-30", "13:30"),  # 12:30 UTC
        _event("past", "2026-03-28", "11:00"),
    )
    text = render_plain(answer_next(view))
    assert "inside" in text and "just inside" in text
    assert "outside" not in text and "past" not in text


def test_under_way_events_are_marked_now() -> None:
    view = _london(_event("brunch", "2026-03-28", "11:30", endTime="13:00"))
    assert "Now: 📅 Sat, Mar 28 11:30\u202fAM · brunch" in render_plain(answer_next(view))


def test_an_events_own_zone_wins_over_the_legs() -> None:
    # 20:00 in Tokyo on Sunday is 11:00 UTC: inside the window, listed before a
    # London lunch at 13:00 (12:00 UTC) the same day.
    view = _london(
        _event("lunch", "2026-03-29", "13:00"),
        _event("tokyo call", "2026-03-29", "20:00", timezone="Asia/Tokyo"),
    )
    text = render_plain(answer_next(view))
    assert text.index("tokyo call") < text.index("lunch")


def test_nothing_soon_shows_what_comes_next() -> None:
    view = _london(_event("theatre", "2026-04-01", "19:30"))
    text = render_plain(answer_next(view))
    assert "Nothing in the next 48 hours." in text
    assert "Next up: 📅 Wed, Apr 1 7:30\u202fPM · theatre" in text


def test_a_stay_repeating_the_accommodation_is_shown_once() -> None:
    from osoto_bridge.commands import answer_where

    hotel = {
        "name": "Holborn Townhouse",
        "checkIn": "2026-03-27T15:00",
        "checkOut": "2026-03-29T11:00",
    }
    other = {"name": "Airport hotel", "checkIn": "2026-03-29T20:00"}
    export = trip_export(
        "2026-03-27",
        "2026-03-30",
        [
            leg(
                "l",
                0,
                "London",
                "2026-03-27",
                "2026-03-30",
                "Europe/London",
                accommodation=hotel,
                stays=[{**hotel, "clientRef": "s1"}, {**other, "clientRef": "s2"}],
            )
        ],
    )
    view = TripView.of(
        export, now=at("2026-03-28T09:00+00:00"), language="en", show_sensitive=False
    )
    text = render_plain(answer_where(view, ""))
    assert text.count("Holborn Townhouse") == 1
