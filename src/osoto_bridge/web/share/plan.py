"""What the share page shows, prepared from a trip: days, legs, stays, pins, to-dos.

`share_plan` is pure: a snapshot, "now" and a language in, plain values and escaped
fragments out, so the page's content is tested without a server or a browser. It
builds on the commands' own view (`TripView`, with the sensitive-field projection
applied once more on our side: a share export has none, and if Osoto ever sent one
the page still would not show it), their timeline and their wording, so a day reads
on the page as it does in `/where`, in each leg's local time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby, islice

from markupsafe import Markup

from osoto_bridge.commands import TripView
from osoto_bridge.commands.render import (
    event_spans,
    pin_link,
    stay_paragraph,
    urgency_label,
)
from osoto_bridge.commands.stays import stays_of
from osoto_bridge.commands.timeline import Event
from osoto_bridge.osoto import TripExport
from osoto_bridge.text import italic
from osoto_bridge.web.share.html import spans_html

__all__ = ["MAX_DAYS", "DayPlan", "Group", "LegPlan", "SharePlan", "share_plan"]

MAX_DAYS = 120
"""Days the page lists at most (dates typed wrong can make a trip centuries long)."""

_URGENCIES = ("now", "before_trip", "nice_to_have")


@dataclass(frozen=True)
class DayPlan:
    """One day of the itinerary.

    Attributes:
        number: The day of the trip, from 1.
        heading: `Day 3` (empty for a day outside the trip).
        date: The local date.
        label: The date as the language writes it.
        places: The legs the day is in (`London → Berlin`).
        lines: What happens, in time order, as HTML.
        is_today: Whether it is the trip's local today.
    """

    number: int
    heading: str
    date: dt.date
    label: str
    places: str
    lines: tuple[Markup, ...]
    is_today: bool


@dataclass(frozen=True)
class LegPlan:
    """One leg: where, when, in which zone, and its places to sleep (HTML)."""

    title: str
    destination: str
    dates: str
    zone: str
    stays: tuple[Markup, ...]


@dataclass(frozen=True)
class Group:
    """A titled list (map pins of a category, to-dos of an urgency), items as HTML."""

    title: str
    items: tuple[Markup, ...]


@dataclass(frozen=True)
class SharePlan:
    """Everything the page shows, in the page's language."""

    trip_id: str
    title: str
    dates: str
    language: str
    legs: tuple[LegPlan, ...]
    days: tuple[DayPlan, ...]
    pins: tuple[Group, ...]
    todos: tuple[Group, ...]
    members: tuple[str, ...]


def _line(view: TripView, event: Event) -> Markup:
    html = spans_html(event_spans(view, event))
    if event.at is not None:
        # A day of flying mixes zones: each time says whose clock it is.
        zone = event.at.tzname() or ""
        if zone:
            html += Markup(' <span class="tz">{}</span>').format(zone)
    return html


def _places(view: TripView, day: dt.date) -> str:
    names = [span.leg.title or span.leg.destination or "" for span in view.calendar.legs_on(day)]
    return " → ".join(dict.fromkeys(name for name in names if name))


def _days(view: TripView) -> tuple[DayPlan, ...]:
    by_day = {day: list(events) for day, events in groupby(view.timeline, key=lambda e: e.day)}
    cal = view.calendar
    days = list(islice(cal.days(), MAX_DAYS))
    # Events dated outside the trip (an early flight) still show, on their own day.
    extra = sorted(d for d in by_day if not cal.contains(d))
    out = []
    for day in sorted({*days, *extra[:MAX_DAYS]}):
        out.append(
            DayPlan(
                number=cal.day_number(day),
                heading=view.tr.gettext("Day {n}", n=cal.day_number(day))
                if cal.contains(day)
                else "",
                date=day,
                label=view.tr.full_day(day),
                places=_places(view, day),
                lines=tuple(_line(view, event) for event in by_day.get(day, ())),
                is_today=day == view.today,
            )
        )
    return tuple(out)


def _legs(view: TripView) -> tuple[LegPlan, ...]:
    out = []
    for span in view.calendar.legs:
        leg = span.leg
        out.append(
            LegPlan(
                title=leg.title,
                destination=leg.destination or "",
                dates=view.tr.date_range(span.start, span.end),
                zone=str(getattr(span.tz, "key", span.tz)),
                stays=tuple(
                    spans_html(stay_paragraph(view, place, span.tz).spans)
                    for place in stays_of(span)
                ),
            )
        )
    return tuple(out)


def _pins(view: TripView) -> tuple[Group, ...]:
    pins = list(view.export.map_pins)
    order = list(dict.fromkeys(pin.category or "" for pin in pins))
    groups = []
    for category in order:
        items = []
        for pin in (p for p in pins if (p.category or "") == category):
            spans = [pin_link(pin)]
            if pin.notes:
                spans += [" · ", italic(pin.notes)]
            items.append(spans_html(spans))
        title = category.capitalize() if category else view.tr.gettext("Other places")
        groups.append(Group(title, tuple(items)))
    return tuple(groups)


def _todos(view: TripView) -> tuple[Group, ...]:
    open_items = [item for item in view.export.action_items if not item.done]
    groups = []
    for urgency in (*_URGENCIES, None):
        texts = [
            spans_html([item.text])
            for item in open_items
            if (item.urgency == urgency if urgency else item.urgency not in _URGENCIES)
        ]
        if texts:
            groups.append(Group(urgency_label(view.tr, urgency or ""), tuple(texts)))
    return tuple(groups)


def share_plan(export: TripExport, *, now: dt.datetime, language: str) -> SharePlan:
    """Prepare a shared trip for its page.

    Args:
        export: The share export (projected again here, whatever it holds).
        now: The current instant (marks today).
        language: The page's language.

    Returns:
        The page's content.
    """
    view = TripView.of(export, now=now, language=language, show_sensitive=False, is_group=True)
    cal = view.calendar
    return SharePlan(
        trip_id=view.export.trip.id,
        title=view.export.trip.title,
        dates=view.tr.date_range(cal.start, cal.end),
        language=view.tr.language,
        legs=_legs(view),
        days=_days(view),
        pins=_pins(view),
        todos=_todos(view),
        members=tuple(member.name for member in view.export.members),
    )
