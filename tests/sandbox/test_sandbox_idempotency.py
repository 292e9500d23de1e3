"""Seed: Idempotency-Key header (replay, conflict, length, 24 h expiry, concurrency)."""

from __future__ import annotations

import asyncio

import httpx
from sandbox_support import ClientFactory, World, assert_error


def _count_messages(world: World) -> int:
    return int(world.sb.context.conn.execute("SELECT count(*) FROM messages").fetchone()[0])


async def test_seed_curl_create_trip_with_idempotency_key(
    alice: httpx.AsyncClient, world: World
) -> None:
    body = {
        "groupId": world.group,
        "title": "Cotswolds",
        "startDate": "2026-07-15",
        "endDate": "2026-07-22",
    }
    headers = {"Idempotency-Key": "create-trip-42"}
    first = await alice.post("/trips", json=body, headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    again = await alice.post("/trips", json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert again.headers["x-ratelimit-limit"]
    trips = (await alice.get("/trips")).json()["data"]
    assert [t["title"] for t in trips].count("Cotswolds") == 2  # the fixture's and this one


async def test_same_key_different_body_is_409(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    headers = {"Idempotency-Key": "msg-1"}
    assert (await alice.post(url, json={"content": "one"}, headers=headers)).status_code == 201
    conflict = await alice.post(url, json={"content": "two"}, headers=headers)
    assert_error(conflict, 409, "IDEMPOTENCY_CONFLICT")
    # Same body on another path is a different request too.
    other = await alice.post(
        f"/trips/{world.trip}/map-pins", json={"content": "one"}, headers=headers
    )
    assert_error(other, 409, "IDEMPOTENCY_CONFLICT")
    assert _count_messages(world) == 1


async def test_body_is_compared_as_json_not_bytes(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/map-pins"
    headers = {"Idempotency-Key": "pin-1", "Content-Type": "application/json"}
    first = await alice.post(url, content=b'{"name":"P","lat":1,"lng":2}', headers=headers)
    second = await alice.post(url, content=b'{ "lng": 2, "lat": 1, "name": "P" }', headers=headers)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["_id"] == first.json()["_id"]


async def test_keys_are_scoped_per_api_key(
    make_client: ClientFactory, alice: httpx.AsyncClient, world: World
) -> None:
    bob = make_client(world.bob_key)
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    headers = {"Idempotency-Key": "shared-name"}
    a = await alice.post(url, json={"content": "hi"}, headers=headers)
    b = await bob.post(url, json={"content": "hi"}, headers=headers)
    assert a.status_code == b.status_code == 201
    assert a.json()["_id"] != b.json()["_id"]
    assert _count_messages(world) == 2


async def test_too_long_or_blank_key_is_400(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    ok = await alice.post(url, json={"content": "x"}, headers={"Idempotency-Key": "k" * 255})
    assert ok.status_code == 201
    for key in ("k" * 256, " "):
        response = await alice.post(url, json={"content": "x"}, headers={"Idempotency-Key": key})
        error = assert_error(response, 400, "VALIDATION_ERROR")
        assert error["details"] == [
            {"path": "Idempotency-Key", "reason": "must be 1 to 255 characters"}
        ]
    assert _count_messages(world) == 1


async def test_cached_responses_expire_after_24_hours(
    alice: httpx.AsyncClient, world: World
) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    headers = {"Idempotency-Key": "daily"}
    first = await alice.post(url, json={"content": "x"}, headers=headers)
    world.clock.advance(24 * 3600 - 1)
    replay = await alice.post(url, json={"content": "x"}, headers=headers)
    assert replay.json()["_id"] == first.json()["_id"]
    world.clock.advance(1)
    fresh = await alice.post(url, json={"content": "x"}, headers=headers)
    assert "idempotent-replayed" not in fresh.headers
    assert fresh.json()["_id"] != first.json()["_id"]
    # After expiry the key is reusable with a different body too.
    world.clock.advance(24 * 3600)
    assert (await alice.post(url, json={"content": "y"}, headers=headers)).status_code == 201


async def test_errors_are_replayed_too(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/legs"
    headers = {"Idempotency-Key": "bad-leg"}
    first = await alice.post(url, json={"order": 0}, headers=headers)
    assert first.status_code == 400
    again = await alice.post(url, json={"order": 0}, headers=headers)
    assert again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"


async def test_two_concurrent_requests_with_one_key_make_one_write(
    alice: httpx.AsyncClient, world: World
) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    headers = {"Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *(alice.post(url, json={"content": "once"}, headers=headers) for _ in range(5))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["_id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 4
    assert _count_messages(world) == 1


async def test_get_ignores_the_header(alice: httpx.AsyncClient) -> None:
    first = await alice.get("/me", headers={"Idempotency-Key": "g"})
    second = await alice.get("/me", headers={"Idempotency-Key": "g"})
    assert "idempotent-replayed" not in second.headers
    assert first.json() == second.json()


async def test_patch_and_delete_replay(alice: httpx.AsyncClient, world: World) -> None:
    pin = (
        await alice.post(f"/trips/{world.trip}/map-pins", json={"name": "P", "lat": 1, "lng": 2})
    ).json()
    url = f"/trips/{world.trip}/map-pins/{pin['_id']}"
    headers = {"Idempotency-Key": "del"}
    assert (await alice.delete(url, headers=headers)).status_code == 200
    replay = await alice.delete(url, headers=headers)
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert (await alice.delete(url)).status_code == 404
