"""`/next` (the coming 48 hours) and `/plan` (the itinerary by date)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby, islice

from osoto_bridge.commands.render import SpanLike, event_spans, rich, trip_dates
from osoto_bridge.commands.timeline import Event, upcoming
from osoto_bridge.commands.view import TripView
from osoto_bridge.text import Block, Document, bold, bullet_list, doc, heading, paragraph

__all__ = ["MAX_PLAN_DAYS", "NEXT_HOURS", "answer_next", "answer_plan"]

NEXT_HOURS = 48
"""How far `/next` looks ahead."""

MAX_PLAN_DAYS = 120
"""Days `/plan` shows at most, from the trip's first day (dates typed wrong can make a
trip centuries long)."""


def _event_line(view: TripView, event: Event) -> list[SpanLike]:
    spans = event_spans(view, event, with_day=True)
    if event.at is not None and event.until is not None and event.at <= view.now < event.until:
        spans = rich(view.tr.gettext("Now: {event}"), event=spans)
    return spans


def answer_next(view: TripView) -> Document:
    """Answer `/next`: what starts in the next 48 hours or is under way.

    Args:
        view: The snapshot as the chat may see it.

    Returns:
        The answer; when nothing is coming, the next thing after the window.
    """
    tr = view.tr
    title = heading(tr.ngettext("Next {n} hour", "Next {n} hours", NEXT_HOURS))
    soon = upcoming(view.timeline, view.now, hours=NEXT_HOURS, calendar=view.calendar)
    if soon:
        return doc(title, bullet_list(*(_event_line(view, e) for e in soon)))
    blocks: list[Block] = [title, paragraph(tr.gettext("Nothing in the next 48 hours."))]
    later = [e for e in view.timeline if (e.at is not None and e.at > view.now)]
    later += [e for e in view.timeline if e.at is None and e.day > view.today]
    if later:
        first = min(later, key=lambda e: (e.day, e.sort_key()))
        event = event_spans(view, first, with_day=True)
        blocks.append(paragraph(*rich(tr.gettext("Next up: {event}"), event=event)))
    if view.today < view.calendar.start:
        days = (view.calendar.start - view.today).days
        blocks.append(
            paragraph(
                tr.ngettext("The trip starts in {n} day.", "The trip starts in {n} days.", days)
            )
        )
    return doc(*blocks)


def _places(view: TripView, day: dt.date) -> str:
    names = [span.leg.destination or span.leg.title for span in view.calendar.legs_on(day)]
    return " → ".join(dict.fromkeys(names))


def answer_plan(view: TripView) -> Document:
    """Answer `/plan`: the itinerary day by day.

    Days with nothing scheduled in the same place are folded into one line
    (`Jul 15 – 17 · Tokyo`).

    Args:
        view: The snapshot as the chat may see it.

    Returns:
        The answer.
    """
    tr = view.tr
    cal = view.calendar
    by_day = {day: list(events) for day, events in groupby(view.timeline, key=lambda e: e.day)}
    days = sorted(set(islice(cal.days(), MAX_PLAN_DAYS)) | set(by_day))
    shown, hidden = days[:MAX_PLAN_DAYS], days[MAX_PLAN_DAYS:]
    blocks: list[Block] = [heading(view.export.trip.title, " · ", trip_dates(view))]
    quiet: list[dt.date] = []

    def flush() -> None:
        for place, run in groupby(quiet, key=lambda d: _places(view, d)):
            run_days = list(run)
            label = tr.day(run_days[0])
            if len(run_days) > 1:
                label = tr.date_range(run_days[0], run_days[-1], year=False)
            blocks.append(paragraph(bold(label), f" · {place}" if place else ""))
        quiet.clear()

    for day in shown:
        events = by_day.get(day, [])
        if not events:
            quiet.append(day)
            continue
        flush()
        place = _places(view, day)
        blocks.append(paragraph(bold(tr.day(day)), f" · {place}" if place else ""))
        blocks.append(bullet_list(*(event_spans(view, e) for e in events)))
    flush()
    if hidden or cal.length > MAX_PLAN_DAYS:
        blocks.append(
            paragraph(
                tr.gettext(
                    "The plan stops at {day}; /where shows any later day.",
                    day=tr.full_day(shown[-1]),
                )
            )
        )
    if not view.export.legs and not view.timeline:
        blocks.append(paragraph(tr.gettext("Nothing is planned yet.")))
    return doc(*blocks)
