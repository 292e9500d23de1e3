"""Helpers shared by the sandbox tests (imported by name: tests/sandbox is on sys.path)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from osoto_bridge.sandbox import SCOPE_BASES, Sandbox

BASE_URL = "http://sandbox.test/api/v1"


class FakeClock:
    """A clock the test moves by hand (epoch seconds)."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class World:
    """Alice owns a trip in her group with Bob (editor) and Vera (viewer); Eve is outside."""

    sb: Sandbox
    clock: FakeClock
    alice: str
    bob: str
    vera: str
    eve: str
    group: str
    trip: str
    general: str
    alice_key: str
    bob_key: str
    vera_key: str
    eve_key: str

    def key(self, user: str, *scopes: str) -> str:
        return self.sb.create_key(user, list(scopes) or list(SCOPE_BASES))


ClientFactory = Callable[[str | None], httpx.AsyncClient]


def leg_body(**overrides: object) -> dict[str, object]:
    """The seed's Tokyo leg, with overrides."""
    body: dict[str, object] = {
        "order": 0,
        "title": "Tokyo",
        "destination": "Tokyo",
        "startDate": "2026-07-15",
        "endDate": "2026-07-20",
        "timezone": "Asia/Tokyo",
        "clientRef": "leg-tok-1",
    }
    body.update(overrides)
    return body


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    """Check the error envelope and its request id; return the error object."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["requestId"] == response.headers["x-request-id"]
    assert error["requestId"].startswith("req_")
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return dict(error)


def build_world(sb: Sandbox) -> World:
    """Populate `sb` with the standard test world."""
    alice = sb.create_user("Alice", email="alice@example.com", phone="+44 1")
    bob = sb.create_user("Bob", email="bob@example.com")
    vera = sb.create_user("Vera")
    eve = sb.create_user("Eve")
    group = sb.create_group("Crew", owner_id=alice, member_ids=[bob])
    trip = sb.create_trip(
        group_id=group,
        title="Cotswolds",
        start_date="2026-07-15",
        end_date="2026-07-22",
        created_by=alice,
    )
    sb.add_trip_member(trip, vera, "viewer")
    conn = sb.context.conn
    general = conn.execute(
        "SELECT id FROM channels WHERE trip_id = ? AND name = 'general'", (trip,)
    ).fetchone()[0]
    clock = sb.context.clock
    assert isinstance(clock, FakeClock)
    all_scopes = list(SCOPE_BASES)
    return World(
        sb=sb,
        clock=clock,
        alice=alice,
        bob=bob,
        vera=vera,
        eve=eve,
        group=group,
        trip=trip,
        general=general,
        alice_key=sb.create_key(alice, all_scopes),
        bob_key=sb.create_key(bob, all_scopes),
        vera_key=sb.create_key(vera, all_scopes),
        eve_key=sb.create_key(eve, all_scopes),
    )
