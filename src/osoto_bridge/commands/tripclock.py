"""Where a trip is in time: its days, its legs' time zones, and what "today" means.

"Today" is the date in the time zone of the leg the trip is in. On the day of a
change of leg two legs can claim the moment with different local dates (a flight
across the date line); the earlier leg keeps it until the later one shows it has
begun: its local date is past its first day, or one of its flights has landed
(arrivals are written in the arriving leg's time, the wire format's convention).
Before the trip, the first leg's zone counts; after it, the last leg's; between legs,
the nearest leg's. A trip without legs falls back to its first commitment's zone,
then UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from osoto_bridge.osoto import Leg, TripExport, parse_local_datetime

__all__ = ["UTC", "LegSpan", "TripCalendar", "localize", "zone"]

UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone of a name, or None when the name is missing or unknown.

    Args:
        name: An IANA name such as `Asia/Tokyo`, typed by a person.

    Returns:
        The zone, or None.
    """
    if not name or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError/OSError: keys such as "../x" or with NUL bytes are refused or
        # fail to open; to us they are just unknown zones.
        return None


def localize(value: str | None, tz: dt.tzinfo) -> dt.datetime | None:
    """Turn a leg date-time string into an aware datetime.

    Args:
        value: `YYYY-MM-DDTHH:mm`, local to the leg, or with an explicit offset.
        tz: The leg's zone, used when the string has no offset.

    Returns:
        The aware datetime, or None when the string is missing or unparsable.
    """
    parsed = parse_local_datetime(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=tz)
    return parsed


@dataclass(frozen=True)
class LegSpan:
    """A leg reduced to what the calendar needs.

    Attributes:
        leg: The leg itself.
        start: Its first day.
        end: Its last day (never before `start`).
        tz: Its zone (UTC when the leg's zone is missing or unknown).
    """

    leg: Leg
    start: dt.date
    end: dt.date
    tz: dt.tzinfo

    def covers(self, day: dt.date) -> bool:
        """Whether the leg includes a day."""
        return self.start <= day <= self.end

    def local_date(self, now: dt.datetime) -> dt.date:
        """The date of an instant in this leg's zone."""
        return now.astimezone(self.tz).date()

    def has_begun(self, now: dt.datetime) -> bool:
        """Whether the group has evidently reached this leg (see the module docstring)."""
        if self.local_date(now) > self.start:
            return True
        for flight in self.leg.flights:
            landed = localize(flight.arrive_at, self.tz)
            if landed is not None and landed <= now:
                return True
        return False


def _as_aware(now: dt.datetime) -> dt.datetime:
    # Callers pass aware datetimes; a naive one is taken as UTC rather than the
    # host's local time, which would make answers depend on the server.
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TripCalendar:
    """A trip's dates and legs, for day arithmetic in the right time zones.

    Attributes:
        start: The trip's first day.
        end: The trip's last day (never before `start`).
        legs: The legs in trip order.
        fallback_tz: The zone used when no leg applies.
    """

    start: dt.date
    end: dt.date
    legs: tuple[LegSpan, ...]
    fallback_tz: dt.tzinfo

    @classmethod
    def from_export(cls, export: TripExport) -> TripCalendar:
        """Build the calendar of a snapshot, tolerating reversed or odd dates.

        Args:
            export: The trip snapshot.

        Returns:
            The calendar.
        """
        trip = export.trip
        start, end = sorted((trip.start_date, trip.end_date))
        spans = []
        for leg in sorted(export.legs, key=lambda leg: (leg.order, leg.start_date)):
            leg_start, leg_end = sorted((leg.start_date, leg.end_date))
            spans.append(LegSpan(leg, leg_start, leg_end, zone(leg.timezone) or UTC))
        fallback: dt.tzinfo = UTC
        if spans:
            fallback = spans[0].tz
        else:
            for commitment in export.commitments:
                found = zone(commitment.timezone)
                if found is not None:
                    fallback = found
                    break
        return cls(start, end, tuple(spans), fallback)

    @property
    def length(self) -> int:
        """The number of days of the trip."""
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        """Whether a day is one of the trip's days."""
        return self.start <= day <= self.end

    def day_number(self, day: dt.date) -> int:
        """The 1-based day of the trip a date is (may be < 1 or > length)."""
        return (day - self.start).days + 1

    def days(self) -> Iterator[dt.date]:
        """The trip's days in order."""
        for offset in range(self.length):
            yield self.start + dt.timedelta(days=offset)

    def current_leg(self, now: dt.datetime) -> LegSpan | None:
        """The leg the trip is in at an instant, or None outside every leg."""
        now = _as_aware(now)
        matches = [span for span in self.legs if span.covers(span.local_date(now))]
        if not matches:
            return None
        begun = [span for span in matches[1:] if span.has_begun(now)]
        return begun[-1] if begun else matches[0]

    def zone_at(self, now: dt.datetime) -> dt.tzinfo:
        """The zone that decides what "today" is at an instant."""
        now = _as_aware(now)
        current = self.current_leg(now)
        if current is not None:
            return current.tz
        if not self.legs:
            return self.fallback_tz

        def distance(span: LegSpan) -> int:
            local = span.local_date(now)
            if local < span.start:
                return (span.start - local).days
            return (local - span.end).days

        # Nearest leg; ties go to the earlier one (min keeps the first).
        return min(self.legs, key=distance).tz

    def today(self, now: dt.datetime) -> dt.date:
        """The trip's local date at an instant.

        Args:
            now: The instant (aware; naive is taken as UTC).

        Returns:
            The date in the zone of the leg the trip is in (see the module docstring).
        """
        now = _as_aware(now)
        return now.astimezone(self.zone_at(now)).date()

    def legs_on(self, day: dt.date) -> Sequence[LegSpan]:
        """The legs that include a day, in trip order."""
        return [span for span in self.legs if span.covers(day)]

    def zone_on(self, day: dt.date) -> dt.tzinfo:
        """The zone of a day: its last leg's (where the group sleeps), else the fallback."""
        legs = self.legs_on(day)
        return legs[-1].tz if legs else self.fallback_tz

    def span_of(self, leg_id: str | None) -> LegSpan | None:
        """The leg with an id, if the trip has it."""
        if leg_id is None:
            return None
        for span in self.legs:
            if span.leg.id == leg_id:
                return span
        return None
