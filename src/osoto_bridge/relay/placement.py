"""What the bridge and its pages ask of the replicas' coordination, and the unit names.

The relay's workers and the web's /readyz need only this: which units this replica
runs (`Placement`), what a job one replica runs looks like (`ExclusiveJob`), and
this replica's part (`ReplicaStatus`). The coordination itself, leases in
PostgreSQL, is `relay/replicas.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from osoto_bridge.store import Link

__all__ = [
    "PLAN_WATCH",
    "TELEGRAM_POLLER",
    "ExclusiveJob",
    "Placement",
    "ReplicaStatus",
    "unit_of",
]

TELEGRAM_POLLER = "telegram-poller"
"""The exclusive unit of Telegram long polling (two pollers would get 409 Conflict)."""
PLAN_WATCH = "plan-watch"
"""The exclusive unit of the announcements' plan fetches."""


def unit_of(links: Sequence[Link]) -> str:
    """The balanced unit of a channel's links: its lowest API key id."""
    return f"key:{min(link.key_id for link in links)}"


class Placement(Protocol):
    """What the bridge asks of the replicas' coordination."""

    def holds(self, unit: str) -> bool:
        """Whether this replica runs the channels of ``unit`` now."""

    def offer(self, units: Collection[str]) -> None:
        """Every balanced unit there is (from the bridge's read of the links)."""

    def wake(self, trip_id: str, channel_id: str) -> None:
        """Wake the holder of a channel this replica does not run."""


class ExclusiveJob(Protocol):
    """A job one replica of the deployment runs (the Telegram long poller)."""

    async def start(self) -> None:
        """Begin (the lease was taken)."""

    async def stop(self) -> None:
        """End, finishing what is in hand (the lease is about to be given up)."""


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """This replica's part, for /readyz.

    Attributes:
        replica_id: its name.
        balanced: balanced units held.
        units: balanced units there are.
        exclusive: exclusive jobs it runs.
        live_replicas: live replicas, as the last round saw.
        confirmed: a lease round succeeded within the fence time.
    """

    replica_id: str
    balanced: int
    units: int
    exclusive: tuple[str, ...]
    live_replicas: int
    confirmed: bool

    @property
    def standing_by(self) -> bool:
        return self.balanced == 0 and not self.exclusive

    def describe(self) -> str:
        jobs = f" and {', '.join(self.exclusive)}" if self.exclusive else ""
        if self.standing_by:
            what = "standing by (holds no lease)"
        else:
            what = f"holding {self.balanced} of {self.units} key lease(s){jobs}"
        return f"replica {self.replica_id}: {what}; {self.live_replicas} live replica(s)"
