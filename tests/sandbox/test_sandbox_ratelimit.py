"""Seed: Rate limit (60 requests a minute per key, headers, 429 with Retry-After)."""

from __future__ import annotations

import httpx
from sandbox_support import BASE_URL, FakeClock, assert_error

from osoto_bridge.sandbox import Sandbox


def _client(sb: Sandbox, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sb.app),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {key}"},
    )


async def test_default_limit_is_60_a_minute_with_headers_and_429() -> None:
    clock = FakeClock(1_779_999_980.0)  # 20 s into a minute window (60 divides 1_779_999_960)
    with Sandbox(clock=clock) as sb:
        user = sb.create_user("A")
        key = sb.create_key(user, ["trips:read"])
        other = sb.create_key(user, ["trips:read"])
        async with _client(sb, key) as client, _client(sb, other) as second:
            remaining = []
            for _ in range(60):
                response = await client.get("/trips")
                assert response.status_code == 200
                assert response.headers["x-ratelimit-limit"] == "60"
                remaining.append(int(response.headers["x-ratelimit-remaining"]))
            assert remaining == list(range(59, -1, -1))
            limited = await client.get("/trips")
            assert_error(limited, 429, "RATE_LIMITED")
            assert limited.headers["retry-after"] == "40"
            assert limited.headers["x-ratelimit-remaining"] == "0"
            # Another key has its own budget.
            assert (await second.get("/trips")).status_code == 200
            clock.advance(39.5)
            assert (await client.get("/trips")).headers["retry-after"] == "1"
            clock.advance(0.5)
            fresh = await client.get("/trips")
            assert fresh.status_code == 200
            assert fresh.headers["x-ratelimit-remaining"] == "59"


async def test_limit_is_configurable_and_counts_errors_too() -> None:
    clock = FakeClock()
    with Sandbox(rate_limit=2, clock=clock) as sb:
        key = sb.create_key(sb.create_user("A"), ["trips:read"])
        async with _client(sb, key) as client:
            first = await client.get("/trips/jx7nosuch")
            assert first.status_code == 404
            assert first.headers["x-ratelimit-limit"] == "2"
            assert first.headers["x-ratelimit-remaining"] == "1"
            assert (await client.get("/trips")).status_code == 200
            assert (await client.get("/trips")).status_code == 429


async def test_share_views_are_not_counted() -> None:
    with Sandbox(rate_limit=1) as sb:
        response = await _client(sb, "none").get("/shared/trips/shr_nope")
        assert response.status_code == 404
        assert "x-ratelimit-limit" not in response.headers
