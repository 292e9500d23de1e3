"""The relay's metrics as the group's story unfolds: real bridge, sandbox, store, chats.

Given a trip channel linked to a Telegram chat and a Slack channel, when messages
cross both ways, then /metrics counts them per path and platform, times them, and
shows each link's poll lag and cursor age and each key's Osoto requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.relay import Bridge
from osoto_bridge.store import fingerprint
from osoto_bridge.web import Readiness, build_web_app
from relay.relay_world import World, eventually, make_world

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = make_world(tmp_path)
    await w.open()
    try:
        yield w
    finally:
        await w.close()
        w.sandbox.close()


async def start(world: World, metrics: RelayMetrics) -> Bridge:
    assert world.store is not None and world.pool is not None
    world.bridge = Bridge(
        store=world.store,
        adapters=[world.telegram, world.slack],
        pool=world.pool,
        timing=world.timing,
        metrics=metrics,
    )
    await world.bridge.start()
    return world.bridge


async def scrape(world: World, metrics: RelayMetrics) -> tuple[str, Samples]:
    assert world.store is not None and world.pool is not None
    readiness = Readiness()
    readiness.mark_started(["telegram", "slack"])
    app = build_web_app(
        store=world.store, readiness=readiness, metrics=metrics, limiters=world.pool.limiters
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge.test") as client:
        text = (await client.get("/metrics")).text
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return text, found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_messages_are_counted_per_path_and_platform(world: World) -> None:
    telegram = await world.link(world.telegram, "tg-1")
    slack = await world.link(world.slack, "C1")
    metrics = RelayMetrics()
    await start(world, metrics)

    world.companion_says("Dinner at 7?")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    await world.telegram.write("tg-1", "Boarding now", author="Alice")
    await world.slack.wait_for(lambda sent: len(sent) == 2)

    async def posted() -> bool:  # Slack's copy does not wait for the Osoto post
        assert world.store is not None
        return await world.store.pending_outbox_count() == 0  # counted with its record

    await eventually(posted)
    text, got = await scrape(world, metrics)
    relayed = "osoto_bridge_messages_relayed_total"
    assert value(got, relayed, path="osoto_to_chat", platform="telegram") == 1
    assert value(got, relayed, path="osoto_to_chat", platform="slack") == 1
    assert value(got, relayed, path="chat_to_osoto", platform="telegram") == 1
    assert value(got, relayed, path="chat_to_chat", platform="slack") == 1
    assert value(got, relayed, path="chat_to_chat", platform="telegram") == 0
    latency = "osoto_bridge_delivery_latency_seconds_count"
    assert value(got, latency, path="osoto_to_chat", platform="slack") == 1
    assert value(got, latency, path="chat_to_osoto", platform="telegram") == 1
    # every delivery here took far less than a minute
    bucket = "osoto_bridge_delivery_latency_seconds_bucket"
    assert value(got, bucket, path="osoto_to_chat", platform="telegram", le="60.0") == 1
    assert value(got, "osoto_bridge_polls_total") >= 1
    assert world.store is not None
    for link in (telegram, slack):
        labels = {
            "link": str(link.id),
            "platform": link.platform,
            "trip": world.trip_id,
            "channel": world.channel_id,
        }
        assert ("osoto_bridge_poll_lag_seconds", tuple(sorted(labels.items()))) in got
        assert 0 <= value(got, "osoto_bridge_cursor_age_seconds", **labels) < 60
    key = fingerprint(world.owner_key)
    assert value(got, "osoto_bridge_osoto_requests_total", key=key) >= 3
    assert value(got, "osoto_bridge_osoto_rate_limited_total", key=key) == 0
    assert value(got, "osoto_bridge_outbox_depth", status="pending") == 0
    assert world.owner_key not in text


async def test_chat_failures_are_counted_by_kind(world: World) -> None:
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    metrics = RelayMetrics()
    await start(world, metrics)
    world.slack.gone_chats.add("C1")
    world.telegram.failures_to_inject = 1

    world.companion_says("Anyone up for a swim?")
    await world.telegram.wait_for(lambda sent: len(sent) == 1)

    async def slack_link_disabled() -> bool:
        assert world.store is not None
        return not any(link.enabled for link in await world.store.list_links(platform="slack"))

    await eventually(slack_link_disabled)
    _, got = await scrape(world, metrics)
    assert value(got, "osoto_bridge_errors_total", kind="chat_unavailable") == 1
    assert value(got, "osoto_bridge_errors_total", kind="chat_gone") == 1
    assert value(got, "osoto_bridge_errors_total", kind="worker_crash") == 0
    assert value(got, "osoto_bridge_links", platform="slack", state="disabled") == 1
