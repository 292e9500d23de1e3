"""`ShareSource`: one fetch serves a group for the cache's time, and waits are shared."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from share_support import BASE, Clock, shared_demo

from osoto_bridge.osoto import OsotoError
from osoto_bridge.web.share import ShareSource, valid_token


async def test_a_link_opened_by_the_whole_group_costs_one_fetch() -> None:
    clock = Clock()
    async with (
        shared_demo() as demo,
        ShareSource(BASE, transport=demo.transport, clock=clock, ttl=60) as source,
    ):
        first = await asyncio.gather(*(source.export(demo.token) for _ in range(10)))
        assert source.fetches == 1
        assert all(export == first[0] for export in first) and first[0] is not None
        clock.now += 59
        await source.export(demo.token)
        assert source.fetches == 1
        clock.now += 2
        await source.export(demo.token)
        assert source.fetches == 2


async def test_an_unknown_token_is_none_and_a_malformed_one_is_refused() -> None:
    async with shared_demo() as demo, ShareSource(BASE, transport=demo.transport) as source:
        assert await source.export("shr_never_made_this") is None
        with pytest.raises(ValueError):
            await source.export("../trips")
        assert source.fetches == 1


async def test_an_error_is_not_cached() -> None:
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"error": {"code": "INTERNAL", "message": "boom"}})

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    transport = httpx.MockTransport(flaky)
    async with ShareSource(BASE, transport=transport, sleep=sleep) as source:
        for _ in range(2):
            with pytest.raises(OsotoError):
                await source.export("shr_some_token")
    assert len(slept) == 2
    assert len(calls) == 4  # two tries each (the page's short retry), none from a cache


def test_the_token_pattern() -> None:
    assert valid_token("shr_" + "A1b2-_" * 5)
    for bad in (
        "",
        "short",
        "shr_with space",
        "shr_x/../y",
        "shr_%2e%2e",
        "a" * 129,
        "shr_ü_token",
    ):
        assert not valid_token(bad), bad
