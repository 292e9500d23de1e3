"""What the trip says unasked: a digest of plan changes, reminders, and the settings.

Pure functions from typed changes and reminders to neutral documents; the
announcement scheduler (`osoto_bridge.announce`) decides when, and sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from osoto_bridge.commands.plan_diff import ChangeKind, PlanChange
from osoto_bridge.commands.render import SpanLike, rich
from osoto_bridge.i18n import Translator
from osoto_bridge.store import NotifySettings
from osoto_bridge.text import Document, bold, bullet_list, doc, heading, paragraph

__all__ = [
    "Reminder",
    "ReminderKind",
    "answer_digest",
    "answer_notify_settings",
    "answer_reminder",
    "format_lead",
]

ReminderKind = str
"""`commitment`, `flight`, `check_in` or `check_out`."""


@dataclass(frozen=True)
class Reminder:
    """One reminder to post.

    Attributes:
        kind: `commitment`, `flight`, `check_in` or `check_out`.
        title: The commitment's title, the flight's number, the stay's name.
        at: The event's local start (aware, in the event's zone).
        place: The departure airport of a flight, the address of a stay.
        late: It is sent well after its moment (the bridge was down then, or the
            event was added after it).
        due: Its moment, in the event's zone (shown when late).
    """

    kind: ReminderKind
    title: str
    at: dt.datetime
    place: str | None = None
    late: bool = False
    due: dt.datetime | None = None


def format_lead(tr: Translator, seconds: int) -> str:
    """A lead time as people say it: `30 min`, `3 h`, `1 h 30 min`, `1 day`."""
    if seconds % 86400 == 0:
        return tr.ngettext("{n} day", "{n} days", seconds // 86400)
    hours, minutes = divmod(seconds // 60, 60)
    if hours and minutes:
        return tr.gettext("{h} h {m} min", h=hours, m=minutes)
    if hours:
        return tr.gettext("{h} h", h=hours)
    return tr.gettext("{m} min", m=minutes)


def _when(tr: Translator, value: object) -> str:
    if isinstance(value, dt.datetime):
        return tr.day_time(value)
    if isinstance(value, dt.date):
        return tr.day(value)
    if isinstance(value, tuple) and len(value) == 2:
        start, end = value
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            return tr.date_range(start, end, year=False)
    return tr.gettext("no date")


def _change_line(tr: Translator, change: PlanChange) -> list[SpanLike]:
    name = bold(change.title)
    kind = change.kind
    after = _when(tr, change.after) if change.after is not None else ""
    before = _when(tr, change.before) if change.before is not None else ""
    if kind is ChangeKind.LEG_ADDED:
        return rich(tr.gettext("New leg: {name} ({dates})"), name=name, dates=after)
    if kind is ChangeKind.LEG_REDATED:
        return rich(
            tr.gettext("Leg {name} re-dated: {old} → {new}"), name=name, old=before, new=after
        )
    if kind is ChangeKind.LEG_REMOVED:
        return rich(tr.gettext("Leg removed: {name}"), name=name)
    if kind is ChangeKind.STAY_CHANGED:
        return rich(tr.gettext("Stay changed: {name} ({leg})"), name=name, leg=change.detail or "")
    if kind is ChangeKind.COMMITMENT_ADDED:
        return rich(tr.gettext("New: {name}, {when}"), name=name, when=after)
    if kind is ChangeKind.COMMITMENT_MOVED:
        return rich(tr.gettext("Moved: {name}, {old} → {new}"), name=name, old=before, new=after)
    if kind is ChangeKind.COMMITMENT_REMOVED:
        return rich(tr.gettext("Cancelled: {name}"), name=name)
    if kind is ChangeKind.TODO_ADDED:
        return rich(tr.gettext("New to-do: {name}"), name=name)
    if kind is ChangeKind.TODO_DONE:
        if change.detail:
            return rich(
                tr.gettext("Done: {name} (by {owner})"), name=name, owner=bold(change.detail)
            )
        return rich(tr.gettext("Done: {name}"), name=name)
    if kind is ChangeKind.TODO_REMOVED:
        return rich(tr.gettext("To-do removed: {name}"), name=name)
    if kind is ChangeKind.PIN_ADDED:
        return rich(tr.gettext("New place on the map: {name}"), name=name)
    return rich(tr.gettext("{name} joined the trip"), name=name)


def answer_digest(tr: Translator, changes: Sequence[PlanChange]) -> Document:
    """The digest of what changed in the plan, one line per change, in order.

    Args:
        tr: The chat's language.
        changes: The changes (from `diff_plans`, possibly several grouped).

    Returns:
        The digest.
    """
    title = tr.ngettext(
        "The plan changed: {n} update", "The plan changed: {n} updates", len(changes)
    )
    return doc(heading(title), bullet_list(*(_change_line(tr, c) for c in changes)))


def answer_reminder(tr: Translator, reminder: Reminder, *, now: dt.datetime) -> Document:
    """A reminder: what, when (local time of the event), and how soon.

    Args:
        tr: The chat's language.
        reminder: What to remind of.
        now: The current instant, for "in 45 minutes".

    Returns:
        The reminder.
    """
    when = tr.day_time(reminder.at)
    soon = tr.ago(reminder.at - now)
    name = bold(reminder.title)
    if reminder.kind == "flight":
        spans = rich(
            tr.gettext("✈️ Flight {name} departs {soon} from {place}, {when}."),
            name=name,
            soon=soon,
            place=bold(reminder.place or "?"),
            when=when,
        )
    elif reminder.kind == "check_in":
        spans = rich(
            tr.gettext("🏨 Check-in today at {name}, {when}."),
            name=name,
            when=tr.time(reminder.at.time()),
        )
    elif reminder.kind == "check_out":
        spans = rich(
            tr.gettext("🧳 Check-out today at {name}, {when}."),
            name=name,
            when=tr.time(reminder.at.time()),
        )
    else:
        spans = rich(
            tr.gettext("⏰ {name} starts {soon}, {when}."), name=name, soon=soon, when=when
        )
    blocks = [paragraph(*spans)]
    if reminder.late and reminder.due is not None:
        note = tr.gettext("(Sent late: it was due at {time}.)", time=tr.time(reminder.due.time()))
        blocks.append(paragraph(note))
    return doc(*blocks)


def answer_notify_settings(
    tr: Translator, settings: NotifySettings, *, prefix: str = "/"
) -> Document:
    """What the chat receives, as `/notify`, `/remind` and `/brief` show it.

    Args:
        tr: The chat's language.
        settings: The link's settings.
        prefix: `/` or the Slack command followed by a space.

    Returns:
        The overview, with how to change each line.
    """
    on, off = tr.gettext("on"), tr.gettext("off")
    lead = settings.commitment_lead
    flight = settings.flight_lead
    reminders_on = settings.reminders
    lines: list[list[SpanLike]] = [
        rich(tr.gettext("Plan changes: {state}"), state=bold(on if settings.changes else off)),
        rich(
            tr.gettext("Reminders before commitments: {state}"),
            state=bold(format_lead(tr, lead) if reminders_on and lead else off),
        ),
        rich(
            tr.gettext("Reminders before flights: {state}"),
            state=bold(format_lead(tr, flight) if reminders_on and flight else off),
        ),
        rich(
            tr.gettext("Check-in and check-out mornings: {state}"),
            state=bold(on if reminders_on and settings.stay_mornings else off),
        ),
        rich(
            tr.gettext("Morning briefing: {state}"),
            state=bold(settings.brief_at or off),
        ),
    ]
    hint = tr.gettext(
        "Change (chat admins): {p}notify changes off, {p}remind 30m, "
        "{p}remind flights 4h, {p}remind off, {p}brief 08:00, {p}brief off"
    ).replace("{p}", prefix)
    return doc(heading(tr.gettext("Notifications")), bullet_list(*lines), paragraph(hint))
