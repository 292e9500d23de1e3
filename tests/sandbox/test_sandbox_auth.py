"""Seed: Authentication, Scopes, Errors (401/403/404/405), request ids."""

from __future__ import annotations

import httpx
import pytest
from sandbox_support import ClientFactory, World, assert_error

from osoto_bridge.sandbox import Scope


async def test_seed_curl_list_trips_with_bearer_key(alice: httpx.AsyncClient, world: World) -> None:
    # curl .../api/v1/trips -H "Authorization: Bearer osk_your_key_here"
    response = await alice.get("/trips")
    assert response.status_code == 200
    assert [t["_id"] for t in response.json()["data"]] == [world.trip]
    assert response.headers["x-request-id"].startswith("req_")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer osk_unknown"}, {"Authorization": "Basic abc"},
     {"Authorization": "Bearer "}],
)  # fmt: skip
async def test_missing_or_unknown_key_is_401(
    make_client: ClientFactory, headers: dict[str, str]
) -> None:
    client = make_client(None)
    response = await client.get("/trips", headers=headers)
    assert_error(response, 401, "UNAUTHORIZED")
    assert "x-ratelimit-limit" not in response.headers


async def test_keys_are_stored_hashed(world: World) -> None:
    stored = [r[0] for r in world.sb.context.conn.execute("SELECT key_hash FROM api_keys")]
    assert world.alice_key not in stored
    assert all(len(h) == 64 for h in stored)


async def test_unknown_route_and_wrong_method_use_the_envelope(alice: httpx.AsyncClient) -> None:
    missing = await alice.get("/nowhere")
    assert_error(missing, 404, "NOT_FOUND")
    wrong = await alice.put("/me")
    assert_error(wrong, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in wrong.headers["allow"]


async def test_unknown_route_without_key_still_has_request_id(make_client: ClientFactory) -> None:
    response = await make_client(None).get("/api/v2/whatever")
    assert response.headers["x-request-id"].startswith("req_")


async def test_unknown_trip_is_404(alice: httpx.AsyncClient) -> None:
    assert_error(await alice.get("/trips/jx7nosuchtrip"), 404, "NOT_FOUND")


async def test_non_member_is_403(make_client: ClientFactory, world: World) -> None:
    eve = make_client(world.eve_key)
    assert_error(await eve.get(f"/trips/{world.trip}"), 403, "FORBIDDEN")
    assert (await eve.get("/trips")).json()["data"] == []


async def test_viewer_reads_but_cannot_change(make_client: ClientFactory, world: World) -> None:
    vera = make_client(world.vera_key)
    assert (await vera.get(f"/trips/{world.trip}")).status_code == 200
    assert_error(await vera.patch(f"/trips/{world.trip}", json={"title": "x"}), 403, "FORBIDDEN")
    posted = await vera.post(
        f"/trips/{world.trip}/channels/{world.general}/messages", json={"content": "hi"}
    )
    assert posted.status_code == 201  # viewers still chat


async def test_write_does_not_imply_read(make_client: ClientFactory, world: World) -> None:
    client = make_client(world.key(world.alice, "trips:write", "messages:write"))
    assert_error(await client.get(f"/trips/{world.trip}"), 403, "FORBIDDEN")
    assert_error(
        await client.get(f"/trips/{world.trip}/channels/{world.general}/messages"), 403, "FORBIDDEN"
    )
    assert (await client.get("/trips")).json()["data"] == []
    patched = await client.patch(f"/trips/{world.trip}", json={"title": "Renamed"})
    assert patched.status_code == 200


async def test_messages_scopes_do_not_cover_trip_content(
    make_client: ClientFactory, world: World
) -> None:
    client = make_client(world.key(world.alice, "messages:read", "messages:write"))
    assert (await client.get(f"/trips/{world.trip}/channels")).status_code == 200
    assert_error(await client.get(f"/trips/{world.trip}/legs"), 403, "FORBIDDEN")
    assert_error(await client.get(f"/trips/{world.trip}/export"), 403, "FORBIDDEN")


async def test_trip_limited_key_touches_nothing_else(
    make_client: ClientFactory, world: World
) -> None:
    other = world.sb.create_trip(
        group_id=world.group, title="Other", start_date="2026-08-01", end_date="2026-08-02"
    )
    limited = make_client(world.key(world.alice, f"trips:write:{world.trip}", "trips:read"))
    ok = await limited.post(f"/trips/{world.trip}/map-pins", json={"name": "P", "lat": 1, "lng": 2})
    assert ok.status_code == 201
    denied = await limited.post(f"/trips/{other}/map-pins", json={"name": "P", "lat": 1, "lng": 2})
    assert_error(denied, 403, "FORBIDDEN")
    create = await limited.post(
        "/trips",
        json={
            "groupId": world.group,
            "title": "X",
            "startDate": "2026-01-01",
            "endDate": "2026-01-02",
        },
    )
    assert_error(create, 403, "FORBIDDEN")


async def test_get_trips_lists_only_trips_the_key_may_read(
    make_client: ClientFactory, world: World
) -> None:
    other = world.sb.create_trip(
        group_id=world.group, title="Other", start_date="2026-08-01", end_date="2026-08-02"
    )
    limited = make_client(world.key(world.alice, f"trips:read:{other}"))
    trips = (await limited.get("/trips")).json()["data"]
    assert [t["_id"] for t in trips] == [other]
    assert_error(await limited.get(f"/trips/{world.trip}"), 403, "FORBIDDEN")


@pytest.mark.parametrize(
    "text", ["trips", "trips:read:", "trips:delete", "messages:read:a:b", "", "TRIPS:READ"]
)
def test_bad_scopes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        Scope.parse(text)


def test_create_key_checks_user_and_trip(world: World) -> None:
    with pytest.raises(ValueError, match="not found"):
        world.sb.create_key("jx7nobody", ["trips:read"])
    with pytest.raises(ValueError, match="not found"):
        world.sb.create_key(world.alice, ["trips:read:jx7nosuchtrip"])
    with pytest.raises(TypeError):
        world.sb.create_key(world.alice, "trips:read")


async def test_a_crash_is_the_internal_envelope_with_a_request_id(
    make_client: ClientFactory, world: World
) -> None:
    client = make_client(world.alice_key)
    world.sb.context.conn.close()  # every query now fails inside the sandbox
    response = await client.get("/trips")
    assert_error(response, 500, "INTERNAL")


@pytest.mark.parametrize(
    ("scopes", "path", "body"),
    [
        (("messages:read",), "/trips/{trip}/channels/{general}/messages", {"content": ""}),
        (("messages:read",), "/trips/{trip}/channels/{general}/messages", {}),
        (("trips:read",), "/trips/{trip}/action-items", {"text": "", "urgency": "now"}),
        (("trips:read",), "/trips/{trip}/map-pins:batch", {"items": "not a list"}),
        (("trips:read",), "/trips/{trip}/sync", {"legs": 3}),
    ],
)
async def test_a_missing_scope_is_403_before_the_body_is_judged(
    make_client: ClientFactory,
    world: World,
    scopes: tuple[str, ...],
    path: str,
    body: dict[str, object],
) -> None:
    # A key without the scope learns "you may not", not "your body is wrong", and
    # nothing is written: clients can probe a write scope with an empty body.
    client = make_client(world.key(world.alice, *scopes))
    url = path.format(trip=world.trip, general=world.general)
    assert_error(await client.post(url, json=body), 403, "FORBIDDEN")
    full = make_client(world.alice_key)
    assert_error(await full.post(url, json=body), 400, "VALIDATION_ERROR")
