"""The shared trip as an iCalendar feed (RFC 5545), built with `icalendar`.

Legs and stays are all-day events; flights, the rental car and timed commitments
carry their zone (`TZID`, with a `VTIMEZONE` for each zone used), in the local
time the trip wrote them. A `UID` is derived from the trip's and the item's ids
(or, for the flights and stays the wire gives no id, from the leg's id and what
names the item), so a calendar subscribed to the feed updates events in place
when the plan changes, rather than adding new ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from icalendar import Calendar, Event

from osoto_bridge.commands.render import address_url, pin_url
from osoto_bridge.commands.stays import stays_of
from osoto_bridge.commands.timeline import parse_clock
from osoto_bridge.commands.tripclock import LegSpan, TripCalendar, localize, zone
from osoto_bridge.i18n import Translator
from osoto_bridge.osoto import Accommodation, Commitment, Stay, TripExport, safe_projection

__all__ = ["PRODID", "build_feed"]

PRODID = "-//osoto-bridge//share feed//EN"
_DOMAIN = "share.osoto-bridge"


def _uid(trip_id: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join((trip_id, *parts)).encode()).hexdigest()[:32]
    return f"{digest}@{_DOMAIN}"


def _event(uid: str, summary: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    return event


def _all_day(event: Event, first: dt.date, last: dt.date) -> None:
    # DTEND of an all-day event is exclusive: the day after the last one.
    event.add("dtstart", first)
    event.add("dtend", max(first, last) + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def _legs(cal: TripCalendar, trip_id: str, stamp: dt.datetime) -> list[Event]:
    events = []
    for span in cal.legs:
        leg = span.leg
        event = _event(_uid(trip_id, "leg", leg.id), leg.title, stamp)
        _all_day(event, span.start, span.end)
        if leg.destination:
            event.add("location", leg.destination)
        events.append(event)
    return events


def _stay_key(span: LegSpan, place: Accommodation, seen: Counter[str]) -> str:
    if isinstance(place, Stay) and place.id:
        return place.id
    name = " ".join(place.name.casefold().split())
    seen[name] += 1
    return f"{span.leg.id}\x00{name}\x00{seen[name]}"


def _stays(cal: TripCalendar, trip_id: str, stamp: dt.datetime, tr: Translator) -> list[Event]:
    events = []
    for span in cal.legs:
        seen: Counter[str] = Counter()
        for place in stays_of(span):
            check_in = localize(place.check_in, span.tz)
            check_out = localize(place.check_out, span.tz)
            first = check_in.date() if check_in else span.start
            last = check_out.date() if check_out else span.end
            key = _stay_key(span, place, seen)
            event = _event(
                _uid(trip_id, "stay", key), tr.gettext("Stay: {name}", name=place.name), stamp
            )
            _all_day(event, first, last)
            if place.address:
                event.add("location", place.address)
                url = address_url(place.address)
                if url:
                    event.add("url", url)
            times = []
            if check_in:
                times.append(tr.gettext("Check-in {when}", when=tr.day_time(check_in)))
            if check_out:
                times.append(tr.gettext("Check-out {when}", when=tr.day_time(check_out)))
            if times:
                event.add("description", " · ".join(times))
            events.append(event)
    return events


def _flights(cal: TripCalendar, trip_id: str, stamp: dt.datetime, tr: Translator) -> list[Event]:
    events = []
    for span in cal.legs:
        seen: Counter[str] = Counter()
        for flight in span.leg.flights:
            depart = localize(flight.depart_at, span.tz)
            if depart is None:
                continue
            name = flight.flight_number or flight.airline or "?"
            route = f"{flight.from_ or '?'} → {flight.to or '?'}"
            key = f"{name}\x00{flight.from_}\x00{flight.to}"
            seen[key] += 1
            event = _event(
                _uid(trip_id, "flight", span.leg.id, key, str(seen[key])),
                tr.gettext("Flight {flight} {route}", flight=name, route=route),
                stamp,
            )
            event.add("dtstart", depart)
            arrive = localize(flight.arrive_at, span.tz)
            if arrive is not None and arrive >= depart:
                event.add("dtend", arrive)
            if flight.from_:
                event.add("location", flight.from_)
            if flight.airline:
                event.add("description", flight.airline)
            events.append(event)
    return events


def _cars(cal: TripCalendar, trip_id: str, stamp: dt.datetime, tr: Translator) -> list[Event]:
    events = []
    for span in cal.legs:
        car = span.leg.rental_car
        if car is None:
            continue
        pickup = localize(car.pickup_at, span.tz)
        if pickup is None:
            continue
        company = car.company or tr.gettext("rental car")
        event = _event(
            _uid(trip_id, "car", span.leg.id),
            tr.gettext("Pick up the rental car from {company}", company=company),
            stamp,
        )
        event.add("dtstart", pickup)
        dropoff = localize(car.dropoff_at, span.tz)
        if dropoff is not None and dropoff >= pickup:
            event.add("dtend", dropoff)
        if car.pickup_location:
            event.add("location", car.pickup_location)
        events.append(event)
    return events


def _commitment(
    commitment: Commitment, cal: TripCalendar, export: TripExport, stamp: dt.datetime
) -> Event:
    event = _event(_uid(export.trip.id, "commitment", commitment.id), commitment.title, stamp)
    span = cal.span_of(commitment.leg_id)
    tz = zone(commitment.timezone) or (span.tz if span else cal.zone_on(commitment.start_date))
    start = None if commitment.is_all_day else parse_clock(commitment.start_time)
    if start is None:
        _all_day(event, commitment.start_date, commitment.start_date)
    else:
        begin = dt.datetime.combine(commitment.start_date, start, tzinfo=tz)
        event.add("dtstart", begin)
        end = parse_clock(commitment.end_time)
        if end is not None:
            until = dt.datetime.combine(commitment.start_date, end, tzinfo=tz)
            if until <= begin:  # 22:00-01:00 ends the next day
                until += dt.timedelta(days=1)
            event.add("dtend", until)
    if commitment.category:
        event.add("categories", [commitment.category])
    pin = next((p for p in export.map_pins if p.id == commitment.map_pin_id), None)
    if pin is not None:
        event.add("location", pin.name)
        url = pin_url(pin.lat, pin.lng)
        if url:
            event.add("url", url)
    if commitment.notes:
        event.add("description", commitment.notes)
    return event


def build_feed(export: TripExport, *, tr: Translator, now: dt.datetime) -> bytes:
    """The trip's calendar.

    Args:
        export: The share export (projected again here, whatever it holds).
        tr: The language of the events' titles.
        now: The feed's `DTSTAMP` (aware).

    Returns:
        The `.ics` file.
    """
    export = safe_projection(export)
    cal = TripCalendar.from_export(export)
    stamp = now.astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", export.trip.title)
    # Calendar apps poll a subscription at their own pace; this is a hint, hourly.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    trip_id = export.trip.id
    for event in (
        *_legs(cal, trip_id, stamp),
        *_stays(cal, trip_id, stamp, tr),
        *_flights(cal, trip_id, stamp, tr),
        *_cars(cal, trip_id, stamp, tr),
        *(_commitment(c, cal, export, stamp) for c in export.commitments),
    ):
        calendar.add_component(event)
    # Each zone's rules for the trip's years only: a phone need not parse 70 years.
    calendar.add_missing_timezones(
        first_date=dt.date(cal.start.year - 1, 1, 1), last_date=dt.date(cal.end.year + 2, 1, 1)
    )
    return bytes(calendar.to_ical())
