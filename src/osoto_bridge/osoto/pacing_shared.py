"""One key's budget shared by several processes: the PostgreSQL replicas.

Each replica paces a key with its own `RateLimiter`, yet Osoto counts the key's
requests from all of them. With a `SharedBudget` (the store's ``key_budgets`` row
of the key, `store/_budgets.py`), a limiter lets a request through only after
reserving it there: under the row's lock the reservation reads every replica's
requests of the last window, and records this one only if they leave room. So the
key's count is exact in any sliding window, whoever holds the key's channels, when
the lease moves (the new holder's first reservation reads the old holder's minute),
and for the requests made on a replica that does not hold the key (a command
answered where its chat's event arrived, the plan watch, a link being made).

The record is written before the request leaves, never after: a replica killed
between the two leaves a request counted that was never sent (the safe side),
where a batch written later would lose the requests a killed replica made.

Times in the record are the senders' wall clocks (epoch seconds), the one clock
replicas share; the limiter's margin (a second beyond the window) covers their
disagreement. `SharedLog` turns them into the limiter's own clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Reservation", "SharedBudget", "SharedLog"]


@dataclass(frozen=True, slots=True)
class Reservation:
    """What a reservation found in the shared record.

    Attributes:
        granted: the request was recorded and may go out now.
        sends: wall-clock times of the key's requests in the window, every
            process's, this one included when granted.
    """

    granted: bool
    sends: Sequence[float]


class SharedBudget(Protocol):
    """Where replicas record a key's requests (`store/_budgets.py` on PostgreSQL)."""

    async def reserve(self, key: str, *, at: float, horizon: float, room: int) -> Reservation:
        """Under the key's lock: forget the requests older than ``horizon`` before
        ``at``; record one at ``at`` if fewer than ``room`` are left.

        Raises:
            TransportError: the record cannot be reached (the request must wait).
        """
        ...


class SharedLog:
    """A limiter's view of its key's shared record.

    Args:
        budget: the shared record.
        key: the key's fingerprint (the record's name for it).
        wall_clock: epoch seconds (the record's clock).
    """

    def __init__(self, budget: SharedBudget, key: str, wall_clock: Callable[[], float]) -> None:
        self._budget = budget
        self._key = key
        self._wall = wall_clock
        # This process's background requests (wall times): the only ones a poller
        # plans around; the rest of the record is "unplanned" to it.
        self._planned: deque[float] = deque()

    async def reserve(
        self, *, now: float, horizon: float, room: int, background: bool
    ) -> tuple[bool, list[float], list[float]]:
        """Reserve one request at ``now`` (the limiter's clock).

        Returns:
            Whether it was granted, every request of the window and those the
            poller did not plan (others' and interactive ones), sorted, in the
            limiter's clock.
        """
        at = self._wall()
        offset = now - at
        reservation = await self._budget.reserve(self._key, at=at, horizon=horizon, room=room)
        cutoff = at - horizon
        while self._planned and self._planned[0] <= cutoff:
            self._planned.popleft()
        if reservation.granted and background:
            self._planned.append(at)
        planned = set(self._planned)
        sends = sorted(t + offset for t in reservation.sends)
        unplanned = sorted(t + offset for t in reservation.sends if t not in planned)
        return reservation.granted, sends, unplanned
