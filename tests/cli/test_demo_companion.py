"""The demo's companion talks about the city the trip is in, and never repeats itself
before it said everything it could."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import httpx

from osoto_bridge.cli.demo_companion import Companion, lines_for
from osoto_bridge.osoto.models import TripExport
from osoto_bridge.sandbox import Sandbox


async def _demo_export() -> TripExport:
    with Sandbox(":memory:") as sandbox:
        creds = sandbox.seed_demo()
        key, trip = creds["users"][1]["apiKey"], creds["trips"][0]["id"]
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
            response = await http.get(
                f"/api/v1/trips/{trip}/export", headers={"Authorization": f"Bearer {key}"}
            )
    return TripExport.model_validate(response.json())


async def test_the_companion_speaks_of_the_city_of_the_day_without_repeating() -> None:
    export = await _demo_export()
    berlin = next(leg for leg in export.legs if leg.title == "Berlin")
    day = berlin.start_date + dt.timedelta(days=1)  # a day in Berlin only
    companion = Companion(export, today=lambda: day, rng=random.Random(7))
    pool = lines_for(export, day)
    said = [companion.next_line() for _ in range(len(pool))]
    assert sorted(said) == sorted(pool)  # everything once before anything twice
    assert all("London" not in line for line in said)
    assert sum("Berlin" in line for line in said) >= 3
    assert any("Kreuzberg loft" in line for line in said)  # the stay of that leg
    assert any("Istanbul next" in line for line in said)
    more = [companion.next_line() for _ in range(3 * len(pool))]
    sequence = said + more
    assert all(a != b for a, b in itertools.pairwise(sequence))


async def test_before_the_trip_the_companion_speaks_of_the_first_city() -> None:
    export = await _demo_export()
    first = min(export.legs, key=lambda leg: leg.start_date)
    before = first.start_date - dt.timedelta(days=30)
    assert any(first.title in line for line in lines_for(export, before))
