"""Each wire error becomes its class, with the request id; only transient ones retry."""

from __future__ import annotations

import httpx
import pytest
from osoto_fakes import FakeClock, Script, error_body, ok

from osoto_bridge.osoto import (
    ApiError,
    Forbidden,
    IdempotencyConflict,
    NotFound,
    OsotoClient,
    OsotoError,
    RateLimited,
    RetryPolicy,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    ValidationError,
)

BASE = "http://osoto.test/api/v1"


def make_client(script: Script, clock: FakeClock, **kwargs: object) -> OsotoClient:
    return OsotoClient(
        "osk_test",
        BASE,
        transport=script.transport,
        clock=clock,
        sleep=clock.sleep,
        retry=RetryPolicy(random=lambda: 0.5),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "UNAUTHORIZED", Unauthorized),
        (403, "FORBIDDEN", Forbidden),
        (404, "NOT_FOUND", NotFound),
        (400, "VALIDATION_ERROR", ValidationError),
        (409, "IDEMPOTENCY_CONFLICT", IdempotencyConflict),
    ],
)
async def test_client_errors_map_to_their_class_and_are_not_retried(
    status: int, code: str, cls: type[ApiError]
) -> None:
    clock = FakeClock()
    script = Script(httpx.Response(status, json=error_body(code, request_id="req_42")))
    async with make_client(script, clock) as client:
        with pytest.raises(cls) as info:
            await client.get_trip("t1")
    error = info.value
    assert (error.status, error.code, error.request_id) == (status, code, "req_42")
    assert error.details[0].path == "title" and error.details[0].reason == "required"
    assert isinstance(error.__cause__, httpx.HTTPStatusError)
    assert len(script.requests) == 1 and clock.sleeps == []


async def test_code_wins_over_status_and_status_is_the_fallback() -> None:
    clock = FakeClock()
    script = Script(
        httpx.Response(400, json=error_body("NOT_FOUND")),
        httpx.Response(403, text="<html>denied</html>", headers={"X-Request-Id": "req_h"}),
        httpx.Response(418, json={"error": {"code": "TEAPOT", "message": "short"}}),
    )
    async with make_client(script, clock) as client:
        with pytest.raises(NotFound):
            await client.me()
        with pytest.raises(Forbidden) as forbidden:
            await client.me()
        with pytest.raises(ApiError) as teapot:
            await client.me()
    assert forbidden.value.request_id == "req_h" and forbidden.value.code is None
    assert type(teapot.value) is ApiError and teapot.value.code == "TEAPOT"


async def test_rate_limited_carries_retry_after_when_retries_run_out() -> None:
    clock = FakeClock()
    answers = [
        httpx.Response(429, json=error_body("RATE_LIMITED"), headers={"Retry-After": "3"})
        for _ in range(3)
    ]
    script = Script(*answers)
    async with OsotoClient(
        "osk_test",
        BASE,
        transport=script.transport,
        clock=clock,
        sleep=clock.sleep,
        retry=RetryPolicy(max_rate_limited=2),
    ) as client:
        with pytest.raises(RateLimited) as info:
            await client.me()
    assert info.value.retry_after == 3.0
    assert len(script.requests) == 3
    assert clock.slept == pytest.approx(6.0)


async def test_server_and_transport_errors_exhaust_into_their_classes() -> None:
    clock = FakeClock()
    script = Script(*[httpx.Response(502, text="bad gateway") for _ in range(5)])
    async with make_client(script, clock) as client:
        with pytest.raises(ServerError) as server:
            await client.me()
    assert server.value.status == 502 and len(script.requests) == 5

    clock = FakeClock()
    script = Script(*[httpx.ConnectError("refused") for _ in range(5)])
    async with make_client(script, clock) as client:
        with pytest.raises(TransportError) as transport:
            await client.me()
    assert isinstance(transport.value.__cause__, httpx.ConnectError)
    assert not transport.value.timeout
    assert isinstance(transport.value, OsotoError)


async def test_a_body_that_does_not_fit_is_unexpected_response() -> None:
    clock = FakeClock()
    script = Script(ok({"nothing": "useful"}), httpx.Response(200, text="not json"))
    async with make_client(script, clock) as client:
        with pytest.raises(UnexpectedResponse) as info:
            await client.get_trip("t1")
        with pytest.raises(UnexpectedResponse):
            await client.get_trip("t1")
    assert info.value.request_id == "req_ok"
