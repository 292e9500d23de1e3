"""Seed: Me, Trips (list, create, get, patch, archive), export, members."""

from __future__ import annotations

import httpx
from sandbox_support import ClientFactory, World, assert_error, leg_body


async def test_seed_curl_me(alice: httpx.AsyncClient, world: World) -> None:
    me = (await alice.get("/me")).json()
    assert me["user"] == {"_id": world.alice, "name": "Alice", "email": "alice@example.com"}
    assert me["groups"] == [{"_id": world.group, "name": "Crew"}]
    assert me["defaultGroupId"] == world.group


async def test_me_without_groups(make_client: ClientFactory, world: World) -> None:
    me = (await make_client(world.eve_key).get("/me")).json()
    assert me["groups"] == [] and me["defaultGroupId"] is None


async def test_seed_curl_create_trip(alice: httpx.AsyncClient, world: World) -> None:
    response = await alice.post(
        "/trips",
        json={
            "groupId": world.group,
            "title": "Summer in the Cotswolds",
            "startDate": "2026-07-15",
            "endDate": "2026-07-22",
        },
    )
    assert response.status_code == 201
    trip = response.json()
    assert set(trip) == {
        "_id", "_creationTime", "groupId", "title", "startDate", "endDate", "status"
    }  # fmt: skip
    assert trip["status"] == "active"
    assert trip["_creationTime"] == world.clock.now * 1000
    channels = (await alice.get(f"/trips/{trip['_id']}/channels")).json()["data"]
    assert [c["name"] for c in channels] == ["general"]
    members = (await alice.get(f"/trips/{trip['_id']}/members")).json()["data"]
    assert [(m["name"], m["role"]) for m in members] == [("Alice", "owner"), ("Bob", "editor")]
    assert (await alice.get(f"/trips/{trip['_id']}")).json() == trip


async def test_create_trip_in_a_foreign_group_is_403(
    make_client: ClientFactory, world: World
) -> None:
    eve = make_client(world.eve_key)
    body = {
        "groupId": world.group,
        "title": "X",
        "startDate": "2026-01-01",
        "endDate": "2026-01-02",
    }
    assert_error(await eve.post("/trips", json=body), 403, "FORBIDDEN")
    body["groupId"] = "jx7nogroup"
    assert_error(await eve.post("/trips", json=body), 403, "FORBIDDEN")


async def test_create_trip_reports_every_missing_field(alice: httpx.AsyncClient) -> None:
    response = await alice.post("/trips", json={"groupId": "g"})
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == [
        {"path": "title", "reason": "required"},
        {"path": "startDate", "reason": "required"},
        {"path": "endDate", "reason": "required"},
    ]
    assert "title" in str(error["message"]) and "startDate" in str(error["message"])


async def test_patch_and_archive(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}"
    patched = (await alice.patch(url, json={"title": "Cotswolds 2", "status": "draft"})).json()
    assert (patched["title"], patched["status"], patched["startDate"]) == (
        "Cotswolds 2", "draft", "2026-07-15"
    )  # fmt: skip
    bad = await alice.patch(url, json={"status": "paused", "startDate": "2026-02-30"})
    paths = [d["path"] for d in assert_error(bad, 400, "VALIDATION_ERROR")["details"]]
    assert sorted(paths) == ["startDate", "status"]
    backwards = await alice.patch(url, json={"endDate": "2026-07-01"})
    assert assert_error(backwards, 400, "VALIDATION_ERROR")["details"][0]["path"] == "endDate"
    archived = await alice.delete(url)
    assert archived.status_code == 200 and archived.json()["status"] == "completed"
    assert (await alice.get(url)).json()["status"] == "completed"


async def test_seed_curl_export(alice: httpx.AsyncClient, world: World) -> None:
    leg = (await alice.post(f"/trips/{world.trip}/legs", json=leg_body(
        accommodation={"name": "Hotel", "wifiPassword": "secret"}))).json()  # fmt: skip
    pin = await alice.post(f"/trips/{world.trip}/map-pins", json={"name": "P", "lat": 1, "lng": 2})
    item = await alice.post(
        f"/trips/{world.trip}/action-items", json={"text": "T", "urgency": "now"}
    )
    commitment = {"title": "C", "startDate": "2026-07-16", "category": "other"}
    event = await alice.post(f"/trips/{world.trip}/commitments", json=commitment)
    export = (await alice.get(f"/trips/{world.trip}/export")).json()
    assert export["trip"]["_id"] == world.trip
    assert export["legs"] == [leg]
    assert export["legs"][0]["accommodation"]["wifiPassword"] == "secret"  # members see it
    assert export["mapPins"] == [pin.json()]
    assert export["actionItems"] == [item.json()]
    assert export["commitments"] == [event.json()]
    assert [m["userId"] for m in export["members"]] == [world.alice, world.bob, world.vera]
    assert export["members"][0]["email"] == "alice@example.com"
    assert export["members"][0]["phone"] == "+44 1"


async def test_members_list_roles_and_contacts(alice: httpx.AsyncClient, world: World) -> None:
    page = (await alice.get(f"/trips/{world.trip}/members", params={"limit": 2})).json()
    assert [m["role"] for m in page["data"]] == ["owner", "editor"]
    assert page["hasMore"] is True
    rest = (
        await alice.get(f"/trips/{world.trip}/members", params={"cursor": page["nextCursor"]})
    ).json()
    assert rest["data"] == [{"userId": world.vera, "name": "Vera", "role": "viewer"}]
