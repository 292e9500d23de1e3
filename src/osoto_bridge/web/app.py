"""The bridge's one ASGI app: health, readiness, metrics, and the platforms' routes.

```
GET /healthz   200 while the process serves requests (liveness)
GET /readyz    200 when the database answers, its schema is current, the bridge's
               adapters are started and they serve some enabled link (or none
               exists); 503 otherwise, with the failing check named
GET /metrics   Prometheus text: the relay's instruments and the scrape-time state
GET /share/…   the shared trip's page and calendar feed (`web.share`), when mounted
```

The chat platforms' endpoints (Telegram's webhook, Slack's events URL) come in as
``extra_routes``: this module knows nothing of the platforms, the run command mounts
what each configured adapter offers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import LimiterRegistry
from osoto_bridge.relay.placement import ReplicaStatus
from osoto_bridge.store import Store, StoreError
from osoto_bridge.web.state_metrics import StateCollector

__all__ = ["Readiness", "build_web_app"]

logger = logging.getLogger(__name__)

_CHECK_TIMEOUT = 2.0


@dataclass
class Readiness:
    """The bridge's side of readiness, set by whoever runs it.

    Attributes:
        platforms: the chat platforms whose adapters started.
        started: the bridge (workers and adapters) is running.
        stopping: shutdown began: take this replica out of the load balancer.
        leases: PostgreSQL replicas: what this replica holds (None: one process,
            which runs everything).
    """

    platforms: tuple[str, ...] = field(default=())
    started: bool = False
    stopping: bool = False
    leases: Callable[[], ReplicaStatus] | None = None

    def mark_started(self, platforms: Sequence[str]) -> None:
        """The bridge and the adapters of ``platforms`` are up."""
        self.platforms = tuple(platforms)
        self.started = True

    def mark_stopping(self) -> None:
        """Shutdown began: report not ready from now on."""
        self.stopping = True


@dataclass(frozen=True)
class _Check:
    ok: bool
    detail: str


async def _database_checks(store: Store, limit: float) -> dict[str, _Check]:
    try:
        async with asyncio.timeout(limit):
            version = await store.schema_version()
    except TimeoutError:
        failed = _Check(False, f"no answer within {limit:g}s")
        return {"database": failed, "migrations": _Check(False, "unknown")}
    except StoreError as exc:
        return {"database": _Check(False, str(exc)), "migrations": _Check(False, "unknown")}
    code = Store.CODE_VERSION
    if version == code:
        migrations = _Check(True, f"schema version {version}")
    else:
        migrations = _Check(False, f"schema version {version}, code expects {code}")
    return {"database": _Check(True, "reachable"), "migrations": migrations}


def _adapter_check(readiness: Readiness) -> _Check:
    if readiness.stopping:
        return _Check(False, "stopping")
    if not readiness.started:
        return _Check(False, "not started yet")
    return _Check(True, "started: " + (", ".join(readiness.platforms) or "none"))


async def _links_check(store: Store, readiness: Readiness, limit: float) -> _Check | None:
    # Links on a platform with no adapter here are never served: when that is every
    # link, this replica does no work, whatever else answers.
    if not readiness.started or readiness.stopping:
        return None  # the adapters check says why
    try:
        async with asyncio.timeout(limit):
            links = await store.list_links(enabled_only=True)
    except (TimeoutError, StoreError):
        return None  # the database check says why
    unserved = Counter(link.platform for link in links if link.platform not in readiness.platforms)
    served = len(links) - sum(unserved.values())
    if not unserved:
        return _Check(True, f"{served} served")
    missing = ", ".join(f"{n} on {platform}" for platform, n in sorted(unserved.items()))
    detail = f"{served} served; not served (platform not configured): {missing}"
    return _Check(served > 0, detail)


def _leases_check(readiness: Readiness) -> _Check | None:
    # A replica standing by is ready: it takes webhooks and events for every link
    # (the holder drains them) and takes over leases when another replica fails.
    if readiness.leases is None:
        return None
    status = readiness.leases()
    if not status.confirmed:
        return _Check(False, status.describe() + "; leases not renewed lately")
    return _Check(True, status.describe())


def build_web_app(
    *,
    store: Store,
    readiness: Readiness,
    metrics: RelayMetrics | None = None,
    limiters: LimiterRegistry | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    pages: Sequence[BaseRoute] = (),
    check_timeout: float = _CHECK_TIMEOUT,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """Build the bridge's ASGI app (once per `RelayMetrics`: it registers its
    scrape-time collector in their registry).

    Args:
        store: the bridge's state (checked by /readyz, read by /metrics).
        readiness: the bridge's running state, as the run command sets it.
        metrics: the relay's instruments; /metrics serves their registry (a new,
            empty set when omitted).
        limiters: the Osoto clients' per-key limiters (`ClientPool.limiters`), read
            at each scrape.
        extra_routes: the chat platforms' routes (Telegram webhook, Slack events).
        pages: routes people open in a browser (the share page, `share_routes`):
            their 404s are answers, not refusals, so they are not counted as such.
        check_timeout: seconds /readyz and /metrics wait for the database.
        clock: monotonic seconds, to tell a platform request answered too late.
    """
    relay = metrics if metrics is not None else RelayMetrics()
    collector = StateCollector(relay=relay, limiters=limiters, timeout=check_timeout)
    relay.registry.register(collector)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = await _database_checks(store, check_timeout)
        checks["adapters"] = _adapter_check(readiness)
        links = await _links_check(store, readiness, check_timeout)
        if links is not None:
            checks["links"] = links
        leases = _leases_check(readiness)
        if leases is not None:
            checks["leases"] = leases
        ready = all(check.ok for check in checks.values())
        body = {
            "status": "ready" if ready else "not ready",
            "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    async def metrics_endpoint(request: Request) -> Response:
        await collector.refresh(store)
        return Response(generate_latest(relay.registry), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
        Route("/metrics", metrics_endpoint, methods=["GET"], name="metrics"),
        *(_watched(route, relay, clock) for route in extra_routes),
        *pages,
    ]
    return Starlette(routes=routes)


ANSWER_WITHIN = 3.0
"""Seconds a platform waits for an answer (Slack's 3 s) before it takes it as refused."""


def _watched(route: BaseRoute, metrics: RelayMetrics, clock: Callable[[], float]) -> BaseRoute:
    """``route`` with every refusal it answers logged with its reason and counted.

    A platform whose event is refused delivers it again a few times, then gives up:
    an error answer is never silent (log line and `osoto_bridge_events_refused`), and
    neither is an answer later than the platform waits (`ANSWER_WITHIN`: Slack
    takes it as a failure and delivers again; `osoto_bridge_events_late`).
    """
    if not isinstance(route, Route):
        return route
    inner = route.endpoint
    name = route.name or route.path

    async def endpoint(request: Request) -> Response:
        started = clock()
        try:
            response: Response = await inner(request)
        except Exception:
            metrics.event_refused(name, 500)
            logger.exception("%s: refused a request with 500: the handler failed", name)
            raise
        if response.status_code >= 400:
            body = bytes(getattr(response, "body", b""))[:200]  # a stream has none
            reason = body.decode("utf-8", "replace") or "no reason given"
            metrics.event_refused(name, response.status_code)
            logger.warning("%s: refused a request with %d: %s", name, response.status_code, reason)
        took = clock() - started
        if took > ANSWER_WITHIN:
            metrics.event_late(name)
            logger.warning(
                "%s: answered %d after %.1fs, later than the platform waits (%.0fs): it "
                "counts the request as failed and delivers it again",
                name,
                response.status_code,
                took,
                ANSWER_WITHIN,
            )
        return response

    return Route(route.path, endpoint, methods=route.methods, name=route.name)
