"""Reminders and briefings at the right local moment (injected instants only)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from announce_plans import plan

from osoto_bridge.announce import due_notices, next_moment
from osoto_bridge.commands import answer_reminder, translator
from osoto_bridge.store import NotifySettings
from osoto_bridge.text import render_plain

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
DEFAULTS = NotifySettings()


def _ids(now: dt.datetime, settings: NotifySettings = DEFAULTS, mutate: Any = None) -> list[str]:
    return [n.identity for n in due_notices(plan(mutate), settings, now)]


def test_commitment_reminder_an_hour_before_in_its_legs_zone() -> None:
    # Dinner 19:30 London time (BST, UTC+1) on Oct 24: due at 18:30 London.
    before = dt.datetime(2026, 10, 24, 18, 29, tzinfo=LONDON)
    at = dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON)
    assert not any(i.startswith("c:c-dinner") for i in _ids(before))
    assert any(i.startswith("c:c-dinner") for i in _ids(at))
    started = dt.datetime(2026, 10, 24, 19, 30, tzinfo=LONDON)
    assert not any(i.startswith("c:c-dinner") for i in _ids(started))


def test_tokyo_after_london_uses_tokyo_time() -> None:
    # Sushi at 20:00 Tokyo on Oct 29 (the leg after London): 19:00 JST is 10:00 UTC.
    due = dt.datetime(2026, 10, 29, 10, 0, tzinfo=dt.UTC)
    assert any(i.startswith("c:c-sushi") for i in _ids(due))
    assert not any(i.startswith("c:c-sushi") for i in _ids(due - dt.timedelta(minutes=1)))


def test_across_the_dst_change_the_local_time_holds() -> None:
    # London leaves BST on Oct 25, 2026. A 09:00 commitment on Oct 26 is 09:00 GMT.
    def edit(d: dict[str, Any]) -> None:
        d["commitments"].append(
            {
                "_id": "c-tour",
                "title": "Tour",
                "startDate": "2026-10-26",
                "startTime": "09:00",
                "legId": "lon",
            }
        )

    assert any(
        i.startswith("c:c-tour")
        for i in _ids(dt.datetime(2026, 10, 26, 8, 0, tzinfo=dt.UTC), mutate=edit)
    )
    assert not any(
        i.startswith("c:c-tour")
        for i in _ids(dt.datetime(2026, 10, 26, 7, 59, tzinfo=dt.UTC), mutate=edit)
    )


def test_flight_reminder_three_hours_before_with_airport() -> None:
    now = dt.datetime(2026, 10, 27, 16, 0, tzinfo=LONDON)
    (flight,) = [n for n in due_notices(plan(), DEFAULTS, now) if n.identity.startswith("f:")]
    assert flight.reminder is not None and flight.reminder.place == "LHR"
    text = render_plain(answer_reminder(translator("en"), flight.reminder, now=now))
    assert "JL 42" in text and "LHR" in text and "7:00" in text and "in 3 hours" in text
    assert "CONF" not in text


def test_a_moved_commitment_gets_a_new_identity_and_a_removed_one_none() -> None:
    now = dt.datetime(2026, 10, 24, 18, 45, tzinfo=LONDON)
    (old,) = [i for i in _ids(now) if i.startswith("c:c-dinner")]

    def moved(d: dict[str, Any]) -> None:
        d["commitments"][0]["startTime"] = "19:40"

    (new,) = [i for i in _ids(now, mutate=moved) if i.startswith("c:c-dinner")]
    assert new != old

    def removed(d: dict[str, Any]) -> None:
        del d["commitments"][0]

    assert not any(i.startswith("c:c-dinner") for i in _ids(now, mutate=removed))


def test_late_reminder_says_so_and_none_once_started() -> None:
    late = dt.datetime(2026, 10, 24, 19, 10, tzinfo=LONDON)
    (notice,) = [n for n in due_notices(plan(), DEFAULTS, late) if n.identity.startswith("c:")]
    assert notice.reminder is not None and notice.reminder.late
    text = render_plain(answer_reminder(translator("en"), notice.reminder, now=late))
    assert (
        "Sent late: it was due at 6:30\u202fPM" in text
        or "Sent late: it was due at 6:30 PM" in text
    )
    # The time is read 삼십 (a consonant): no fixed 였 after it, no particle at all.
    korean = render_plain(answer_reminder(translator("ko"), notice.reminder, now=late))
    assert "(늦게 보냄: 원래 알림 시각 오후 6:30)" in korean
    on_time = dt.datetime(2026, 10, 24, 18, 31, tzinfo=LONDON)
    (fresh,) = [n for n in due_notices(plan(), DEFAULTS, on_time) if n.identity.startswith("c:")]
    assert fresh.reminder is not None and not fresh.reminder.late


def test_custom_leads_and_off() -> None:
    now = dt.datetime(2026, 10, 24, 19, 0, tzinfo=LONDON)
    short = dataclasses.replace(DEFAULTS, commitment_lead=120)
    assert not any(i.startswith("c:") for i in _ids(now, short))
    assert any(
        i.startswith("c:") for i in _ids(dt.datetime(2026, 10, 24, 19, 28, tzinfo=LONDON), short)
    )
    off = dataclasses.replace(DEFAULTS, reminders=False)
    assert _ids(dt.datetime(2026, 10, 24, 19, 28, tzinfo=LONDON), off) == []


def test_check_in_morning() -> None:
    morning = dt.datetime(2026, 10, 22, 8, 0, tzinfo=LONDON)
    ids = _ids(morning)
    assert any(i.startswith("s:check_in:lon") for i in ids)
    assert not any(i.startswith("s:") for i in _ids(morning - dt.timedelta(minutes=1)))


def test_briefing_at_local_time_of_the_day_s_leg() -> None:
    brief = dataclasses.replace(DEFAULTS, brief_at="08:00", reminders=False)
    # Oct 30 in Tokyo: 08:00 JST is 23:00 UTC the day before.
    due = dt.datetime(2026, 10, 29, 23, 0, tzinfo=dt.UTC)
    (notice,) = due_notices(plan(), brief, due)
    assert notice.identity == "b:2026-10-30" and notice.day == dt.date(2026, 10, 30)
    assert due_notices(plan(), brief, due - dt.timedelta(minutes=1)) == []
    # London after the end of BST: 08:00 GMT is 08:00 UTC.
    (london,) = due_notices(plan(), brief, dt.datetime(2026, 10, 26, 8, 0, tzinfo=dt.UTC))
    assert london.identity == "b:2026-10-26"
    # off by default
    assert due_notices(plan(), dataclasses.replace(DEFAULTS, reminders=False), due) == []


def test_next_moment_is_the_earliest_future_reminder() -> None:
    now = dt.datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)
    assert next_moment(plan(), DEFAULTS, now) == dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON)


def test_korean_reminder() -> None:
    now = dt.datetime(2026, 10, 24, 18, 30, tzinfo=LONDON)
    (notice,) = [n for n in due_notices(plan(), DEFAULTS, now) if n.identity.startswith("c:")]
    assert notice.reminder is not None
    text = render_plain(answer_reminder(translator("ko"), notice.reminder, now=now))
    assert "⏰ Dinner at Dishoom 시작" in text and "1시간 후" in text and "오후 7:30" in text
