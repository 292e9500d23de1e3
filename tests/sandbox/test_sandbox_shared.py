"""Seed: Shared (no auth): share tokens and the safe projection."""

from __future__ import annotations

from typing import Any

import httpx
from sandbox_support import ClientFactory, World, assert_error, leg_body

from osoto_bridge.sandbox.projection import SENSITIVE_FIELDS

_SECRETS = {
    "wifiPassword": "wifi-secret",
    "doorCode": "door-secret",
    "hostPhone": "phone-secret",
    "confirmationNumber": "conf-secret",
    "checkInInstructions": "instructions-secret",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def _sensitive_trip(alice: httpx.AsyncClient, world: World) -> None:
    await alice.post(
        f"/trips/{world.trip}/legs",
        json=leg_body(
            accommodation={"name": "Hotel", "address": "1 Main St", **_SECRETS},
            stays=[{"name": "Stay", "clientRef": "s", **_SECRETS}],
            flights=[{"flightNumber": "JL1", "from": "A", "to": "B",
                      "departAt": "2026-07-15T10:00", "confirmationNumber": "conf-secret"}],
            rentalCar={"company": "Avis", "confirmationNumber": "conf-secret"},
        ),
    )  # fmt: skip


async def test_share_token_opens_the_safe_projection_without_auth(
    alice: httpx.AsyncClient, make_client: ClientFactory, world: World
) -> None:
    await _sensitive_trip(alice, world)
    created = await alice.post(f"/trips/{world.trip}/share-token")
    assert created.status_code == 201
    token = created.json()["token"]
    assert created.json()["tripId"] == world.trip
    same = await alice.post(f"/trips/{world.trip}/share-token")
    assert same.status_code == 200 and same.json()["token"] == token

    anonymous = make_client(None)
    view = await anonymous.get(f"/shared/trips/{token}")
    assert view.status_code == 200
    shared = view.json()
    assert shared["_id"] == world.trip and shared["title"] == "Cotswolds"
    assert shared["legs"][0]["accommodation"] == {"name": "Hotel", "address": "1 Main St"}
    assert shared["legs"][0]["stays"][0]["name"] == "Stay"
    assert shared["legs"][0]["rentalCar"] == {"company": "Avis"}
    export = (await anonymous.get(f"/shared/trips/{token}/export")).json()
    for body in (shared, export):
        assert not _keys(body) & SENSITIVE_FIELDS
        assert "secret" not in str(body)
    assert export["members"] == [
        {"name": "Alice", "role": "owner"},
        {"name": "Bob", "role": "editor"},
        {"name": "Vera", "role": "viewer"},
    ]
    full = (await alice.get(f"/trips/{world.trip}/export")).json()
    assert set(export) == set(full)
    assert export["trip"] == full["trip"]


async def test_revoked_or_unknown_token_is_404(
    alice: httpx.AsyncClient, make_client: ClientFactory, world: World
) -> None:
    token = (await alice.post(f"/trips/{world.trip}/share-token")).json()["token"]
    revoked = await alice.delete(f"/trips/{world.trip}/share-token")
    assert revoked.json() == {"tripId": world.trip, "revoked": True}
    anonymous = make_client(None)
    assert_error(await anonymous.get(f"/shared/trips/{token}"), 404, "NOT_FOUND")
    assert_error(await anonymous.get(f"/shared/trips/{token}/export"), 404, "NOT_FOUND")
    assert_error(await alice.delete(f"/trips/{world.trip}/share-token"), 404, "NOT_FOUND")
    fresh = (await alice.post(f"/trips/{world.trip}/share-token")).json()["token"]
    assert fresh != token


async def test_share_tokens_need_trips_write(make_client: ClientFactory, world: World) -> None:
    reader = make_client(world.key(world.alice, "trips:read"))
    assert_error(await reader.post(f"/trips/{world.trip}/share-token"), 403, "FORBIDDEN")
