"""Each kind of plan change lands in the digest, in order, without secrets."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from announce_plans import SECRET, plan

from osoto_bridge.commands import ChangeKind, answer_digest, diff_plans, translator
from osoto_bridge.text import render_plain


def _kinds(new: Any) -> list[ChangeKind]:
    return [c.kind for c in diff_plans(plan(), plan(new))]


def test_an_unchanged_plan_has_no_changes() -> None:
    assert diff_plans(plan(), plan()) == []


def test_each_kind_of_change() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["legs"].append(
            {
                "_id": "kyo",
                "order": 2,
                "title": "Kyoto",
                "startDate": "2026-11-02",
                "endDate": "2026-11-04",
                "timezone": "Asia/Tokyo",
            }
        )
        d["legs"][1]["endDate"] = "2026-11-01"
        d["legs"][0]["accommodation"]["checkOut"] = "2026-10-27T12:00"
        d["commitments"][0]["startTime"] = "20:30"
        del d["commitments"][1]
        d["commitments"].append(
            {"_id": "c-new", "title": "Tea", "startDate": "2026-10-30", "startTime": "15:00"}
        )
        d["actionItems"][0]["done"] = True
        del d["actionItems"][1]
        d["actionItems"].append({"_id": "t-new", "text": "Pack adapters"})
        d["mapPins"].append({"_id": "p2", "name": "Tsukiji", "lat": 35.6, "lng": 139.7})
        d["members"].append({"userId": "u-cy", "name": "Cy", "role": "viewer"})

    changes = diff_plans(plan(), plan(edit))
    assert [c.kind for c in changes] == sorted(
        [
            ChangeKind.LEG_ADDED,
            ChangeKind.LEG_REDATED,
            ChangeKind.STAY_CHANGED,
            ChangeKind.COMMITMENT_ADDED,
            ChangeKind.COMMITMENT_MOVED,
            ChangeKind.COMMITMENT_REMOVED,
            ChangeKind.TODO_ADDED,
            ChangeKind.TODO_DONE,
            ChangeKind.TODO_REMOVED,
            ChangeKind.PIN_ADDED,
            ChangeKind.MEMBER_JOINED,
        ]
    )
    done = next(c for c in changes if c.kind is ChangeKind.TODO_DONE)
    assert done.detail == "Bo"  # the owner's name, not the id
    text = render_plain(answer_digest(translator("en"), changes))
    assert "11 updates" in text
    assert "Done: Buy rail passes (by Bo)" in text
    assert "Moved: Dinner at Dishoom" in text and "7:30" in text and "8:30" in text
    assert "Cancelled: Sushi" in text
    assert "New leg: Kyoto" in text


def test_leg_removed() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["legs"][1]
        d["commitments"][1]["legId"] = None

    assert ChangeKind.LEG_REMOVED in _kinds(edit)


def test_a_moved_commitment_is_told_in_its_legs_zone() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["commitments"][1]["startTime"] = "21:00"

    (moved,) = diff_plans(plan(), plan(edit))
    assert isinstance(moved.before, dt.datetime) and isinstance(moved.after, dt.datetime)
    assert moved.after.tzinfo == ZoneInfo("Asia/Tokyo")
    assert (moved.before.hour, moved.after.hour) == (20, 21)


def test_sensitive_fields_neither_show_nor_count_as_changes() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["legs"][0]["accommodation"]["doorCode"] = "new-code"
        d["legs"][0]["flights"][0]["confirmationNumber"] = "CONF-NEW"

    assert diff_plans(plan(), plan(edit)) == []

    def also_move(d: dict[str, Any]) -> None:
        edit(d)
        d["legs"][0]["accommodation"]["checkIn"] = "2026-10-22T16:00"

    changes = diff_plans(plan(), plan(also_move))
    text = render_plain(answer_digest(translator("en"), changes))
    assert SECRET not in text and "new-code" not in text and "CONF" not in text


def test_korean_digest() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actionItems"][0]["done"] = True
        d["commitments"][0]["startTime"] = "20:30"

    text = render_plain(answer_digest(translator("ko"), diff_plans(plan(), plan(edit))))
    assert "일정이 바뀌었습니다: 2건" in text
    assert "완료: Buy rail passes (Bo)" in text
    assert "시간 변경: Dinner at Dishoom" in text
    assert "오후 8:30" in text
