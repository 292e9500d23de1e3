"""Which reminders and briefings are due at an instant: a pure function of the plan.

Every notice has an identity that names what it is about and when that happens
(`c:<commitment id>:<start instant>`), so a commitment moved after its reminder went
out gets a new one for its new time, and a removed one is simply no longer listed.
Times come from the timeline: an event's own time zone, else its leg's.

A notice is due from its moment until the event begins (a briefing: for
`BRIEF_WINDOW` after its time). One found more than `LATE_AFTER` past its moment
(the bridge was down, or the event was added after that moment) is marked late,
and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from osoto_bridge.commands import Reminder, TripCalendar
from osoto_bridge.commands.timeline import Event, EventKind, build_timeline
from osoto_bridge.osoto import Accommodation, Commitment, Flight, TripExport
from osoto_bridge.store import NotifySettings

__all__ = [
    "BRIEF_WINDOW",
    "LATE_AFTER",
    "STAY_MORNING",
    "DueNotice",
    "PlanSchedule",
    "due_notices",
    "next_moment",
]

LATE_AFTER = dt.timedelta(minutes=5)
"""A notice found this long after its moment is marked late."""

BRIEF_WINDOW = dt.timedelta(hours=2)
"""How long after its time a morning briefing is still worth sending."""

STAY_MORNING = dt.time(8, 0)
"""The local time of the check-in / check-out morning note (or the event's, if earlier)."""


@dataclass(frozen=True)
class DueNotice:
    """A notice whose moment has come.

    Attributes:
        identity: What it is about and when (unique per link, persisted when sent).
        due: Its moment (aware).
        reminder: The reminder to render; None for the morning briefing.
        day: The local day a briefing is about.
    """

    identity: str
    due: dt.datetime
    reminder: Reminder | None = None
    day: dt.date | None = None


def _title(event: Event) -> str:
    subject = event.subject
    if isinstance(subject, Flight):
        number = " ".join(p for p in (subject.airline, subject.flight_number) if p)
        route = " → ".join(p for p in (subject.from_, subject.to) if p)
        return number or route or "?"
    if isinstance(subject, (Accommodation, Commitment)):
        return subject.name if isinstance(subject, Accommodation) else subject.title
    return "?"


Candidate = tuple[str, dt.datetime, dt.datetime, Reminder]


def _candidates(
    export: TripExport, calendar: TripCalendar, settings: NotifySettings
) -> Iterator[Candidate]:
    """(identity, moment, event start, reminder) of every reminder the plan holds."""
    for event in build_timeline(export, calendar):
        at = event.at
        if at is None:
            continue
        subject = event.subject
        leg = event.leg.leg.id if event.leg is not None else "-"
        stamp = at.isoformat()
        if event.kind is EventKind.COMMITMENT and isinstance(subject, Commitment):
            if settings.commitment_lead:
                moment = at - dt.timedelta(seconds=settings.commitment_lead)
                yield (
                    f"c:{subject.id}:{stamp}",
                    moment,
                    at,
                    Reminder("commitment", subject.title, at),
                )
        elif event.kind is EventKind.FLIGHT_DEPART and isinstance(subject, Flight):
            if settings.flight_lead:
                moment = at - dt.timedelta(seconds=settings.flight_lead)
                title = _title(event)
                yield (
                    f"f:{leg}:{title}:{stamp}",
                    moment,
                    at,
                    Reminder("flight", title, at, place=subject.from_),
                )
        elif event.kind in (EventKind.CHECK_IN, EventKind.CHECK_OUT) and settings.stay_mornings:
            kind = "check_in" if event.kind is EventKind.CHECK_IN else "check_out"
            morning = dt.datetime.combine(at.date(), STAY_MORNING, tzinfo=at.tzinfo)
            yield (
                f"s:{kind}:{leg}:{_title(event)}:{stamp}",
                min(morning, at),
                at,
                Reminder(kind, _title(event), at),
            )


def _briefing(
    calendar: TripCalendar, settings: NotifySettings, now: dt.datetime
) -> DueNotice | None:
    if settings.brief_at is None:
        return None
    today = calendar.today(now)
    if not calendar.contains(today):
        return None
    clock = dt.time.fromisoformat(settings.brief_at)
    # The zone of the leg the trip is in that day; combine() keeps the wall-clock
    # time across a DST change (08:00 stays 08:00 local).
    due = dt.datetime.combine(today, clock, tzinfo=calendar.zone_on(today))
    if due <= now < due + BRIEF_WINDOW:
        return DueNotice(f"b:{today.isoformat()}", due, day=today)
    return None


class PlanSchedule:
    """One snapshot's reminder moments, worked out once per set of settings.

    The watch looks at every trip every few seconds; the timeline of a plan that did
    not change is not rebuilt for that. Nor is the snapshot kept for it: once
    `release`d, the schedule holds only the moments it worked out, and asks `reload`
    for the snapshot when a new set of settings needs its own.

    Args:
        export: The trip's snapshot (projected).
        reload: Brings the snapshot back after `release` (None: it is never released).
    """

    def __init__(
        self, export: TripExport, *, reload: Callable[[], TripExport] | None = None
    ) -> None:
        self._export: TripExport | None = export
        self._reload = reload
        self._calendar = TripCalendar.from_export(export)
        self._candidates: dict[NotifySettings, list[Candidate]] = {}

    def release(self) -> None:
        """Let the snapshot go (it is reloaded when needed); the moments stay."""
        if self._reload is not None:
            self._export = None

    def _for(self, settings: NotifySettings) -> list[Candidate]:
        found = self._candidates.get(settings)
        if found is None:
            export = self._export
            if export is None:
                assert self._reload is not None  # only a reloadable one is released
                export = self._reload()
            found = sorted(_candidates(export, self._calendar, settings), key=lambda c: c[1])
            self._candidates[settings] = found
        return found

    def due(self, settings: NotifySettings, now: dt.datetime) -> list[DueNotice]:
        """The reminders and briefing due at `now` (see `due_notices`)."""
        notices: list[DueNotice] = []
        if settings.reminders:
            for identity, moment, starts, reminder in self._for(settings):
                if moment > now:
                    break  # sorted by moment: none of the rest is due yet
                if now < starts:
                    late = now - moment > LATE_AFTER
                    shown = Reminder(
                        reminder.kind,
                        reminder.title,
                        reminder.at,
                        reminder.place,
                        late,
                        moment.astimezone(reminder.at.tzinfo),
                    )
                    notices.append(DueNotice(identity, moment, shown))
        brief = _briefing(self._calendar, settings, now)
        if brief is not None:
            notices.append(brief)
        notices.sort(key=lambda notice: notice.due)
        return notices

    def next_moment(self, settings: NotifySettings, now: dt.datetime) -> dt.datetime | None:
        """The earliest reminder moment after `now`, or None."""
        if not settings.reminders:
            return None
        return next((c[1] for c in self._for(settings) if c[1] > now), None)


def due_notices(export: TripExport, settings: NotifySettings, now: dt.datetime) -> list[DueNotice]:
    """The reminders and briefing due at `now` for a chat with these settings.

    Args:
        export: The trip's latest snapshot (projected: sensitive fields never show).
        settings: The chat's notification settings.
        now: The current instant (aware).

    Returns:
        The due notices, earliest moment first; the caller sends each identity once.
    """
    return PlanSchedule(export).due(settings, now)


def next_moment(
    export: TripExport, settings: NotifySettings, now: dt.datetime
) -> dt.datetime | None:
    """The earliest reminder moment after `now` (to wake up for it), or None."""
    return PlanSchedule(export).next_moment(settings, now)
