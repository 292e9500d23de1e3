"""A sandbox world for the client tests: one user, one group, one trip, one key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from osoto_fakes import FakeClock, World

from osoto_bridge.sandbox import Sandbox

ALL_SCOPES = ("trips:read", "trips:write", "messages:read", "messages:write")


@pytest.fixture
def world() -> Iterator[World]:
    # Mid-minute on purpose: the sandbox's windows are aligned to clock minutes.
    clock = FakeClock(start=1_780_000_030.0)
    with Sandbox(":memory:", rate_limit=60, clock=clock) as sandbox:
        user_id = sandbox.create_user("Ana", email="ana@example.com", phone="+1 555 0100")
        group_id = sandbox.create_group("Travellers", owner_id=user_id)
        trip_id = sandbox.create_trip(
            group_id=group_id, title="Cotswolds", start_date="2026-07-15", end_date="2026-07-22"
        )
        channel_id = sandbox.create_channel(trip_id, "logistics")
        key = sandbox.create_key(user_id, ALL_SCOPES)
        yield World(sandbox, clock, user_id, group_id, trip_id, channel_id, key)
