"""The Web API wrapper against the fake Slack: 429s waited out, errors translated."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from slack_world import CHANNEL, VirtualTime

from fakes.slack_api import BOT_TOKEN, FakeSlack
from osoto_bridge.chat.base import ChatGone, ChatUnavailable
from osoto_bridge.chat.slack.pacing import ChannelPacer
from osoto_bridge.chat.slack.webapi import SlackRefused, SlackWebApi


@pytest.fixture
async def api(fake: FakeSlack) -> AsyncIterator[tuple[SlackWebApi, VirtualTime]]:
    time = VirtualTime()
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(
            token=BOT_TOKEN, base_url=fake.api_url, session=session, retry_handlers=[]
        )
        pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)
        yield SlackWebApi(client, session=session, pacer=pacer, sleep=time.sleep), time


async def test_a_429_waits_retry_after_and_retries(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, time = api
    fake.fail_next("chat.postMessage", retry_after=7, times=2)
    answer = await web.post(CHANNEL, text="hello")
    assert answer["ok"] and answer["ts"]
    assert time.sleeps == [7.0, 7.0]
    assert [call.ok for call in fake.calls_to("chat.postMessage")] == [False, False, True]
    assert len(fake.posted) == 1
    assert web.rate_limited == 2


async def test_a_429_without_retry_after_waits_a_second(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, time = api
    fake.fail_next("users.info")
    fake.add_user("U1", "Una")
    answer = await web.call("users.info", params={"user": "U1"})
    assert answer["user"]["id"] == "U1"
    assert time.sleeps == [1.0]


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "not_in_channel"])
async def test_a_channel_that_is_gone(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime], error: str
) -> None:
    web, time = api
    fake.fail_next("chat.postMessage", error=error)
    with pytest.raises(ChatGone, match=error):
        await web.post(CHANNEL, text="hello")
    assert time.sleeps == []


async def test_an_archived_channel_is_gone(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, _ = api
    fake.channels[CHANNEL].is_archived = True
    with pytest.raises(ChatGone):
        await web.post(CHANNEL, text="hello")


async def test_server_errors_are_retried_then_unavailable(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, time = api
    fake.fail_next("chat.postMessage", error="internal_error", status=500, times=2)
    assert (await web.post(CHANNEL, text="hello"))["ok"]
    assert time.sleeps[:2] == [1.0, 2.0]
    fake.fail_next("chat.postMessage", error="service_unavailable", status=503, times=10)
    with pytest.raises(ChatUnavailable):
        await web.post(CHANNEL, text="again")
    assert len(fake.calls_to("chat.postMessage")) == 3 + 5


async def test_a_bad_token_is_unavailable_at_once_never_gone(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, time = api
    fake.fail_next("chat.postMessage", error="invalid_auth")
    with pytest.raises(ChatUnavailable):
        await web.post(CHANNEL, text="hello")
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert time.sleeps == []


async def test_other_refusals_carry_slacks_code(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, _ = api
    with pytest.raises(SlackRefused) as refused:
        await web.call("users.info", params={"user": "U404"})
    assert refused.value.code == "user_not_found"


async def test_response_urls_wait_out_429s_too(
    fake: FakeSlack, api: tuple[SlackWebApi, VirtualTime]
) -> None:
    web, time = api
    fake.fail_next("response_url", retry_after=3)
    await web.respond(fake.api_url.replace("/api/", f"/respond/{CHANNEL}-t1"), {"text": "hi"})
    assert time.sleeps == [3.0]
    assert [p.text for p in fake.posted] == ["hi"]
