"""Metrics read when Prometheus scrapes: the store's state and the Osoto clients' pacing.

The relay counts events as they happen (`osoto_bridge.metrics.RelayMetrics`); what is
a *state* (how deep the outbox is, how old each cursor, how many requests each key
made) is read at scrape time instead, so it is right however many replicas share the
database and needs no bookkeeping in the relay.

`StateCollector.refresh(store)` reads the store (async, before the scrape renders);
`collect()` (called by prometheus-client while rendering) turns that reading and the
limiters' snapshots into metric families. API keys appear only as their store
fingerprint (12 hex digits of the SHA-256), never themselves.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import LimiterRegistry
from osoto_bridge.store import Link, OutboxStats, Store, StoreError

__all__ = ["StateCollector", "StoreReading"]

logger = logging.getLogger(__name__)

_LINK_LABELS = ["link", "platform", "trip", "channel"]


@dataclass(frozen=True)
class StoreReading:
    """What one scrape read from the store."""

    links: tuple[Link, ...]
    cursor_updates: dict[tuple[str, str], float]
    outbox: OutboxStats
    read_at: float


class StateCollector(Collector):
    """Scrape-time gauges and counters of the store and the per-key limiters.

    Args:
        relay: the relay's instruments (for when each channel was last polled).
        limiters: the Osoto clients' per-key limiters, if the process has clients.
        timeout: seconds a scrape waits for the store before reporting it down.
    """

    def __init__(
        self,
        *,
        relay: RelayMetrics,
        limiters: LimiterRegistry | None = None,
        timeout: float = 5.0,
    ) -> None:
        self._relay = relay
        self._limiters = limiters
        self._timeout = timeout
        self._reading: StoreReading | None = None
        self._store_up = False

    async def refresh(self, store: Store) -> None:
        """Read the store for the next `collect` (a failure reports it down)."""
        try:
            async with asyncio.timeout(self._timeout):
                links = await store.list_links()
                cursor_updates = await store.cursor_updates()
                outbox = await store.outbox_stats()
        except (StoreError, TimeoutError) as exc:
            logger.warning("metrics: could not read the store: %s", exc or type(exc).__name__)
            self._store_up = False
            self._reading = None
            return
        self._store_up = True
        self._reading = StoreReading(tuple(links), cursor_updates, outbox, self._relay.now())

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "osoto_bridge_store_up", "1 when the last scrape could read the store, else 0"
        )
        up.add_metric([], 1.0 if self._store_up else 0.0)
        yield up
        if self._reading is not None:
            yield from self._store_metrics(self._reading)
        if self._limiters is not None:
            yield from self._limiter_metrics(self._limiters)

    def _store_metrics(self, reading: StoreReading) -> Iterator[Metric]:
        now = reading.read_at
        links = GaugeMetricFamily(
            "osoto_bridge_links",
            "Linked chats, by platform and state",
            labels=["platform", "state"],
        )
        counts: dict[tuple[str, str], int] = {}
        for link in reading.links:
            key = (link.platform, "enabled" if link.enabled else "disabled")
            counts[key] = counts.get(key, 0) + 1
        for (platform, state), count in sorted(counts.items()):
            links.add_metric([platform, state], float(count))
        yield links

        cursor_age = GaugeMetricFamily(
            "osoto_bridge_cursor_age_seconds",
            "Seconds since the link's channel cursor last moved (any replica)",
            labels=_LINK_LABELS,
        )
        poll_lag = GaugeMetricFamily(
            "osoto_bridge_poll_lag_seconds",
            "Seconds since this process last fetched the link's channel from Osoto",
            labels=_LINK_LABELS,
        )
        for link in reading.links:
            if not link.enabled:
                continue
            labels = [str(link.id), link.platform, link.trip_id, link.channel_id]
            updated = reading.cursor_updates.get((link.trip_id, link.channel_id))
            if updated is not None:
                cursor_age.add_metric(labels, _age(now, updated))
            polled = self._relay.last_poll(link.trip_id, link.channel_id)
            if polled is not None:
                poll_lag.add_metric(labels, _age(now, polled))
        yield cursor_age
        yield poll_lag

        depth = GaugeMetricFamily(
            "osoto_bridge_outbox_depth",
            "Chat messages in the outbox: pending (to post) or failed (refused for good)",
            labels=["status"],
        )
        depth.add_metric(["pending"], float(reading.outbox.pending))
        depth.add_metric(["failed"], float(reading.outbox.failed))
        yield depth
        oldest = GaugeMetricFamily(
            "osoto_bridge_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox entry (0 when none waits)",
        )
        waiting_since = reading.outbox.oldest_pending_at
        oldest.add_metric([], 0.0 if waiting_since is None else _age(now, waiting_since))
        yield oldest

    def _limiter_metrics(self, limiters: LimiterRegistry) -> Iterator[Metric]:
        snapshots = limiters.snapshot()
        requests = CounterMetricFamily(
            "osoto_bridge_osoto_requests",
            "Requests to Osoto let through by the key's limiter",
            labels=["key"],
        )
        limited = CounterMetricFamily(
            "osoto_bridge_osoto_rate_limited",
            "429 answers from Osoto, by key",
            labels=["key"],
        )
        remaining = GaugeMetricFamily(
            "osoto_bridge_osoto_budget_remaining",
            "Requests the key may still make in the current window",
            labels=["key"],
        )
        waiting = GaugeMetricFamily(
            "osoto_bridge_osoto_requests_waiting",
            "Requests waiting for the key's limiter, by priority",
            labels=["key", "priority"],
        )
        for raw, snap in sorted(snapshots.items()):
            key = _short(raw)
            requests.add_metric([key], float(snap.granted))
            limited.add_metric([key], float(snap.rate_limited))
            remaining.add_metric([key], float(snap.remaining))
            waiting.add_metric([key, "interactive"], float(snap.waiting_interactive))
            waiting.add_metric([key, "background"], float(snap.waiting_background))
        yield requests
        yield limited
        yield remaining
        yield waiting


def _age(now: float, then: float) -> float:
    age = now - then
    return age if math.isfinite(age) and age > 0 else 0.0


def _short(fingerprint: str) -> str:
    """The limiter's ``sha256:<12 hex>`` as the store shows keys (``links list``)."""
    return fingerprint.removeprefix("sha256:")
