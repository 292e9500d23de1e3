"""`seed_demo`: the demo world the issue describes, reachable through the API."""

from __future__ import annotations

import datetime
import json

import httpx

from osoto_bridge.sandbox import SCOPE_BASES, Sandbox
from osoto_bridge.sandbox.projection import SENSITIVE_FIELDS

TODAY = datetime.date(2026, 7, 15)


async def test_demo_world_is_complete() -> None:
    with Sandbox() as sb:
        world = sb.seed_demo(today=TODAY)
        assert len(world["users"]) >= 3
        (trip,) = world["trips"]
        assert [c["name"] for c in trip["channels"]] == ["general", "logistics"]
        key = world["users"][0]["apiKey"]
        stored = sb.context.conn.execute("SELECT scopes FROM api_keys").fetchall()
        assert all(sorted(json.loads(s[0])) == sorted(SCOPE_BASES) for s in stored)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sb.app),
            base_url="http://sandbox.test/api/v1",
            headers={"Authorization": f"Bearer {key}"},
        ) as client:
            export = (await client.get(f"/trips/{trip['id']}/export")).json()
            general = trip["channels"][0]["id"]
            messages = (
                await client.get(f"/trips/{trip['id']}/channels/{general}/messages")
            ).json()["data"]
    start, end = export["trip"]["startDate"], export["trip"]["endDate"]
    assert start <= TODAY.isoformat() <= end
    assert (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days == 7
    legs = export["legs"]
    assert len({leg["timezone"] for leg in legs}) == 3
    assert any(leg["flights"] for leg in legs)
    assert any("rentalCar" in leg for leg in legs)
    stay_fields = {k for leg in legs for stay in leg["stays"] for k in stay}
    assert stay_fields >= SENSITIVE_FIELDS
    assert {i["urgency"] for i in export["actionItems"]} == {"now", "before_trip", "nice_to_have"}
    assert {c["category"] for c in export["commitments"]} == {
        "dinner", "activity", "birthday", "meeting", "other"
    }  # fmt: skip
    assert len(export["mapPins"]) >= 3
    assert {m["role"] for m in export["members"]} == {"owner", "editor", "viewer"}
    assert len(messages) >= 3 and any("parentId" in m for m in messages)
