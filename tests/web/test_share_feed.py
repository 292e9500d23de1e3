"""The shared trip's calendar feed: parsed back with `icalendar`, every event has a
stable UID and starts in the right zone, and the flights keep the trip's local times."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event
from share_support import BASE, NOW, SharedDemo, client_for, share_app, shared_demo

from osoto_bridge.i18n import translator
from osoto_bridge.osoto import TripExport
from osoto_bridge.web.share import PRODID, ShareSource, build_feed


@pytest.fixture
async def demo() -> AsyncIterator[SharedDemo]:
    async with shared_demo() as shared:
        yield shared


async def _export(demo: SharedDemo) -> TripExport:
    async with ShareSource(BASE, transport=demo.transport) as source:
        export = await source.export(demo.token)
    assert export is not None
    return export


def _events(body: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    by_summary = {str(e["SUMMARY"]): e for e in events}
    assert len(by_summary) == len(events), "two events with one title"
    return by_summary


async def test_the_feed_is_served_as_a_calendar(demo: SharedDemo) -> None:
    async with (
        ShareSource(BASE, transport=demo.transport) as source,
        client_for(share_app(source)) as http,
    ):
        response = await http.get(f"/share/{demo.token}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["PRODID"] == PRODID and calendar["VERSION"] == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "London, Berlin & Istanbul"


async def test_the_feed_round_trips_and_every_event_has_a_uid(demo: SharedDemo) -> None:
    body = build_feed(await _export(demo), tr=translator("en"), now=NOW)
    parsed = Calendar.from_ical(body)
    assert Calendar.from_ical(parsed.to_ical()) == parsed
    events = list(parsed.walk("VEVENT"))
    # 3 legs, 3 stays, 2 flights, 1 rental car, 6 commitments
    assert len(events) == 15
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(uid.endswith("@share.osoto-bridge") for uid in uids)
    assert all(e.decoded("DTSTAMP") == NOW for e in events)


async def test_every_event_starts_in_the_right_zone(demo: SharedDemo) -> None:
    body = build_feed(await _export(demo), tr=translator("en"), now=NOW)
    calendar = Calendar.from_ical(body)
    events = _events(body)
    zones_used = set()
    for summary, event in events.items():
        start = event.decoded("DTSTART")
        if summary in ("London", "Berlin", "Istanbul") or summary.startswith("Stay: "):
            assert type(start) is dt.date, summary  # all day
            assert event.decoded("DTEND") > start
            continue
        if summary == "Chloé's birthday":
            assert type(start) is dt.date
            continue
        assert isinstance(start, dt.datetime) and isinstance(start.tzinfo, ZoneInfo), summary
        assert event["DTSTART"].params["TZID"] == start.tzinfo.key
        zones_used.add(start.tzinfo.key)
    assert events["Welcome dinner"].decoded("DTSTART").tzinfo.key == "Europe/London"
    assert events["Ferry across the Bosphorus"].decoded("DTSTART").tzinfo.key == "Europe/Istanbul"
    # the call is set in Berlin's time, though it falls on the day the trip flies on
    assert events["Call with the Istanbul host"].decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    timezones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert timezones == zones_used == {"Europe/London", "Europe/Berlin", "Europe/Istanbul"}


async def test_flight_times_are_the_trips_local_times(demo: SharedDemo) -> None:
    export = await _export(demo)
    events = _events(build_feed(export, tr=translator("en"), now=NOW))
    legs = {leg.title: leg for leg in export.legs}
    for leg_title, summary in (
        ("Berlin", "Flight BA 982 LHR → BER"),
        ("Istanbul", "Flight TK 1724 BER → IST"),
    ):
        leg = legs[leg_title]
        (flight,) = leg.flights
        event = events[summary]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        # the wire's local date-time, read back unchanged, in the leg's zone
        assert start.replace(tzinfo=None).isoformat(timespec="minutes") == flight.depart_at
        assert end.replace(tzinfo=None).isoformat(timespec="minutes") == flight.arrive_at
        assert start.tzinfo.key == end.tzinfo.key == leg.timezone
    ba = events["Flight BA 982 LHR → BER"].decoded("DTSTART")
    assert ba.astimezone(dt.UTC).time() == dt.time(10, 35)  # 12:35 CEST


async def test_uids_stay_when_the_plan_changes(demo: SharedDemo) -> None:
    before = _events(build_feed(await _export(demo), tr=translator("en"), now=NOW))
    commitments = [c async for c in demo.owner.iterate_commitments(demo.trip_id)]
    dinner = next(c for c in commitments if c.title == "Welcome dinner")
    await demo.owner.update_commitment(demo.trip_id, dinner.id, start_time="20:00")
    later = NOW + dt.timedelta(hours=3)
    after = _events(build_feed(await _export(demo), tr=translator("ko"), now=later))
    assert after["Welcome dinner"]["UID"] == before["Welcome dinner"]["UID"]
    assert after["Welcome dinner"].decoded("DTSTART").time() == dt.time(20, 0)
    # titles in another language, the same UIDs: a subscribed calendar updates in place
    assert {str(e["UID"]) for e in after.values()} == {str(e["UID"]) for e in before.values()}
    assert any(summary.startswith("숙박: ") for summary in after)
