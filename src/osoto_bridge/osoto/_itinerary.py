"""Endpoints of a trip's itinerary: legs and commitments (scheduled events).

Each kind has `list_*` (one page), `iterate_*` (every item, across pages),
`create_*`, `update_*` and `delete_*`; legs also `batch_upsert_legs`. Field
arguments are snake_case and go out camelCase.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from osoto_bridge.osoto._base import ClientBase, WireItem, body_of, seg, trip_path
from osoto_bridge.osoto.models import (
    Accommodation,
    BatchResult,
    Commitment,
    Flight,
    Leg,
    Page,
    RentalCar,
)
from osoto_bridge.osoto.pacing import Priority

__all__ = ["CommitmentEndpoints", "LegEndpoints"]

_I = Priority.INTERACTIVE


class LegEndpoints(ClientBase):
    """The legs of a trip: where the group is, between which dates."""

    async def list_legs(
        self,
        trip_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        priority: Priority = _I,
    ) -> Page[Leg]:
        """One page of a trip's legs, in order (`limit` default 100, max 200)."""
        return await self._page(
            trip_path(trip_id, "legs"), Leg, priority=priority, limit=limit, cursor=cursor
        )

    def iterate_legs(
        self, trip_id: str, *, limit: int | None = None, priority: Priority = _I
    ) -> AsyncIterator[Leg]:
        """Every leg of a trip, in order, fetching pages as needed."""
        return self._iterate(trip_path(trip_id, "legs"), Leg, priority=priority, limit=limit)

    async def create_leg(
        self,
        trip_id: str,
        *,
        order: int | float,
        title: str,
        destination: str,
        start_date: Any,
        end_date: Any,
        timezone: str,
        accommodation: Accommodation | dict[str, Any] | None = None,
        flights: Sequence[Flight | dict[str, Any]] | None = None,
        rental_car: RentalCar | dict[str, Any] | None = None,
        client_ref: str | None = None,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Leg:
        """Add a leg; with a `client_ref` already used in the trip, merge into that leg."""
        body = body_of(
            {
                "order": order,
                "title": title,
                "destination": destination,
                "start_date": start_date,
                "end_date": end_date,
                "timezone": timezone,
                "accommodation": accommodation,
                "flights": flights,
                "rental_car": rental_car,
                "client_ref": client_ref,
                **fields,
            }
        )
        return await self._call(
            "POST",
            trip_path(trip_id, "legs"),
            Leg,
            json=body,
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("leg",),
        )

    async def batch_upsert_legs(
        self,
        trip_id: str,
        items: Sequence[WireItem],
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> BatchResult:
        """Create or merge (by `clientRef`) many legs; more than 50 go in several requests."""
        return await self._batch(
            trip_path(trip_id, "legs:batch"),
            items,
            priority=priority,
            idempotency_key=idempotency_key,
        )

    async def update_leg(
        self,
        trip_id: str,
        leg_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Leg:
        """Change the given fields of a leg."""
        return await self._call(
            "PATCH",
            trip_path(trip_id, "legs", seg(leg_id)),
            Leg,
            json=body_of(fields),
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("leg",),
        )

    async def delete_leg(
        self,
        trip_id: str,
        leg_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> None:
        """Delete a leg."""
        await self._call_empty(
            "DELETE",
            trip_path(trip_id, "legs", seg(leg_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )


class CommitmentEndpoints(ClientBase):
    """A trip's scheduled events: dinners, activities, birthdays, meetings."""

    async def list_commitments(
        self,
        trip_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        priority: Priority = _I,
    ) -> Page[Commitment]:
        """One page of a trip's scheduled events, by start date and time."""
        return await self._page(
            trip_path(trip_id, "commitments"),
            Commitment,
            priority=priority,
            limit=limit,
            cursor=cursor,
        )

    def iterate_commitments(
        self, trip_id: str, *, limit: int | None = None, priority: Priority = _I
    ) -> AsyncIterator[Commitment]:
        """Every scheduled event of a trip."""
        return self._iterate(
            trip_path(trip_id, "commitments"), Commitment, priority=priority, limit=limit
        )

    async def create_commitment(
        self,
        trip_id: str,
        *,
        title: str,
        start_date: Any,
        category: str,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Commitment:
        """Schedule an event; `fields` may add start_time, end_time, is_all_day, ...."""
        body = body_of({"title": title, "start_date": start_date, "category": category, **fields})
        return await self._call(
            "POST",
            trip_path(trip_id, "commitments"),
            Commitment,
            json=body,
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("commitment",),
        )

    async def update_commitment(
        self,
        trip_id: str,
        commitment_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Commitment:
        """Change the given fields of a scheduled event."""
        return await self._call(
            "PATCH",
            trip_path(trip_id, "commitments", seg(commitment_id)),
            Commitment,
            json=body_of(fields),
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("commitment",),
        )

    async def delete_commitment(
        self,
        trip_id: str,
        commitment_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> None:
        """Remove a scheduled event."""
        await self._call_empty(
            "DELETE",
            trip_path(trip_id, "commitments", seg(commitment_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )
