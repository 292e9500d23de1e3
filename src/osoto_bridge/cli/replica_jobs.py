"""The exclusive jobs of PostgreSQL replicas, as `run` wires them (`relay/replicas.py`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from osoto_bridge.chat.base import ChatAdapter
from osoto_bridge.metrics import RelayMetrics, ReplicaMetrics
from osoto_bridge.osoto import LimiterRegistry
from osoto_bridge.relay.bridge import BackgroundService
from osoto_bridge.relay.replicas import (
    TELEGRAM_POLLER,
    ExclusiveJob,
    ReplicaCoordinator,
)
from osoto_bridge.relay.shared_pacing import StoreBudget
from osoto_bridge.store import Store
from osoto_bridge.util import RateShare

if TYPE_CHECKING:
    from osoto_bridge.chat.telegram import TelegramChat

__all__ = [
    "ServiceJob",
    "TelegramPollerJob",
    "build_coordinator",
    "is_replicated",
    "shared_limiters",
]


def is_replicated(database_url: str) -> bool:
    """Whether `run` shares its work with other replicas (PostgreSQL)."""
    return database_url.startswith("postgresql")


def shared_limiters(store: Store) -> LimiterRegistry:
    """The keys' limiters of a replica: each request reserved in the shared record,
    so a key's budget holds across every replica (`osoto/pacing_shared.py`)."""
    return LimiterRegistry(shared=StoreBudget(store))


class ServiceJob:
    """A bridge background service (the plan watch) run while its lease is held."""

    def __init__(self, service: BackgroundService, name: str) -> None:
        self._service = service
        self._name = name
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._service.run(), name=f"replicas:{self._name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._service.stop()
            await asyncio.gather(task, return_exceptions=True)


class TelegramPollerJob:
    """Telegram's long polling, on the one replica leasing it (two would get 409)."""

    def __init__(self, adapter: TelegramChat) -> None:
        self._adapter = adapter

    async def start(self) -> None:
        await self._adapter.start_polling()

    async def stop(self) -> None:
        await self._adapter.stop_polling()


def build_coordinator(
    *,
    store: Store,
    replica_id: str,
    ttl: float,
    adapters: Sequence[ChatAdapter],
    services: dict[str, BackgroundService],
    metrics: RelayMetrics,
    share: RateShare | None = None,
) -> ReplicaCoordinator:
    """The coordinator of this replica, with the jobs one replica runs for all.

    Args:
        services: background services by lease name (`PLAN_WATCH`).
        share: the adapters' part of the bots' rates, sized by each lease round.
    """
    from osoto_bridge.chat.telegram import TelegramChat

    exclusive: dict[str, ExclusiveJob] = {
        name: ServiceJob(service, name) for name, service in services.items()
    }
    for adapter in adapters:
        if isinstance(adapter, TelegramChat) and adapter.webhook_url is None:
            exclusive[TELEGRAM_POLLER] = TelegramPollerJob(adapter)
    return ReplicaCoordinator(
        store=store,
        replica_id=replica_id,
        ttl=ttl,
        exclusive=exclusive,
        metrics=ReplicaMetrics(metrics.registry, clock=time.monotonic),
        share=share,
    )
