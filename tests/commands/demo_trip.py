"""The sandbox's demo trip as the bridge reads it: seeded, then exported over the API."""

from __future__ import annotations

import datetime as dt

import httpx

from osoto_bridge.osoto import TripExport
from osoto_bridge.sandbox import Sandbox

TODAY = dt.date(2026, 7, 15)
"""The demo's today: its day 2 (the trip starts the day before)."""

NOW = dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC)
"""10:00 in London on day 2."""


async def demo_export(today: dt.date = TODAY) -> TripExport:
    """Seed the demo world in a fresh sandbox and read its trip's export as Alice."""
    with Sandbox(":memory:") as sandbox:
        world = sandbox.seed_demo(today=today)
        key = world["users"][0]["apiKey"]
        trip = world["trips"][0]["id"]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sandbox.app),
            base_url="http://sandbox.test/api/v1",
            headers={"Authorization": f"Bearer {key}"},
        ) as http:
            response = await http.get(f"/trips/{trip}/export")
            response.raise_for_status()
            return TripExport.model_validate(response.json())
