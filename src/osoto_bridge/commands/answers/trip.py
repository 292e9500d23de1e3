"""`/trip`: the summary and the countdown."""

from __future__ import annotations

from osoto_bridge.commands.render import SpanLike, rich, trip_dates
from osoto_bridge.commands.view import TripView
from osoto_bridge.text import Block, Document, bold, bullet_list, doc, heading, paragraph

__all__ = ["answer_trip", "countdown"]


def countdown(view: TripView) -> str:
    """Where the trip stands today: `Starts in 12 days`, `Day 3 of 9`, `Ended 2 days ago`."""
    tr = view.tr
    cal = view.calendar
    today = view.today
    if today < cal.start:
        days = (cal.start - today).days
        if days == 1:
            return tr.gettext("Starts tomorrow.")
        return tr.ngettext("Starts in {n} day.", "Starts in {n} days.", days)
    if today > cal.end:
        days = (today - cal.end).days
        if days == 1:
            return tr.gettext("Ended yesterday.")
        return tr.ngettext("Ended {n} day ago.", "Ended {n} days ago.", days)
    return tr.gettext("Day {number} of {total}.", number=cal.day_number(today), total=cal.length)


def _status_label(view: TripView) -> str:
    tr = view.tr
    labels = {
        "draft": tr.gettext("draft"),
        "active": tr.gettext("active"),
        "completed": tr.gettext("completed"),
    }
    return labels.get(view.export.trip.status, view.export.trip.status)


def answer_trip(view: TripView) -> Document:
    """Answer `/trip`: title, dates, status, countdown, legs and counts.

    Args:
        view: The snapshot as the chat may see it.

    Returns:
        The answer.
    """
    tr = view.tr
    export = view.export
    blocks: list[Block] = [
        heading("🧳 ", export.trip.title),
        paragraph(
            bold(trip_dates(view)),
            " · ",
            _status_label(view),
            "\n",
            countdown(view),
        ),
    ]
    current = view.calendar.current_leg(view.now)
    if current is not None:
        place = current.leg.destination or current.leg.title
        blocks.append(paragraph(*rich(tr.gettext("Now in {place}."), place=bold(place))))
    if view.calendar.legs:
        legs: list[list[SpanLike]] = []
        for span in view.calendar.legs:
            name = span.leg.destination or span.leg.title
            legs.append([bold(name), " · ", tr.date_range(span.start, span.end, year=False)])
        blocks.append(bullet_list(*legs))
    open_items = [item for item in export.action_items if not item.done]
    urgent = sum(1 for item in open_items if item.urgency == "now")
    counts = [
        tr.ngettext("{n} open to-do", "{n} open to-dos", len(open_items)),
        tr.ngettext("{n} urgent", "{n} urgent", urgent),
        tr.ngettext("{n} event", "{n} events", len(export.commitments)),
        tr.ngettext("{n} map pin", "{n} map pins", len(export.map_pins)),
        tr.ngettext("{n} member", "{n} members", len(export.members)),
    ]
    blocks.append(paragraph(" · ".join(counts)))
    return doc(*blocks)
