"""The relay's Prometheus instruments, in a registry of their own (never the global one).

`RelayMetrics` holds what the relay counts as it works: messages relayed per path
and platform, delivery latency, polls, errors by kind. What is better read when
Prometheus scrapes (outbox depth, cursor age, the Osoto clients' limiter counts) is
collected then by `osoto_bridge.web.StateCollector` into the same registry.

Paths, as the ``path`` label:

| path | counted when | latency measured from |
|---|---|---|
| ``osoto_to_chat`` | an Osoto message reached a chat | its Osoto creation time |
| ``chat_to_osoto`` | a chat message was posted to Osoto | its outbox entry's creation |
| ``chat_to_chat`` | a chat message reached another linked chat | its Osoto creation time |

The ``platform`` label is the chat's platform: the destination for ``*_to_chat``, the
source for ``chat_to_osoto``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

from osoto_bridge.errors import BridgeError

__all__ = [
    "ERROR_KINDS",
    "LATENCY_BUCKETS",
    "ErrorKind",
    "RelayMetrics",
    "RelayPath",
    "ReplicaMetrics",
    "error_kind",
]

RelayPath = Literal["osoto_to_chat", "chat_to_osoto", "chat_to_chat"]

ErrorKind = Literal[
    "osoto_rate_limited",
    "osoto_server",
    "osoto_transport",
    "osoto_unauthorized",
    "osoto_refused",
    "chat_unavailable",
    "chat_gone",
    "chat_refused",
    "worker_crash",
    "inbound",
    "other",
]
ERROR_KINDS: tuple[ErrorKind, ...] = (
    "osoto_rate_limited",
    "osoto_server",
    "osoto_transport",
    "osoto_unauthorized",
    "osoto_refused",
    "chat_unavailable",
    "chat_gone",
    "chat_refused",
    "worker_crash",
    "inbound",
    "other",
)

_KINDS: dict[str, ErrorKind] = {kind: kind for kind in ERROR_KINDS}

# From "at once" to "the bridge was down for a while": a relay normally answers in
# about a poll interval (1 s active, 20 s idle).
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 300.0, 1800.0)


def error_kind(exc: BaseException) -> ErrorKind:
    """The ``kind`` label of an error (a small fixed set, whatever the exception).

    Each of the bridge's errors names its own kind (`BridgeError.kind`), so the
    metrics need not know the rooms (or the platforms) that raise them.
    """
    kind = exc.kind if isinstance(exc, BridgeError) else "other"
    return _KINDS.get(kind, "other")


class RelayMetrics:
    """Counters and histograms the relay updates as it works.

    Args:
        registry: where the instruments live; a new private registry by default.
        wall_clock: epoch seconds, to measure latency from Osoto's timestamps.
    """

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        # Every counter and histogram would also export a `_created` series (when it
        # was made): noise on a dashboard, and twice the series. prometheus_client
        # reads this switch when scraped; it is process-wide, and the bridge owns its
        # process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in the library
        self.registry = registry if registry is not None else CollectorRegistry()
        self._wall_clock = wall_clock
        self.relayed = Counter(
            "osoto_bridge_messages_relayed",
            "Messages relayed, by path and chat platform",
            ["path", "platform"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "osoto_bridge_delivery_latency_seconds",
            "Seconds from a message's creation to its delivery, by path and chat platform",
            ["path", "platform"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.polls = Counter(
            "osoto_bridge_polls",
            "Pages of Osoto messages fetched by the channel pollers",
            registry=self.registry,
        )
        self.polls_deferred = Counter(
            "osoto_bridge_polls_deferred",
            "Polls put off to a later pass because the key's polling budget was spent",
            registry=self.registry,
        )
        self.errors = Counter(
            "osoto_bridge_errors",
            "Errors by kind (Osoto, chat platforms, the relay's own)",
            ["kind"],
            registry=self.registry,
        )
        self.events_refused = Counter(
            "osoto_bridge_events_refused",
            "Requests on the chat platforms' routes (webhooks, events) answered with an error",
            ["route", "status"],
            registry=self.registry,
        )
        self.events_late = Counter(
            "osoto_bridge_events_late",
            "Requests on the chat platforms' routes answered later than the platform "
            "waits (Slack: 3 s), which it counts as failed and delivers again",
            ["route"],
            registry=self.registry,
        )
        self.replies_unthreaded = Counter(
            "osoto_bridge_replies_unthreaded",
            "Chat replies relayed with a quote because their parent's id is not known",
            ["platform"],
            registry=self.registry,
        )
        self.coalesced = Counter(
            "osoto_bridge_lines_coalesced",
            "Lines sent merged with others (a destination's pacer held them), by destination",
            ["destination"],
            registry=self.registry,
        )
        for kind in ERROR_KINDS:
            # Present from the start, at 0: a rate() over a series that appears only
            # with its first error misses that error.
            self.errors.labels(kind=kind)
        self._last_poll: dict[tuple[str, str], float] = {}

    def now(self) -> float:
        """The wall clock the latencies are measured with."""
        return self._wall_clock()

    def message_relayed(self, path: RelayPath, platform: str, *, created_at: float) -> None:
        """Count one message relayed on ``path``; ``created_at`` in epoch seconds."""
        self.relayed.labels(path=path, platform=platform).inc()
        # Clocks of two machines: a message "from the future" counts as instant.
        latency = max(0.0, self._wall_clock() - created_at)
        self.latency.labels(path=path, platform=platform).observe(latency)

    def error(self, kind: ErrorKind) -> None:
        """Count one error of ``kind``."""
        self.errors.labels(kind=kind).inc()

    def failed(self, exc: BaseException) -> None:
        """Count ``exc`` under its kind."""
        self.error(error_kind(exc))

    def polled(self, trip_id: str, channel_id: str) -> None:
        """Note a page fetched for a channel (for poll lag at scrape time)."""
        self.polls.inc()
        self._last_poll[(trip_id, channel_id)] = self._wall_clock()

    def event_refused(self, route: str, status: int) -> None:
        """Count one platform request answered ``status`` (an error) on ``route``."""
        self.events_refused.labels(route=route, status=str(status)).inc()

    def event_late(self, route: str) -> None:
        """Count one platform request on ``route`` answered too late."""
        self.events_late.labels(route=route).inc()

    def reply_unthreaded(self, platform: str) -> None:
        """Count a reply whose parent the bridge never learned the id of (quoted)."""
        self.replies_unthreaded.labels(platform=platform).inc()

    def messages_coalesced(self, destination: str, lines: int) -> None:
        """Count ``lines`` sent as one merged message to ``destination`` (osoto, a platform)."""
        self.coalesced.labels(destination=destination).inc(lines)

    def poll_deferred(self) -> None:
        """Note a poll put off because the key had no budget for it yet."""
        self.polls_deferred.inc()

    def last_poll(self, trip_id: str, channel_id: str) -> float | None:
        """When this process last fetched the channel's messages (epoch), if ever."""
        return self._last_poll.get((trip_id, channel_id))


class ReplicaMetrics:
    """What a PostgreSQL replica's lease rounds show (`relay/replicas.py`).

    Args:
        registry: the registry of the process's `RelayMetrics`.
        clock: monotonic seconds, for the age of the last lease round.
    """

    def __init__(self, registry: CollectorRegistry, *, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._renewed_at: float | None = None
        self.held = Gauge(
            "osoto_bridge_leases_held",
            "Work leases this replica holds: balanced (a key's channels) or exclusive jobs",
            ["kind"],
            registry=registry,
        )
        self.live = Gauge(
            "osoto_bridge_replicas_live",
            "Replicas whose heartbeat has not expired, as this replica last saw",
            registry=registry,
        )
        self.takeovers = Counter(
            "osoto_bridge_lease_takeovers",
            "Leases this replica took from a holder whose lease had expired",
            registry=registry,
        )
        self.takeover_lag = Histogram(
            "osoto_bridge_lease_takeover_lag_seconds",
            "Seconds a taken-over unit stood unattended past its lease's expiry",
            buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
            registry=registry,
        )
        self.lease_lag = Gauge(
            "osoto_bridge_lease_lag_seconds",
            "Seconds since this replica last renewed its leases (alarm near the lease TTL)",
            registry=registry,
        )
        self.lease_lag.set_function(self._lag)
        for kind in ("balanced", "exclusive"):
            self.held.labels(kind=kind)

    def _lag(self) -> float:
        return 0.0 if self._renewed_at is None else self._clock() - self._renewed_at

    def round_done(self, *, balanced: int, exclusive: int, live: int, lags: list[float]) -> None:
        """Record one successful lease round (and the takeovers it made)."""
        self._renewed_at = self._clock()
        self.held.labels(kind="balanced").set(balanced)
        self.held.labels(kind="exclusive").set(exclusive)
        self.live.set(live)
        for lag in lags:
            self.takeovers.inc()
            self.takeover_lag.observe(lag)
