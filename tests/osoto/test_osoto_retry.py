"""Retries: backoff with jitter on the injected clock, one Idempotency-Key per call."""

from __future__ import annotations

import httpx
import pytest
from osoto_fakes import FakeClock, Script, error_body, ok

from osoto_bridge.osoto import OsotoClient, RetryPolicy, ServerError, TransportError

BASE = "http://osoto.test/api/v1"
TRIP = {"_id": "t1", "title": "Cotswolds", "startDate": "2026-07-15", "endDate": "2026-07-22"}


def make_client(script: Script, clock: FakeClock, retry: RetryPolicy) -> OsotoClient:
    return OsotoClient(
        "osk_test",
        BASE,
        transport=script.transport,
        clock=clock,
        sleep=clock.sleep,
        retry=retry,
    )


def test_backoff_is_full_jitter_under_a_growing_capped_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, random=lambda: 0.999)
    ceilings = [policy.backoff(n) for n in range(1, 6)]
    assert ceilings == pytest.approx([0.4995, 0.999, 1.998, 2.997, 2.997])
    assert RetryPolicy(random=lambda: 0.0).backoff(4) == 0.0
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


async def test_post_retried_through_timeout_and_500_keeps_one_idempotency_key() -> None:
    clock = FakeClock()
    script = Script(
        httpx.ReadTimeout("slow"),
        httpx.Response(500, json=error_body("INTERNAL")),
        ok(TRIP, 201),
    )
    async with make_client(script, clock, RetryPolicy(random=lambda: 1.0)) as client:
        trip = await client.create_trip(
            group_id="g1", title="Cotswolds", start_date="2026-07-15", end_date="2026-07-22"
        )
    assert trip.id == "t1"
    keys = {r.headers["Idempotency-Key"] for r in script.requests}
    assert len(script.requests) == 3 and len(keys) == 1
    assert script.bodies()[0] == {
        "groupId": "g1",
        "title": "Cotswolds",
        "startDate": "2026-07-15",
        "endDate": "2026-07-22",
    }
    # full jitter with random() == 1.0 waits the whole ceiling: 0.5 then 1.0
    assert clock.sleeps == [0.5, 1.0]


async def test_caller_idempotency_key_is_sent_and_gets_have_none() -> None:
    clock = FakeClock()
    script = Script(ok(TRIP), ok(TRIP), ok(None, 204), ok(None, 204))
    async with make_client(script, clock, RetryPolicy()) as client:
        await client.get_trip("t1")
        await client.update_trip("t1", title="New", idempotency_key="mine-1")
        await client.archive_trip("t1")
        await client.delete_leg("t1", "leg/1")
    get, patch, delete, delete_leg = script.requests
    assert "Idempotency-Key" not in get.headers
    assert patch.headers["Idempotency-Key"] == "mine-1"
    assert script.bodies()[1] == {"title": "New"}
    assert delete.method == "DELETE" and len(delete.headers["Idempotency-Key"]) == 32
    assert delete_leg.url.raw_path == b"/api/v1/trips/t1/legs/leg%2F1"
    assert all(r.headers["Authorization"] == "Bearer osk_test" for r in script.requests)


async def test_deadline_stops_retries_before_max_attempts() -> None:
    clock = FakeClock()
    script = Script(*[httpx.Response(503) for _ in range(5)])
    policy = RetryPolicy(base_delay=4.0, max_delay=100.0, deadline=10.0, random=lambda: 1.0)
    async with make_client(script, clock, policy) as client:
        with pytest.raises(ServerError):
            await client.me()
    # waits 4 then 8 would end at 12 > 10: two tries, one wait
    assert len(script.requests) == 2 and clock.sleeps == [4.0]


async def test_max_attempts_one_disables_retries() -> None:
    clock = FakeClock()
    script = Script(httpx.ConnectError("refused"))
    async with make_client(script, clock, RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(TransportError):
            await client.me()
    assert len(script.requests) == 1


async def test_429_waits_retry_after_and_does_not_use_up_attempts() -> None:
    clock = FakeClock()
    limited = httpx.Response(
        429,
        json=error_body("RATE_LIMITED"),
        headers={"Retry-After": "17", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"},
    )
    script = Script(limited, httpx.Response(500), ok(TRIP))
    async with make_client(
        script, clock, RetryPolicy(max_attempts=2, random=lambda: 0.0)
    ) as client:
        start = clock.now
        trip = await client.get_trip("t1")
        snap = client.limiter.snapshot()
    assert trip.title == "Cotswolds"
    assert clock.now - start == pytest.approx(17.0)
    assert snap.rate_limited == 1 and snap.blocked_for == 0.0
