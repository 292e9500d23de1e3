"""The watch's memory of a plan: two JSON texts and a schedule that lets its plan go."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from announce_plans import plan

from osoto_bridge.announce import PlanSchedule, due_notices
from osoto_bridge.announce.plan_state import TripPlan, plan_json
from osoto_bridge.osoto import TripExport, safe_projection
from osoto_bridge.store import NotifySettings

LONDON = ZoneInfo("Europe/London")
DINNER_DUE = dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON)


def _projected(mutate: object = None) -> TripExport:
    return safe_projection(plan(mutate))


def _looked_at() -> tuple[TripPlan, PlanSchedule]:
    """A trip after the watch's first look: stored, scheduled, let go."""
    trip = TripPlan()
    trip.take_fetched(_projected())
    trip.mark_stored(1.0)
    schedule = trip.schedule()
    trip.let_go()
    return trip, schedule


def test_an_unchanged_fetch_is_told_by_the_texts_and_keeps_the_schedule() -> None:
    trip, schedule = _looked_at()
    trip.take_fetched(_projected())  # the same plan, fetched again
    assert trip.unchanged
    assert trip.schedule() is schedule  # not worked out again
    assert trip.latest_json is trip.stored_json  # one copy of the text


def test_a_changed_plan_is_parsed_back_equal_and_gets_a_new_schedule() -> None:
    trip, schedule = _looked_at()
    changed = _projected(lambda d: d["actionItems"][0].update(done=True))
    trip.take_fetched(changed)
    assert not trip.unchanged
    assert trip.schedule() is not schedule
    trip.let_go()
    assert trip.latest() == changed
    assert trip.stored() == _projected()


def test_a_stored_snapshot_read_back_is_compared_as_text() -> None:
    trip = TripPlan()
    trip.take_fetched(_projected())
    trip.take_stored(plan_json(_projected()), 2.0)  # e.g. read at a restart
    assert trip.unchanged and trip.stored_at == 2.0
    assert trip.stored_json is trip.latest_json


def test_a_released_schedule_answers_old_and_new_settings() -> None:
    export = _projected()
    reloads: list[int] = []

    def reload() -> TripExport:
        reloads.append(1)
        return TripExport.model_validate_json(plan_json(export))

    schedule = PlanSchedule(export, reload=reload)
    defaults = NotifySettings()
    expected = [n.identity for n in due_notices(export, defaults, DINNER_DUE)]
    assert any(i.startswith("c:c-dinner") for i in expected)
    assert [n.identity for n in schedule.due(defaults, DINNER_DUE)] == expected
    schedule.release()
    assert [n.identity for n in schedule.due(defaults, DINNER_DUE)] == expected
    assert reloads == []  # worked out before the release: no parse
    other = dataclasses.replace(defaults, commitment_lead=1800, brief_at="08:00")
    assert schedule.due(other, DINNER_DUE) == due_notices(export, other, DINNER_DUE)
    assert reloads == [1]  # settings never asked: the plan came back once
