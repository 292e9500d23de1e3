"""List answers are read whatever envelope variant the server uses."""

from __future__ import annotations

from typing import Any

import pytest

from osoto_bridge.osoto.envelope import parse_page, unwrap_object
from osoto_bridge.osoto.models import Leg, Message


def msg(n: int) -> dict[str, Any]:
    return {"_id": f"m{n}", "_creationTime": 1000.0 + n, "content": f"#{n}"}


@pytest.mark.parametrize(
    ("body", "cursor", "has_more"),
    [
        ({"data": [msg(1), msg(2)], "nextCursor": "c2", "hasMore": True}, "c2", True),
        ({"items": [msg(1), msg(2)], "cursor": "c2", "hasMore": False}, "c2", False),
        ({"page": [msg(1), msg(2)], "continueCursor": "c2", "isDone": False}, "c2", True),
        ({"page": [msg(1), msg(2)], "continueCursor": "c2", "isDone": True}, "c2", False),
        ({"data": [msg(1), msg(2)], "nextCursor": None, "hasMore": False}, None, False),
        ({"data": [msg(1), msg(2)], "nextCursor": "c2"}, "c2", True),
        ({"data": [], "nextCursor": "c2"}, "c2", False),
        ([msg(1), msg(2)], None, False),
    ],
)
def test_envelope_variants(body: Any, cursor: str | None, has_more: bool) -> None:
    page = parse_page(body, Message, chronological=True)
    assert [m.id for m in page.data] == ([] if not _items(body) else ["m1", "m2"])
    assert page.next_cursor == cursor
    assert page.has_more is has_more


def _items(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    return next(v for k, v in body.items() if k in ("data", "items", "page"))


def test_newest_first_messages_are_turned_oldest_first() -> None:
    page = parse_page({"data": [msg(3), msg(2), msg(1)]}, Message, chronological=True)
    assert [m.id for m in page.data] == ["m1", "m2", "m3"]
    unordered = parse_page({"data": [msg(3), msg(2), msg(1)]}, Message)
    assert [m.id for m in unordered.data] == ["m3", "m2", "m1"]


def test_no_list_and_bad_items_are_errors() -> None:
    with pytest.raises(ValueError):
        parse_page({"nothing": 1}, Leg)
    with pytest.raises(ValueError):
        parse_page({"data": [{"_id": "x"}]}, Leg)


def test_unwrap_object_only_unwraps_wrappers() -> None:
    trip = {"_id": "t", "title": "x"}
    assert unwrap_object(trip, "trip") is trip
    assert unwrap_object({"data": trip}) is trip
    assert unwrap_object({"trip": trip}, "trip") is trip
    export = {"trip": trip, "legs": []}
    assert unwrap_object(export) is export
