"""Diff-merges: how a clientRef upsert or a PATCH changes a stored document.

Only supplied fields change; `null` clears an optional field. Legs merge their
`accommodation` and `rentalCar` field by field, replace `flights` whole, and merge
`stays` one by one, matched by `_id` or by `clientRef` (unique per leg).
"""

from __future__ import annotations

from typing import Any

from osoto_bridge.sandbox.errors import Detail, validation_error
from osoto_bridge.sandbox.ids import new_id

_MERGED_OBJECTS = ("accommodation", "rentalCar")


def _without_nulls(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


def merge_flat(old: dict[str, Any], supplied: dict[str, Any]) -> dict[str, Any]:
    """Merge for flat documents (action items, map pins, commitments)."""
    new = dict(old)
    for key, value in supplied.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    return new


def merge_stays(old: list[dict[str, Any]], supplied: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge incoming stays into a leg's stays; unmatched ones are appended."""
    stays = [dict(s) for s in old]
    problems: list[Detail] = []
    for index, incoming in enumerate(supplied):
        stay_id = incoming.get("_id")
        ref = incoming.get("clientRef")
        match = next(
            (
                s
                for s in stays
                if (stay_id is not None and s["_id"] == stay_id)
                or (ref is not None and s.get("clientRef") == ref)
            ),
            None,
        )
        if match is None and stay_id is not None:
            problems.append(Detail(f"stays.{index}._id", "no such stay on this leg"))
            continue
        if match is None:
            stays.append(_without_nulls({**incoming, "_id": new_id()}))
            continue
        fields = {k: v for k, v in incoming.items() if k != "_id"}
        if ref is not None and any(s is not match and s.get("clientRef") == ref for s in stays):
            problems.append(Detail(f"stays.{index}.clientRef", "already used by another stay"))
            continue
        merged = merge_flat(match, fields)
        match.clear()
        match.update(merged)
    if problems:
        raise validation_error(problems)
    return stays


def merge_leg(old: dict[str, Any], supplied: dict[str, Any]) -> dict[str, Any]:
    """Merge a leg body into a stored leg (or into `{}` to create one)."""
    new = dict(old)
    for key, value in supplied.items():
        if key == "stays":
            new["stays"] = merge_stays(old.get("stays", []), value or [])
        elif key in _MERGED_OBJECTS and value is not None:
            new[key] = _without_nulls({**old.get(key, {}), **value})
        elif value is None:
            new.pop(key, None)
        else:
            new[key] = value
    new.setdefault("flights", [])
    new.setdefault("stays", [])
    return new


def check_leg(leg: dict[str, Any]) -> None:
    """Cross-field rules a merged leg must satisfy."""
    problems: list[Detail] = []
    if leg["endDate"] < leg["startDate"]:
        problems.append(Detail("endDate", f"must not be before startDate ({leg['startDate']})"))
    if "accommodation" in leg and "name" not in leg["accommodation"]:
        problems.append(Detail("accommodation.name", "required"))
    if "rentalCar" in leg and "company" not in leg["rentalCar"]:
        problems.append(Detail("rentalCar.company", "required"))
    for index, stay in enumerate(leg["stays"]):
        if "name" not in stay:
            problems.append(Detail(f"stays.{index}.name", "required"))
    if problems:
        raise validation_error(problems)
