"""Slack's HTTP requests at /slack/events: signatures, URL verification, redeliveries."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from slack_world import BOB, CHANNEL, SlackWorld

from fakes.slack_api import BOT_TOKEN, BOT_USER_ID, SIGNING_SECRET
from osoto_bridge.chat.slack import SlackChat, slack_events_app


async def test_slacks_url_verification_is_answered(world: SlackWorld) -> None:
    await world.start()
    response = await world.deliver(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


async def test_a_bad_signature_is_refused_and_nothing_is_relayed(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, "forged")
    response = await world.deliver(world.fake.event_callback(event), secret="not-the-secret")
    assert response.status_code == 401
    await world.settle()
    assert await world.osoto_messages() == []


async def test_a_stale_signature_is_refused(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, "replayed from long ago")
    payload = world.fake.event_callback(event)
    response = await world.deliver(payload, timestamp=int(time.time()) - 10 * 60)
    assert response.status_code == 401
    fresh = await world.deliver(payload)
    assert fresh.status_code == 200
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == [
        "Bob (Slack): replayed from long ago"
    ]


async def test_an_unsigned_request_is_refused(world: SlackWorld) -> None:
    await world.start()
    assert world.events is not None
    response = await world.events.post("/slack/events", json={"type": "event_callback"})
    assert response.status_code == 401


async def test_a_redelivered_message_is_relayed_once(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, "only once please")
    payload = world.fake.event_callback(event)
    assert (await world.deliver(payload)).status_code == 200
    for retry in (1, 2):
        assert (await world.deliver(payload, retry_num=retry)).status_code == 200
    await world.settle()
    assert len(await world.osoto_messages()) == 1


async def test_only_a_retry_reads_whether_its_event_was_handled(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first delivery cannot have been handled (the outbox's idempotency keys would
    # still catch one that raced): the mark is read for a retry only.
    await world.link()
    await world.start()
    asked: list[list[str]] = []
    seen_among = world.store.seen_among

    async def counted(platform: str, event_ids: Any) -> set[str]:
        asked.append(list(event_ids))
        return await seen_among(platform, event_ids)

    monkeypatch.setattr(world.store, "seen_among", counted)
    payload = world.fake.event_callback(world.fake.message_event(CHANNEL, BOB, "first"))
    assert (await world.deliver(payload)).status_code == 200
    assert asked == []
    assert (await world.deliver(payload, retry_num=1)).status_code == 200
    assert asked == [[payload["event_id"]]]
    await world.settle()
    assert len(await world.osoto_messages()) == 1


async def test_a_redelivered_key_warning_is_given_once(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, f"key: {world.owner_key}")
    payload = world.fake.event_callback(event)
    for retry in (None, 1):
        assert (await world.deliver(payload, retry_num=retry)).status_code == 200
    await world.settle()
    assert len(world.fake.posted) == 1
    assert len(world.fake.calls_to("chat.delete")) == 1


async def test_a_redelivered_command_is_answered_once(world: SlackWorld) -> None:
    await world.link()
    await world.start()
    event = world.fake.message_event(CHANNEL, BOB, f"<@{BOT_USER_ID}> help")
    mention = {**event, "type": "app_mention"}
    payload = world.fake.event_callback(mention)
    for retry in (None, 1):
        assert (await world.deliver(payload, retry_num=retry)).status_code == 200
    # the message event of the same text is Slack's other copy: no relay, no answer
    assert (await world.deliver(world.fake.event_callback(event))).status_code == 200
    await world.settle()
    assert len(world.fake.posted) == 1
    assert world.fake.posted[0].thread_ts == event["ts"]
    assert await world.osoto_messages() == []


async def test_events_the_bridge_does_not_use_are_acknowledged(world: SlackWorld) -> None:
    await world.start()
    reaction = {"type": "reaction_added", "user": BOB, "reaction": "tada", "event_ts": "1.2"}
    response = await world.deliver(world.fake.event_callback(reaction))
    assert response.status_code == 200


async def test_before_start_slack_is_told_to_come_back(world: SlackWorld) -> None:
    chat = world.new_chat(start_wait=0.0)  # never started: refused once the wait is over
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slack_events_app(chat)), base_url="http://bridge.test"
    ) as client:
        event = world.fake.message_event(CHANNEL, BOB, "too early")
        response = await world.fake.deliver(client, world.fake.event_callback(event))
    assert response.status_code == 503


async def test_in_socket_mode_the_http_route_takes_nothing(world: SlackWorld) -> None:
    chat = SlackChat(bot_token=BOT_TOKEN, app_token="xapp-1-fake", api_url=world.fake.api_url)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slack_events_app(chat)), base_url="http://bridge.test"
    ) as client:
        event = world.fake.message_event(CHANNEL, BOB, "wrong door")
        response = await world.fake.deliver(client, world.fake.event_callback(event))
    assert response.status_code == 503


def test_http_events_need_a_signing_secret() -> None:
    with pytest.raises(ValueError, match="SIGNING_SECRET"):
        SlackChat(bot_token=BOT_TOKEN)
    assert SlackChat(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET).socket_mode is False


async def test_an_event_arriving_while_the_adapter_starts_waits_and_is_relayed(
    world: SlackWorld,
) -> None:
    """Issue 14.5: the HTTP server is up before the adapter; an event in between is
    taken in once the start completes, not refused with 503."""
    await world.link()
    release = world.fake.hold("auth.test")
    chat = world.new_chat(start_wait=30.0)
    starting = asyncio.create_task(world.start(chat))
    await world.fake.wait_for(lambda: "auth.test" in world.fake.waiting)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slack_events_app(chat)), base_url="http://bridge.test"
    ) as client:
        event = world.fake.message_event(CHANNEL, BOB, "just in time")
        delivering = asyncio.create_task(
            world.fake.deliver(client, world.fake.event_callback(event))
        )
        for _ in range(20):  # the request reaches the adapter and waits there
            await asyncio.sleep(0)
        assert not delivering.done()
        release.set()
        await starting
        response = await delivering
    assert response.status_code == 200
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == ["Bob (Slack): just in time"]


async def test_an_event_arriving_before_the_start_begins_waits_and_is_relayed(
    world: SlackWorld,
) -> None:
    """Issue 14.5: the bridge starts its adapters one after another, after the HTTP
    server; an event that comes before this adapter's start even began is held for
    it (within Slack's 3 s), not refused."""
    await world.link()
    chat = world.new_chat(start_wait=30.0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=slack_events_app(chat)), base_url="http://bridge.test"
    ) as client:
        event = world.fake.message_event(CHANNEL, BOB, "very early")
        delivering = asyncio.create_task(
            world.fake.deliver(client, world.fake.event_callback(event))
        )
        for _ in range(20):
            await asyncio.sleep(0)
        assert not delivering.done()
        await world.start(chat)
        response = await delivering
    assert response.status_code == 200
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == ["Bob (Slack): very early"]


async def test_slack_is_answered_only_after_the_line_is_committed(world: SlackWorld) -> None:
    """Ack after commit: while the store's write is held, Slack has no answer; once
    it is done, the 200 comes and the line is in the outbox."""
    await world.link()
    await world.start()
    store = world.store
    written = store.ingest
    entered, release = asyncio.Event(), asyncio.Event()

    async def held_ingest(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await release.wait()
        return await written(*args, **kwargs)

    world.osoto.open.clear()  # and Osoto slow: the posting waits behind the answer
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "ingest", held_ingest)
        event = world.fake.message_event(CHANNEL, BOB, "persist me first")
        delivering = asyncio.create_task(world.deliver(world.fake.event_callback(event)))
        async with asyncio.timeout(5):
            await entered.wait()
        for _ in range(20):
            await asyncio.sleep(0)
        assert not delivering.done()  # no answer before the commit
        assert await store.pending_outbox_count() == 0
        release.set()
        response = await delivering
    assert response.status_code == 200
    # Answered with the line persisted, and before any of the work after it.
    assert await store.pending_outbox_count() == 1
    world.osoto.open.set()
    await world.settle()
    assert [m.content for m in await world.osoto_messages()] == ["Bob (Slack): persist me first"]


async def test_a_command_is_acknowledged_before_its_work_under_a_slow_osoto(
    world: SlackWorld,
) -> None:
    """Work after the ack: with Osoto holding every request, the slash command is
    answered 200 at once; its answer (which needs the trip) comes once Osoto does."""
    await world.link()
    await world.start()
    world.osoto.open.clear()
    response = await world.slash(BOB, "where tuesday")
    assert response.status_code == 200
    assert world.fake.posted == []  # the work has not run: it waits for Osoto
    world.osoto.open.set()
    await world.settle()
    (answer,) = world.fake.posted
    assert "Dec" in answer.text
