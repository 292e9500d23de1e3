"""What changed between two snapshots of a trip, as a list of typed changes.

Both snapshots go through `safe_projection` first, so no change can carry (or be
caused by) a sensitive field: a door code edited in Osoto is no news for the group.
Everything is compared by Osoto id; times are taken from the timeline, so a
commitment's old and new times are in its own time zone, else its leg's.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from osoto_bridge.commands.timeline import EventKind, build_timeline, stays_of
from osoto_bridge.commands.tripclock import TripCalendar
from osoto_bridge.osoto import Accommodation, Commitment, TripExport, safe_projection

__all__ = ["ChangeKind", "PlanChange", "diff_plans"]


class ChangeKind(enum.IntEnum):
    """What happened; the value orders a digest (legs first, members last)."""

    LEG_ADDED = 0
    LEG_REDATED = 1
    LEG_REMOVED = 2
    STAY_CHANGED = 3
    COMMITMENT_ADDED = 4
    COMMITMENT_MOVED = 5
    COMMITMENT_REMOVED = 6
    TODO_ADDED = 7
    TODO_DONE = 8
    TODO_REMOVED = 9
    PIN_ADDED = 10
    MEMBER_JOINED = 11


@dataclass(frozen=True)
class PlanChange:
    """One change of the plan.

    Attributes:
        kind: What happened.
        entity_id: The Osoto id of what changed (the bot's own writes are matched on it).
        title: The leg's, stay's, commitment's, to-do's, pin's or member's name.
        before: The old dates or local time (re-dated legs, moved commitments).
        after: The new dates or local time (also: an added leg's or commitment's).
        detail: The leg of a stay; the owner's name of a to-do marked done.
    """

    kind: ChangeKind
    entity_id: str
    title: str
    before: tuple[dt.date, dt.date] | dt.datetime | dt.date | None = None
    after: tuple[dt.date, dt.date] | dt.datetime | dt.date | None = None
    detail: str | None = None


def _commitment_times(export: TripExport) -> dict[str, dt.datetime | dt.date]:
    """Each commitment's local start (aware), or its day when it has no time."""
    times: dict[str, dt.datetime | dt.date] = {}
    for event in build_timeline(export, TripCalendar.from_export(export)):
        if event.kind is EventKind.COMMITMENT and isinstance(event.subject, Commitment):
            times[event.subject.id] = event.at if event.at is not None else event.day
    return times


def _stays(export: TripExport) -> dict[tuple[str, str], tuple[str, Accommodation]]:
    calendar = TripCalendar.from_export(export)
    found: dict[tuple[str, str], tuple[str, Accommodation]] = {}
    for span in calendar.legs:
        for place in stays_of(span):
            found[(span.leg.id, place.name.strip().casefold())] = (span.leg.title, place)
    return found


def _stay_shape(place: Accommodation) -> tuple[str | None, str | None, str | None]:
    return (place.address, place.check_in, place.check_out)


def _legs(old: TripExport, new: TripExport) -> Iterator[PlanChange]:
    before = {leg.id: leg for leg in old.legs}
    after = {leg.id: leg for leg in new.legs}
    for leg_id, leg in after.items():
        dates = (leg.start_date, leg.end_date)
        if leg_id not in before:
            yield PlanChange(ChangeKind.LEG_ADDED, leg_id, leg.title, after=dates)
            continue
        previous = before[leg_id]
        old_dates = (previous.start_date, previous.end_date)
        if old_dates != dates:
            yield PlanChange(ChangeKind.LEG_REDATED, leg_id, leg.title, old_dates, dates)
    for leg_id, leg in before.items():
        if leg_id not in after:
            yield PlanChange(ChangeKind.LEG_REMOVED, leg_id, leg.title)


def _stay_changes(old: TripExport, new: TripExport) -> Iterator[PlanChange]:
    before = _stays(old)
    after = _stays(new)
    old_legs = {leg.id for leg in old.legs}
    new_legs = {leg.id for leg in new.legs}
    for key, (leg_title, place) in after.items():
        # A new leg's stays come with the leg: the digest says "leg added" once.
        if key[0] not in old_legs:
            continue
        if key not in before or _stay_shape(before[key][1]) != _stay_shape(place):
            yield PlanChange(ChangeKind.STAY_CHANGED, key[0], place.name, detail=leg_title)
    for key, (leg_title, place) in before.items():
        if key not in after and key[0] in new_legs:
            yield PlanChange(ChangeKind.STAY_CHANGED, key[0], place.name, detail=leg_title)


def _commitments(old: TripExport, new: TripExport) -> Iterator[PlanChange]:
    before = {c.id: c for c in old.commitments}
    after = {c.id: c for c in new.commitments}
    old_times = _commitment_times(old)
    new_times = _commitment_times(new)
    for cid, commitment in after.items():
        if cid not in before:
            yield PlanChange(
                ChangeKind.COMMITMENT_ADDED, cid, commitment.title, after=new_times.get(cid)
            )
        elif old_times.get(cid) != new_times.get(cid):
            yield PlanChange(
                ChangeKind.COMMITMENT_MOVED,
                cid,
                commitment.title,
                before=old_times.get(cid),
                after=new_times.get(cid),
            )
    for cid, commitment in before.items():
        if cid not in after:
            yield PlanChange(
                ChangeKind.COMMITMENT_REMOVED, cid, commitment.title, before=old_times.get(cid)
            )


def _todos(old: TripExport, new: TripExport) -> Iterator[PlanChange]:
    before = {item.id: item for item in old.action_items}
    after = {item.id: item for item in new.action_items}
    names = {m.user_id: m.name for m in new.members if m.user_id is not None}
    for item_id, item in after.items():
        previous = before.get(item_id)
        if previous is None:
            yield PlanChange(ChangeKind.TODO_ADDED, item_id, item.text)
        elif item.done and not previous.done:
            owner = names.get(item.owner or "")
            yield PlanChange(ChangeKind.TODO_DONE, item_id, item.text, detail=owner)
    for item_id, item in before.items():
        if item_id not in after:
            yield PlanChange(ChangeKind.TODO_REMOVED, item_id, item.text)


def _pins_and_members(old: TripExport, new: TripExport) -> Iterator[PlanChange]:
    pins = {pin.id for pin in old.map_pins}
    for pin in new.map_pins:
        if pin.id not in pins:
            yield PlanChange(ChangeKind.PIN_ADDED, pin.id, pin.name)
    members = {m.user_id or m.name for m in old.members}
    for member in new.members:
        if (member.user_id or member.name) not in members:
            yield PlanChange(ChangeKind.MEMBER_JOINED, member.user_id or member.name, member.name)


def diff_plans(old: TripExport, new: TripExport) -> list[PlanChange]:
    """Every change from one snapshot of a trip to the next, in digest order.

    Args:
        old: The snapshot the bridge stored last.
        new: The one just fetched.

    Returns:
        The changes, legs first, then stays, commitments, to-dos, pins and members;
        empty when nothing a group should hear about changed.
    """
    safe_old, safe_new = safe_projection(old), safe_projection(new)
    parts: Iterable[Iterator[PlanChange]] = (
        _legs(safe_old, safe_new),
        _stay_changes(safe_old, safe_new),
        _commitments(safe_old, safe_new),
        _todos(safe_old, safe_new),
        _pins_and_members(safe_old, safe_new),
    )
    changes = [change for part in parts for change in part]
    changes.sort(key=lambda change: change.kind)
    return changes
