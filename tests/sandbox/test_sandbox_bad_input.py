"""Bad input is always a 400 naming the field, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sandbox_support import BASE_URL, FakeClock, World, assert_error, build_world, leg_body

from osoto_bridge.sandbox import Sandbox

_TRIP = {"groupId": "G", "title": "T", "startDate": "2026-07-15", "endDate": "2026-07-22"}
_PIN = {"name": "P", "lat": 1.5, "lng": 2.5}
_ITEM = {"text": "T", "urgency": "now"}
_EVENT = {"title": "E", "startDate": "2026-07-16", "category": "dinner"}

# (method, path under the trip ("" = /trips), JSON body or raw bytes, query, bad field)
CASES: list[tuple[str, str, Any, dict[str, str], str]] = [
    ("POST", "", b'{"title": "x",', {}, "body"),
    ("POST", "", b"[" * 50_000 + b"]" * 50_000, {}, "body"),
    ("POST", "", b"\xff\xfe\x00", {}, "body"),
    ("POST", "", [1, 2], {}, "body"),
    ("POST", "", "just a string", {}, "body"),
    ("POST", "", {**_TRIP, "title": 5}, {}, "title"),
    ("POST", "", {**_TRIP, "title": "  "}, {}, "title"),
    ("POST", "", {**_TRIP, "title": "x" * 201}, {}, "title"),
    ("POST", "", {**_TRIP, "startDate": "2026-02-30"}, {}, "startDate"),
    ("POST", "", {**_TRIP, "startDate": "15/07/2026"}, {}, "startDate"),
    ("POST", "", {**_TRIP, "endDate": "2026-13-01"}, {}, "endDate"),
    ("POST", "", {**_TRIP, "surprise": True}, {}, "surprise"),
    ("PATCH", "", {"status": "archived"}, {}, "status"),
    ("PATCH", "", {"endDate": "2026-07-01"}, {}, "endDate"),
    ("POST", "/legs", leg_body(timezone="Mars/Olympus_Mons"), {}, "timezone"),
    ("POST", "/legs", leg_body(timezone="../../etc/passwd"), {}, "timezone"),
    ("POST", "/legs", leg_body(timezone=""), {}, "timezone"),
    ("POST", "/legs", leg_body(order="1"), {}, "order"),
    ("POST", "/legs", leg_body(order=1.5), {}, "order"),
    ("POST", "/legs", leg_body(order=-1), {}, "order"),
    ("POST", "/legs", leg_body(endDate="2026-07-14"), {}, "endDate"),
    ("POST", "/legs", leg_body(accommodation={"name": "H", "checkIn": "tomorrow"}), {},
     "accommodation.checkIn"),
    ("POST", "/legs", leg_body(accommodation={"address": "x"}), {}, "accommodation.name"),
    ("POST", "/legs", leg_body(flights=[{"flightNumber": "X"}]), {}, "flights.0.from"),
    ("POST", "/legs", leg_body(flights="JL1"), {}, "flights"),
    ("POST", "/legs", leg_body(rentalCar={"pickupAt": "2026-07-15T25:00", "company": "A"}), {},
     "rentalCar.pickupAt"),
    ("POST", "/map-pins", {**_PIN, "lat": 90.5}, {}, "lat"),
    ("POST", "/map-pins", {**_PIN, "lng": -180.01}, {}, "lng"),
    ("POST", "/map-pins", {**_PIN, "lat": "1.5"}, {}, "lat"),
    ("POST", "/map-pins", b'{"name": "P", "lat": NaN, "lng": 1}', {}, "lat"),
    ("POST", "/map-pins", b'{"name": "P", "lat": 1e999, "lng": 1}', {}, "lat"),
    ("POST", "/map-pins", {"lat": 1, "lng": 1}, {}, "name"),
    ("POST", "/action-items", {**_ITEM, "urgency": "later"}, {}, "urgency"),
    ("POST", "/action-items", {**_ITEM, "done": "yes"}, {}, "done"),
    ("POST", "/action-items", {**_ITEM, "owner": "jx7stranger"}, {}, "owner"),
    ("POST", "/commitments", {**_EVENT, "category": "party"}, {}, "category"),
    ("POST", "/commitments", {**_EVENT, "startTime": "7pm"}, {}, "startTime"),
    ("POST", "/commitments", {**_EVENT, "endTime": "24:00"}, {}, "endTime"),
    ("POST", "/commitments", {**_EVENT, "timezone": "Europe/Londres"}, {}, "timezone"),
    ("POST", "/commitments", {**_EVENT, "isAllDay": 1}, {}, "isAllDay"),
    ("POST", "/commitments", {**_EVENT, "mapPinId": "jx7nopin"}, {}, "mapPinId"),
    ("POST", "/legs:batch", {"items": "nope"}, {}, "items"),
    ("POST", "/legs:batch", {"items": [1]}, {}, "items.0"),
    ("POST", "/legs:batch", {}, {}, "items"),
    ("POST", "/sync", {"legs": {}}, {}, "legs"),
    ("POST", "/sync", {}, {"dryRun": "perhaps"}, "dryRun"),
    ("POST", "/channels/{general}/messages", {"content": ""}, {}, "content"),
    ("POST", "/channels/{general}/messages", {"content": "x" * 8001}, {}, "content"),
    ("POST", "/channels/{general}/messages", {"content": ["x"]}, {}, "content"),
    ("POST", "/channels/{general}/messages", {"content": "x", "parentId": 7}, {}, "parentId"),
    ("GET", "/channels/{general}/messages", None, {"limit": "0"}, "limit"),
    ("GET", "/channels/{general}/messages", None, {"limit": "101"}, "limit"),
    ("GET", "/channels/{general}/messages", None, {"limit": "ten"}, "limit"),
    ("GET", "/channels/{general}/messages", None, {"cursor": "AAAA"}, "cursor"),
    ("GET", "/legs", None, {"limit": "201"}, "limit"),
    ("GET", "/commitments", None, {"cursor": "bm9wZQ"}, "cursor"),
    ("GET", "/members", None, {"cursor": "%%%"}, "cursor"),
]  # fmt: skip


@pytest.fixture(scope="module")
def table_world() -> Iterator[World]:
    # Shared by the whole table: every request here is refused, so none changes it.
    with Sandbox(":memory:", rate_limit=1_000_000, clock=FakeClock()) as sb:
        yield build_world(sb)


@pytest.fixture
async def table_client(table_world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=table_world.sb.app),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {table_world.alice_key}"},
    ) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body", "query", "field"), CASES)
async def test_bad_input_is_a_400_naming_the_field(
    table_client: httpx.AsyncClient,
    table_world: World,
    method: str,
    path: str,
    body: Any,
    query: dict[str, str],
    field: str,
) -> None:
    world = table_world
    url = (f"/trips/{world.trip}" + path if path or method != "POST" else "/trips").replace(
        "{general}", world.general
    )
    if isinstance(body, dict) and body.get("groupId") == "G":
        body = {**body, "groupId": world.group}
    kwargs: dict[str, Any] = {"params": query}
    if isinstance(body, bytes):
        kwargs.update(content=body, headers={"Content-Type": "application/json"})
    elif body is not None:
        kwargs["json"] = body
    response = await table_client.request(method, url, **kwargs)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [d["path"] for d in error["details"]], error
    assert all(d["reason"] for d in error["details"])


async def test_the_table_changed_nothing(
    table_client: httpx.AsyncClient, table_world: World
) -> None:
    export = (await table_client.get(f"/trips/{table_world.trip}/export")).json()
    assert export["trip"]["title"] == "Cotswolds" and export["trip"]["endDate"] == "2026-07-22"
    assert not any(export[k] for k in ("legs", "mapPins", "actionItems", "commitments"))
