"""A trip's happenings in time order: flights, rental cars, check-ins and commitments.

Each event carries its local date and time (as written, in its leg's or its own time
zone) and, when the time is known, the aware instant, so `/where` can list a day,
`/plan` the whole trip and `/next` the coming 48 hours from one list.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from osoto_bridge.commands.stays import stays_of
from osoto_bridge.commands.tripclock import LegSpan, TripCalendar, localize, zone
from osoto_bridge.osoto import Accommodation, Commitment, Flight, RentalCar, TripExport

__all__ = [
    "Event",
    "EventKind",
    "build_timeline",
    "events_on",
    "parse_clock",
    "stays_of",
    "upcoming",
]


class EventKind(enum.IntEnum):
    """What happens; the value orders events that share a minute."""

    CHECK_OUT = 0
    CAR_DROPOFF = 1
    FLIGHT_DEPART = 2
    FLIGHT_ARRIVE = 3
    CAR_PICKUP = 4
    CHECK_IN = 5
    COMMITMENT = 6


Subject = Flight | RentalCar | Accommodation | Commitment


@dataclass(frozen=True)
class Event:
    """One happening.

    Attributes:
        kind: What happens.
        day: The local date.
        time: The local wall-clock time (naive); None for all-day or untimed events.
        at: The aware instant when the time is known.
        until: The aware end (commitments with an end time).
        subject: The flight, car, stay or commitment.
        leg: The leg it belongs to, if any.
    """

    kind: EventKind
    day: dt.date
    time: dt.time | None
    at: dt.datetime | None
    subject: Subject
    leg: LegSpan | None = None
    until: dt.datetime | None = None

    def sort_key(self) -> tuple[dt.date, int, float, int]:
        """Local date, then all-day events first, then the instant, then kind.

        Within a day the instant orders events, not the wall clock, because a day
        of flying mixes zones: a 21:00 departure from Tokyo precedes an 11:00
        car pick-up in Honolulu on the same date.
        """
        instant = self.at.timestamp() if self.at is not None else 0.0
        return (self.day, 0 if self.at is None else 1, instant, self.kind)


def parse_clock(value: str | None) -> dt.time | None:
    """Parse a `HH:mm` time of day; None when missing or unparsable."""
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError:
        return None


def _at(kind: EventKind, value: str | None, subject: Subject, span: LegSpan) -> Event | None:
    moment = localize(value, span.tz)
    if moment is None:
        return None
    return Event(kind, moment.date(), moment.time(), moment, subject, span)


def _leg_events(span: LegSpan) -> Iterator[Event | None]:
    for flight in span.leg.flights:
        depart = _at(EventKind.FLIGHT_DEPART, flight.depart_at, flight, span)
        arrive = _at(EventKind.FLIGHT_ARRIVE, flight.arrive_at, flight, span)
        yield depart
        # An arrival on the departure's date is told with the departure.
        if arrive is not None and (depart is None or arrive.day != depart.day):
            yield arrive
    car = span.leg.rental_car
    if car is not None:
        yield _at(EventKind.CAR_PICKUP, car.pickup_at, car, span)
        yield _at(EventKind.CAR_DROPOFF, car.dropoff_at, car, span)
    for place in stays_of(span):
        yield _at(EventKind.CHECK_IN, place.check_in, place, span)
        yield _at(EventKind.CHECK_OUT, place.check_out, place, span)


def _commitment_event(commitment: Commitment, calendar: TripCalendar) -> Event:
    span = calendar.span_of(commitment.leg_id)
    tz = zone(commitment.timezone) or (span.tz if span else calendar.zone_on(commitment.start_date))
    day = commitment.start_date
    start = None if commitment.is_all_day else parse_clock(commitment.start_time)
    end = None if commitment.is_all_day else parse_clock(commitment.end_time)
    at = until = None
    if start is not None:
        at = dt.datetime.combine(day, start, tzinfo=tz)
        if end is not None:
            until = dt.datetime.combine(day, end, tzinfo=tz)
            if until <= at:  # 22:00-01:00 ends the next day
                until += dt.timedelta(days=1)
    return Event(
        EventKind.COMMITMENT,
        day,
        start,
        at,
        commitment,
        span,
        until,
    )


def build_timeline(export: TripExport, calendar: TripCalendar) -> list[Event]:
    """Every dated happening of a trip, in time order.

    Args:
        export: The (possibly projected) snapshot.
        calendar: Its calendar.

    Returns:
        The events, sorted by local date and time. Unparsable date-times are left out.
    """
    events: list[Event] = []
    for span in calendar.legs:
        events.extend(e for e in _leg_events(span) if e is not None)
    events.extend(_commitment_event(c, calendar) for c in export.commitments)
    events.sort(key=Event.sort_key)
    return events


def events_on(events: Iterable[Event], day: dt.date) -> list[Event]:
    """The events of one local date."""
    return [e for e in events if e.day == day]


def upcoming(
    events: Sequence[Event], now: dt.datetime, *, hours: float, calendar: TripCalendar
) -> list[Event]:
    """Events starting within the next `hours`, or under way now.

    Timed events count from their instant; all-day events from their date, which must
    fall between the trip's local today and the window's last local day.

    Args:
        events: The timeline.
        now: The current instant (aware).
        hours: The window's length.
        calendar: The trip's calendar, which says what "today" is.

    Returns:
        The events in time order (all-day events first on their day).
    """
    tz = calendar.zone_at(now)
    horizon = now + dt.timedelta(hours=hours)
    today, last_day = now.astimezone(tz).date(), horizon.astimezone(tz).date()
    chosen = []
    for event in events:
        if event.at is not None:
            ongoing = event.until is not None and event.at <= now < event.until
            if ongoing or now <= event.at <= horizon:
                chosen.append(event)
        elif event.time is None and today <= event.day <= last_day:
            chosen.append(event)

    def key(event: Event) -> dt.datetime:
        return event.at or dt.datetime.combine(event.day, dt.time.min, tzinfo=tz)

    chosen.sort(key=key)
    return chosen
