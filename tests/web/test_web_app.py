"""The web app: /healthz, /readyz and /metrics against a real store, and mounted routes."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import LimiterRegistry
from osoto_bridge.osoto.keys import key_fingerprint
from osoto_bridge.store import Store, generate_secret_key
from osoto_bridge.web import Readiness, build_web_app

SECRET = generate_secret_key()
KEY = "osk_webtest_" + "k" * 30


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store.open(
        f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}", secret_keys=[SECRET]
    ) as opened:
        yield opened


def client_for(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bridge.test",
    )


async def add_link(store: Store, chat_id: str, *, channel: str = "c1") -> int:
    link = await store.add_link(
        platform="telegram",
        chat_id=chat_id,
        thread_id=None,
        trip_id="t1",
        trip_title="Lisbon",
        channel_id=channel,
        channel_name="general",
        api_key=KEY,
        owner_user_id="u1",
        scopes=["messages:read:t1", "messages:write:t1"],
    )
    return link.id


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_answers_while_the_process_serves(store: Store) -> None:
    app = build_web_app(store=store, readiness=Readiness())
    async with client_for(app) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_follows_the_bridge_from_start_to_stop(store: Store) -> None:
    readiness = Readiness()
    app = build_web_app(store=store, readiness=readiness)
    async with client_for(app) as client:
        before = await client.get("/readyz")
        readiness.mark_started(["telegram", "slack"])
        running = await client.get("/readyz")
        readiness.mark_stopping()
        stopping = await client.get("/readyz")
    assert before.status_code == 503
    assert before.json()["checks"]["adapters"] == {"ok": False, "detail": "not started yet"}
    assert before.json()["checks"]["database"]["ok"] is True
    assert running.status_code == 200
    assert running.json()["status"] == "ready"
    assert running.json()["checks"]["adapters"]["detail"] == "started: telegram, slack"
    assert (
        running.json()["checks"]["migrations"]["detail"] == f"schema version {Store.CODE_VERSION}"
    )
    assert stopping.status_code == 503
    assert stopping.json()["checks"]["adapters"]["detail"] == "stopping"


async def test_readyz_fails_when_the_schema_is_behind_the_code(store: Store) -> None:
    readiness = Readiness()
    readiness.mark_started(["telegram"])
    app = build_web_app(store=store, readiness=readiness)
    async with store.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE store_schema_version SET version = 0"))
    async with client_for(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations["ok"] is False
    assert migrations["detail"] == f"schema version 0, code expects {Store.CODE_VERSION}"


async def test_readyz_and_metrics_report_an_unreachable_database(store: Store) -> None:
    readiness = Readiness()
    readiness.mark_started(["telegram"])
    app = build_web_app(store=store, readiness=readiness)
    await store.close()
    async with client_for(app) as client:
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {"ok": False, "detail": "the store is closed"}
    assert metrics.status_code == 200
    assert samples(metrics.text)[("osoto_bridge_store_up", ())] == 0.0


async def test_metrics_read_the_store_and_the_limiters_at_scrape_time(store: Store) -> None:
    relay = RelayMetrics()
    limiters = LimiterRegistry()
    app = build_web_app(store=store, readiness=Readiness(), metrics=relay, limiters=limiters)
    first = await add_link(store, "-100")
    second = await add_link(store, "-200", channel="c2")
    await store.set_cursor("t1", "c1", "cursor-1")
    relay.polled("t1", "c1")
    entry, _ = await store.enqueue_outbox(
        idempotency_key="telegram:-100:-:7",
        link_id=first,
        trip_id="t1",
        channel_id="c1",
        content="hello",
        parent=None,
        source_platform="telegram",
        source_chat_id="-100",
        source_thread_id=None,
        source_message_id="7",
    )
    limiter = limiters.for_key(KEY)
    ticket = await limiter.acquire()
    limiter.observe(ticket, limit=60, remaining=59)
    limiter.observe(None, retry_after=1.0)  # one 429
    async with client_for(app) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    short = key_fingerprint(KEY).removeprefix("sha256:")
    assert got[("osoto_bridge_store_up", ())] == 1.0
    assert got[("osoto_bridge_outbox_depth", (("status", "pending"),))] == 1.0
    assert got[("osoto_bridge_outbox_depth", (("status", "failed"),))] == 0.0
    assert got[("osoto_bridge_osoto_requests_total", (("key", short),))] == 1.0
    assert got[("osoto_bridge_osoto_rate_limited_total", (("key", short),))] == 1.0
    assert got[("osoto_bridge_links", (("platform", "telegram"), ("state", "enabled")))] == 2.0
    link1 = (("channel", "c1"), ("link", str(first)), ("platform", "telegram"), ("trip", "t1"))
    link2 = (("channel", "c2"), ("link", str(second)), ("platform", "telegram"), ("trip", "t1"))
    assert ("osoto_bridge_cursor_age_seconds", link1) in got
    assert ("osoto_bridge_poll_lag_seconds", link1) in got
    # the second channel has neither a cursor nor a poll yet: no made-up ages
    assert ("osoto_bridge_cursor_age_seconds", link2) not in got
    assert ("osoto_bridge_poll_lag_seconds", link2) not in got
    assert KEY not in response.text
    await store.mark_outbox_failed(entry.id, error="403: forbidden")
    async with client_for(app) as client:
        again = samples((await client.get("/metrics")).text)
    assert again[("osoto_bridge_outbox_depth", (("status", "pending"),))] == 0.0
    assert again[("osoto_bridge_outbox_depth", (("status", "failed"),))] == 1.0


async def test_every_error_kind_is_exported_from_zero(store: Store) -> None:
    app = build_web_app(store=store, readiness=Readiness())
    async with client_for(app) as client:
        got = samples((await client.get("/metrics")).text)
    kinds = {dict(labels)["kind"] for name, labels in got if name == "osoto_bridge_errors_total"}
    assert "osoto_rate_limited" in kinds and "chat_gone" in kinds and "worker_crash" in kinds
    assert all(v == 0.0 for (name, _), v in got.items() if name == "osoto_bridge_errors_total")


async def test_platform_routes_are_mounted_beside_the_probes(store: Store) -> None:
    async def webhook(request: Request) -> Response:
        return PlainTextResponse("update taken: " + (await request.body()).decode())

    app = build_web_app(
        store=store,
        readiness=Readiness(),
        extra_routes=[Route("/telegram/webhook", webhook, methods=["POST"])],
    )
    async with client_for(app) as client:
        response = await client.post("/telegram/webhook", content=b"42")
        missing = await client.get("/nothing-here")
    assert response.text == "update taken: 42"
    assert missing.status_code == 404


def test_the_web_package_exports_a_sorted_complete_surface() -> None:
    package = importlib.import_module("osoto_bridge.web")
    exported = list(package.__all__)
    classes = sorted(name for name in exported if name[:1].isupper())
    functions = sorted(name for name in exported if not name[:1].isupper())
    assert exported == classes + functions
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("osoto_bridge.web.")
    }
    assert public <= set(exported)


async def test_every_refusal_on_a_platform_route_is_logged_and_counted(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14.5: an event refused (503 while starting, 500 from a failing handler)
    is never silent: one log line with its reason, one count by route and status."""

    async def events(request: Request) -> Response:
        if await request.body() == b"boom":
            raise RuntimeError("handler failed")
        return PlainTextResponse("the Slack adapter is still starting", status_code=503)

    metrics = RelayMetrics()
    app = build_web_app(
        store=store,
        readiness=Readiness(),
        metrics=metrics,
        extra_routes=[Route("/slack/events", events, methods=["POST"], name="slack_events")],
    )
    async with client_for(app) as client:
        refused = await client.post("/slack/events", content=b"early")
        with pytest.raises(RuntimeError):
            await client.post("/slack/events", content=b"boom")
        scraped = (await client.get("/metrics")).text
    assert refused.status_code == 503
    found = samples(scraped)
    assert (
        found[("osoto_bridge_events_refused_total", (("route", "slack_events"), ("status", "503")))]
        == 1
    )
    assert (
        found[("osoto_bridge_events_refused_total", (("route", "slack_events"), ("status", "500")))]
        == 1
    )
    assert "slack_events: refused a request with 503: the Slack adapter is still starting" in (
        caplog.text
    )
    assert "slack_events: refused a request with 500" in caplog.text


async def test_readyz_tells_when_no_link_is_served_by_a_started_platform(store: Store) -> None:
    await add_link(store, "-1001")  # a Telegram link
    readiness = Readiness()
    app = build_web_app(store=store, readiness=readiness)
    async with client_for(app) as client:
        readiness.mark_started(["slack"])
        none_served = await client.get("/readyz")
        readiness.mark_started(["slack", "telegram"])
        served = await client.get("/readyz")
    assert none_served.status_code == 503
    assert none_served.json()["checks"]["links"] == {
        "ok": False,
        "detail": "0 served; not served (platform not configured): 1 on telegram",
    }
    assert served.status_code == 200
    assert served.json()["checks"]["links"] == {"ok": True, "detail": "1 served"}


async def test_an_answer_later_than_slack_waits_is_logged_and_counted(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14.5: a 200 after Slack's 3 s is a refusal too (Slack retries it)."""
    now = [0.0]

    async def events(request: Request) -> Response:
        now[0] += 3.5 if await request.body() == b"slow" else 0.5
        return PlainTextResponse("")

    metrics = RelayMetrics()
    app = build_web_app(
        store=store,
        readiness=Readiness(),
        metrics=metrics,
        extra_routes=[Route("/slack/events", events, methods=["POST"], name="slack_events")],
        clock=lambda: now[0],
    )
    async with client_for(app) as client:
        assert (await client.post("/slack/events", content=b"quick")).status_code == 200
        assert (await client.post("/slack/events", content=b"slow")).status_code == 200
        scraped = (await client.get("/metrics")).text
    assert samples(scraped)[("osoto_bridge_events_late_total", (("route", "slack_events"),))] == 1
    assert "slack_events: answered 200 after 3.5s" in caplog.text
