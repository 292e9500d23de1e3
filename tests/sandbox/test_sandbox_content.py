"""Seed: legs, action items, commitments, map pins; clientRef merges, batches, sync."""

from __future__ import annotations

from typing import Any

import httpx
from sandbox_support import World, assert_error, leg_body


async def test_seed_curl_legs_batch(alice: httpx.AsyncClient, world: World) -> None:
    response = await alice.post(f"/trips/{world.trip}/legs:batch", json={"items": [leg_body()]})
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["index"] == 0 and result["status"] == "created"
    legs = (await alice.get(f"/trips/{world.trip}/legs")).json()
    assert legs["data"][0]["_id"] == result["id"]
    assert legs["data"][0]["clientRef"] == "leg-tok-1"
    assert legs["data"][0]["flights"] == [] and legs["data"][0]["stays"] == []
    assert legs["nextCursor"] is None and legs["hasMore"] is False


async def test_leg_client_ref_diff_merges_only_supplied_fields(
    alice: httpx.AsyncClient, world: World
) -> None:
    url = f"/trips/{world.trip}/legs"
    created = await alice.post(
        url,
        json=leg_body(
            accommodation={"name": "Hotel", "doorCode": "1234", "wifiPassword": "pw"},
            rentalCar={"company": "Hertz", "pickupLocation": "NRT"},
            flights=[
                {"flightNumber": "JL1", "from": "LHR", "to": "HND", "departAt": "2026-07-14T10:00"}
            ],
        ),
    )
    assert created.status_code == 201
    merged = await alice.post(
        url, json=leg_body(title="Tokyo again", accommodation={"doorCode": "9999"})
    )
    assert merged.status_code == 200
    leg = merged.json()
    assert leg["_id"] == created.json()["_id"]
    assert leg["title"] == "Tokyo again"
    assert leg["accommodation"] == {"name": "Hotel", "doorCode": "9999", "wifiPassword": "pw"}
    assert leg["rentalCar"] == {"company": "Hertz", "pickupLocation": "NRT"}
    assert leg["flights"][0]["flightNumber"] == "JL1"
    assert len((await alice.get(url)).json()["data"]) == 1


async def test_patch_merges_and_null_clears(alice: httpx.AsyncClient, world: World) -> None:
    leg = (await alice.post(f"/trips/{world.trip}/legs", json=leg_body(
        accommodation={"name": "Hotel", "address": "1 St"}, rentalCar={"company": "Avis"}
    ))).json()  # fmt: skip
    url = f"/trips/{world.trip}/legs/{leg['_id']}"
    patched = (
        await alice.patch(url, json={"rentalCar": None, "accommodation": {"address": None}})
    ).json()
    assert "rentalCar" not in patched
    assert patched["accommodation"] == {"name": "Hotel"}
    refused = await alice.patch(url, json={"title": None, "endDate": "2026-07-01"})
    error = assert_error(refused, 400, "VALIDATION_ERROR")
    assert [d["path"] for d in error["details"]] == ["title"]
    backwards = await alice.patch(url, json={"endDate": "2026-07-01"})
    assert assert_error(backwards, 400, "VALIDATION_ERROR")["details"][0]["path"] == "endDate"


async def test_stays_merge_by_client_ref_per_leg(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/legs"
    stay = {"clientRef": "s1", "name": "Ryokan", "doorCode": "11"}
    first = (await alice.post(url, json=leg_body(stays=[stay]))).json()
    other = (await alice.post(url, json=leg_body(clientRef="leg-2", stays=[stay]))).json()
    assert first["stays"][0]["_id"] != other["stays"][0]["_id"]  # unique per leg only
    again = (await alice.post(url, json=leg_body(stays=[{"clientRef": "s1", "doorCode": "22"},
                                                        {"name": "Capsule"}]))).json()  # fmt: skip
    assert [s["name"] for s in again["stays"]] == ["Ryokan", "Capsule"]
    assert again["stays"][0]["doorCode"] == "22"
    assert again["stays"][0]["_id"] == first["stays"][0]["_id"]
    by_id = await alice.patch(
        f"{url}/{first['_id']}",
        json={"stays": [{"_id": first["stays"][0]["_id"], "address": "Kyoto"}]},
    )
    assert by_id.json()["stays"][0]["address"] == "Kyoto"
    unknown = await alice.patch(f"{url}/{first['_id']}", json={"stays": [{"_id": "jx7nope"}]})
    assert assert_error(unknown, 400, "VALIDATION_ERROR")["details"][0]["path"] == "stays.0._id"
    nameless = await alice.post(url, json=leg_body(clientRef="leg-3", stays=[{"address": "x"}]))
    assert assert_error(nameless, 400, "VALIDATION_ERROR")["details"][0]["path"] == "stays.0.name"


async def test_batch_partial_success_is_207_and_failed_items_write_nothing(
    alice: httpx.AsyncClient, world: World
) -> None:
    items = [
        {"text": "Book", "urgency": "now", "clientRef": "a"},
        {"text": "Pack", "urgency": "someday"},
        {"text": "Pay", "urgency": "before_trip", "owner": world.eve},
        {"text": "Book tickets", "urgency": "now", "clientRef": "a"},
    ]
    response = await alice.post(f"/trips/{world.trip}/action-items:batch", json={"items": items})
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "updated"]
    assert results[0]["id"] == results[3]["id"]
    assert results[1]["error"]["code"] == "VALIDATION_ERROR"
    assert results[1]["error"]["details"][0]["path"] == "urgency"
    assert results[2]["error"]["details"] == [
        {"path": "owner", "reason": "must be the id of a member of this trip"}
    ]
    data = (await alice.get(f"/trips/{world.trip}/action-items")).json()["data"]
    assert [(i["text"], i["done"]) for i in data] == [("Book tickets", False)]


async def test_batch_over_50_items_is_400(alice: httpx.AsyncClient, world: World) -> None:
    items = [{"name": f"P{i}", "lat": 0, "lng": 0} for i in range(51)]
    response = await alice.post(f"/trips/{world.trip}/map-pins:batch", json={"items": items})
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"][0]["path"] == "items"
    ok = await alice.post(f"/trips/{world.trip}/map-pins:batch", json={"items": items[:50]})
    assert ok.status_code == 200
    assert len(ok.json()["results"]) == 50


def _sync_body() -> dict[str, Any]:
    return {
        "legs": [leg_body(), leg_body(clientRef="leg-2", endDate="2026-07-01")],
        "mapPins": [
            {"name": "Sensoji", "lat": 35.7148, "lng": 139.7967, "clientRef": "pin-sensoji"}
        ],
        "actionItems": [{"text": "JR pass", "urgency": "before_trip", "clientRef": "jr"}],
    }


def _without_created_ids(report: dict[str, Any]) -> dict[str, Any]:
    stripped = {}
    for key in ("legs", "actionItems", "mapPins"):
        results = [{k: v for k, v in r.items() if r["status"] != "created" or k != "id"}
                   for r in report[key]["results"]]  # fmt: skip
        stripped[key] = {**report[key], "results": results}
    return stripped


async def test_seed_curl_sync_dry_run_writes_nothing_and_matches_real_run(
    alice: httpx.AsyncClient, world: World
) -> None:
    old = {"name": "Old", "lat": 1, "lng": 1, "clientRef": "pin-sensoji", "notes": "keep"}
    await alice.post(f"/trips/{world.trip}/map-pins", json=old)
    before = (await alice.get(f"/trips/{world.trip}/export")).json()
    url = f"/trips/{world.trip}/sync"
    dry = await alice.post(url, params={"dryRun": "true"}, json=_sync_body())
    assert dry.status_code == 207
    assert dry.json()["dryRun"] is True
    assert (await alice.get(f"/trips/{world.trip}/export")).json() == before
    real = await alice.post(url, json=_sync_body())
    assert real.status_code == 207
    assert real.json()["dryRun"] is False
    assert _without_created_ids(dry.json()) == _without_created_ids(real.json())
    report = real.json()
    assert (report["legs"]["created"], report["legs"]["errors"]) == (1, 1)
    assert report["mapPins"]["updated"] == 1
    assert report["legs"]["results"][1]["error"]["details"][0]["path"] == "endDate"
    pins = (await alice.get(f"/trips/{world.trip}/map-pins")).json()["data"]
    assert [(p["name"], p["notes"]) for p in pins] == [("Sensoji", "keep")]


async def test_sync_all_ok_is_200(alice: httpx.AsyncClient, world: World) -> None:
    response = await alice.post(f"/trips/{world.trip}/sync", json={"legs": [leg_body()]})
    assert response.status_code == 200
    assert response.json()["actionItems"] == {
        "created": 0,
        "updated": 0,
        "errors": 0,
        "results": [],
    }


async def test_commitments_order_links_and_validation(
    alice: httpx.AsyncClient, world: World
) -> None:
    url = f"/trips/{world.trip}/commitments"
    leg = (await alice.post(f"/trips/{world.trip}/legs", json=leg_body())).json()
    for body in (
        {"title": "Dinner", "startDate": "2026-07-16", "category": "dinner", "startTime": "19:30"},
        {"title": "Birthday", "startDate": "2026-07-16", "category": "birthday", "isAllDay": True},
        {"title": "Walk", "startDate": "2026-07-15", "category": "activity", "legId": leg["_id"]},
        {"title": "Call", "startDate": "2026-07-16", "category": "meeting", "startTime": "09:00"},
    ):
        assert (await alice.post(url, json=body)).status_code == 201
    titles = [c["title"] for c in (await alice.get(url)).json()["data"]]
    assert titles == ["Walk", "Birthday", "Call", "Dinner"]
    bad = await alice.post(url, json={"title": "X", "startDate": "2026-07-16", "category": "party",
                                      "startTime": "25:00", "legId": "jx7nope"})  # fmt: skip
    paths = [d["path"] for d in assert_error(bad, 400, "VALIDATION_ERROR")["details"]]
    assert paths == ["category", "startTime"]
    dangling = await alice.post(url, json={"title": "X", "startDate": "2026-07-16",
                                           "category": "other", "legId": "jx7nope"})  # fmt: skip
    assert assert_error(dangling, 400, "VALIDATION_ERROR")["details"][0]["path"] == "legId"
    # Deleting the leg unlinks the commitment that pointed at it.
    await alice.delete(f"/trips/{world.trip}/legs/{leg['_id']}")
    walk = next(c for c in (await alice.get(url)).json()["data"] if c["title"] == "Walk")
    assert "legId" not in walk


async def test_action_item_done_toggle_and_delete(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/action-items"
    item = (
        await alice.post(url, json={"text": "Visa", "urgency": "now", "owner": world.bob})
    ).json()
    assert item["done"] is False and item["owner"] == world.bob
    toggled = (await alice.patch(f"{url}/{item['_id']}", json={"done": True})).json()
    assert toggled["done"] is True and toggled["text"] == "Visa"
    assert (await alice.delete(f"{url}/{item['_id']}")).json() == {
        "_id": item["_id"],
        "deleted": True,
    }
    assert_error(await alice.patch(f"{url}/{item['_id']}", json={"done": False}), 404, "NOT_FOUND")


async def test_items_of_another_trip_are_not_found(alice: httpx.AsyncClient, world: World) -> None:
    other = world.sb.create_trip(
        group_id=world.group, title="Other", start_date="2026-08-01", end_date="2026-08-02"
    )
    pin = (
        await alice.post(f"/trips/{other}/map-pins", json={"name": "P", "lat": 0, "lng": 0})
    ).json()
    response = await alice.patch(f"/trips/{world.trip}/map-pins/{pin['_id']}", json={"name": "Q"})
    assert_error(response, 404, "NOT_FOUND")


async def test_lists_page_without_gaps_or_repeats_across_inserts(
    alice: httpx.AsyncClient, world: World
) -> None:
    url = f"/trips/{world.trip}/legs"
    for n in range(0, 10, 2):
        await alice.post(url, json=leg_body(order=n, clientRef=f"l{n}", title=f"L{n}"))
    first = (await alice.get(url, params={"limit": 2})).json()
    assert [leg["order"] for leg in first["data"]] == [0, 2]
    assert first["hasMore"] is True
    # A leg sorted after the page boundary appears; one before it does not repeat anything.
    await alice.post(url, json=leg_body(order=3, clientRef="l3", title="L3"))
    seen = [leg["order"] for leg in first["data"]]
    cursor = first["nextCursor"]
    while cursor:
        page = (await alice.get(url, params={"limit": 2, "cursor": cursor})).json()
        seen += [leg["order"] for leg in page["data"]]
        cursor = page["nextCursor"]
        assert page["hasMore"] is (cursor is not None)
    assert seen == [0, 2, 3, 4, 6, 8]
    garbled = await alice.get(url, params={"cursor": "not-a-cursor"})
    assert assert_error(garbled, 400, "VALIDATION_ERROR")["details"][0]["path"] == "cursor"
    foreign = await alice.get(
        f"/trips/{world.trip}/map-pins", params={"cursor": first["nextCursor"]}
    )
    assert_error(foreign, 400, "VALIDATION_ERROR")


async def test_null_for_a_defaulted_flag_means_the_default(
    alice: httpx.AsyncClient, world: World
) -> None:
    # Found by schemathesis: {"isAllDay": null} on create once dropped the flag entirely.
    event = {"title": "E", "startDate": "2026-07-16", "category": "other", "isAllDay": None}
    created = await alice.post(f"/trips/{world.trip}/commitments", json=event)
    assert created.status_code == 201
    assert created.json()["isAllDay"] is False
    item = {"text": "T", "urgency": "now", "done": None, "owner": None, "clientRef": "t"}
    made = (await alice.post(f"/trips/{world.trip}/action-items", json=item)).json()
    assert made["done"] is False and "owner" not in made
    merged = (await alice.post(f"/trips/{world.trip}/action-items", json=item)).json()
    assert merged["done"] is False
