"""`/where [day]`: the leg, the stay, the transport and the commitments of one day."""

from __future__ import annotations

import datetime as dt

from osoto_bridge.commands.days import (
    DayResolution,
    DayStatus,
    parse_day,
    resolve_day,
)
from osoto_bridge.commands.render import (
    SpanLike,
    address_url,
    event_spans,
    stay_paragraph,
    trip_dates,
)
from osoto_bridge.commands.timeline import EventKind, events_on, stays_of
from osoto_bridge.commands.tripclock import LegSpan, localize
from osoto_bridge.commands.view import TripView
from osoto_bridge.osoto import Accommodation
from osoto_bridge.text import Block, Document, bold, bullet_list, doc, heading, link, paragraph

__all__ = ["answer_where"]

_STAY_KINDS = (EventKind.CHECK_IN, EventKind.CHECK_OUT)


def _sleeps_there(place: Accommodation, span: LegSpan, day: dt.date) -> bool:
    """Whether a place matters on a day: the group sleeps there or checks out."""
    check_in = localize(place.check_in, span.tz)
    check_out = localize(place.check_out, span.tz)
    if check_in is not None and day < check_in.date():
        return False
    return not (check_out is not None and day > check_out.date())


def _leg_blocks(view: TripView, span: LegSpan, day: dt.date) -> list[Block]:
    tr = view.tr
    leg = span.leg
    title: list[SpanLike] = ["📍 ", bold(leg.destination or leg.title)]
    if leg.destination and leg.title and leg.title != leg.destination:
        title.append(f" · {leg.title}")
    url = address_url(leg.destination)
    if url:
        title += [" · ", link(url, tr.gettext("map"))]
    blocks: list[Block] = [paragraph(*title)]
    places = [p for p in stays_of(span) if _sleeps_there(p, span, day)]
    blocks.extend(stay_paragraph(view, place, span.tz) for place in places)
    if not places and not stays_of(span):
        blocks.append(paragraph(tr.gettext("No accommodation on this leg yet.")))
    return blocks


def _outside_note(view: TripView, resolution: DayResolution, asked: str) -> str | None:
    tr = view.tr
    cal = view.calendar
    dates = trip_dates(view)
    status = resolution.status
    if status is DayStatus.BEFORE_TRIP and resolution.day is not None:
        days = (cal.start - resolution.day).days
        return tr.ngettext(
            "{day} is {n} day before the trip ({dates}).",
            "{day} is {n} days before the trip ({dates}).",
            days,
            day=tr.full_day(resolution.day),
            dates=dates,
        )
    if status is DayStatus.AFTER_TRIP and resolution.day is not None:
        return tr.gettext(
            "{day} is after the trip ({dates}).", day=tr.full_day(resolution.day), dates=dates
        )
    if status is DayStatus.NO_SUCH_WEEKDAY and resolution.weekday is not None:
        weekday = tr.weekday_name(resolution.weekday)
        if resolution.trip_over:
            return tr.gettext(
                "The trip is over: it ran {dates}.",
                dates=dates,
            )
        if resolution.today < cal.start:
            return tr.gettext("The trip ({dates}) has no {weekday}.", dates=dates, weekday=weekday)
        return tr.gettext(
            "There is no {weekday} left in the trip ({dates}).", dates=dates, weekday=weekday
        )
    if status is DayStatus.AMBIGUOUS and resolution.candidates:
        options = tr.gettext(" or ").join(tr.full_day(d) for d in resolution.candidates)
        return tr.gettext(
            "“{text}” could be {options}. Please write the date in full, like {example}.",
            text=asked,
            options=options,
            example=resolution.candidates[0].isoformat(),
        )
    if status is DayStatus.AMBIGUOUS:
        return tr.gettext(
            "“{text}” means different days in different languages. "
            "Please write the day in full, like tuesday or 화요일.",
            text=asked,
        )
    if status is DayStatus.UNKNOWN:
        if resolution.invalid_date:
            return tr.gettext("“{text}” is not a date in the calendar.", text=asked)
        return tr.gettext("I don't know which day “{text}” is.", text=asked)
    return None


def _examples(view: TripView) -> str:
    # The dated examples name a day of this trip (two days on, or its nearest end),
    # so trying one answers with a plan rather than "after the trip".
    cal = view.calendar
    day = min(max(view.today + dt.timedelta(days=2), cal.start), cal.end)
    return view.tr.gettext(
        "Try: /where, /where tomorrow, /where tue, /where 화요일, "
        "/where {iso}, /where {short}, /where day 3.",
        iso=day.isoformat(),
        short=f"{day.month}/{day.day}",
    )


def _title(view: TripView, day: dt.date) -> SpanLike:
    tr = view.tr
    cal = view.calendar
    name = tr.full_day(day)
    if cal.contains(day):
        return tr.gettext(
            "{day} · day {number} of {total}",
            day=name,
            number=cal.day_number(day),
            total=cal.length,
        )
    return name


def _day_blocks(view: TripView, day: dt.date) -> list[Block]:
    tr = view.tr
    blocks: list[Block] = []
    spans = view.calendar.legs_on(day)
    for span in spans:
        blocks.extend(_leg_blocks(view, span, day))
    events = [e for e in events_on(view.timeline, day) if e.kind not in _STAY_KINDS]
    if events:
        blocks.append(bullet_list(*(event_spans(view, e) for e in events)))
    if not spans and view.calendar.contains(day):
        blocks.append(paragraph(tr.gettext("No leg of the trip covers this day.")))
    if not spans and not events and view.calendar.contains(day):
        blocks.append(paragraph(tr.gettext("Nothing is planned for this day yet.")))
    return blocks


def answer_where(view: TripView, day_text: str = "") -> Document:
    """Answer `/where [day]`.

    Args:
        view: The snapshot as the chat may see it.
        day_text: The day as typed (empty for today).

    Returns:
        The answer: the day's leg, stay, transport and commitments, or a helpful
        note with the trip's dates when the day is outside the trip or unclear.
    """
    tr = view.tr
    query = parse_day(day_text, tr.language)
    resolution = resolve_day(query, view.calendar, view.now)
    asked = day_text.strip()[:64]
    note = _outside_note(view, resolution, asked)
    day = resolution.day
    if day is None:
        blocks: list[Block] = [paragraph(note or "")]
        if resolution.status is DayStatus.UNKNOWN:
            blocks.append(paragraph(_examples(view)))
        else:
            blocks.append(paragraph(tr.gettext("The trip runs {dates}.", dates=trip_dates(view))))
        return doc(*blocks)
    content = _day_blocks(view, day)
    blocks = [heading(_title(view, day))]
    if note:
        blocks.append(paragraph(note))
        if not content:
            if resolution.status is DayStatus.BEFORE_TRIP:
                hint = tr.gettext("Try /where day 1 for the trip's first day.")
                blocks.append(paragraph(hint))
            return doc(*blocks)
    return doc(*blocks, *content)
