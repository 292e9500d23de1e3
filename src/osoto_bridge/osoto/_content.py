"""Endpoints of a trip's content: legs, action items, commitments and map pins.

Each kind has the same six calls: `list_*` (one page), `iterate_*` (every item,
across pages), `create_*`, `batch_upsert_*` (not for commitments), `update_*` and
`delete_*`. Field arguments are snake_case and go out camelCase.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from osoto_bridge.osoto._base import ClientBase, WireItem, body_of, seg
from osoto_bridge.osoto.models import (
    Accommodation,
    ActionItem,
    BatchResult,
    Commitment,
    Flight,
    Leg,
    MapPin,
    Page,
    RentalCar,
)
from osoto_bridge.osoto.pacing import Priority

__all__ = ["TripContentEndpoints"]

_I = Priority.INTERACTIVE


def _trip(trip_id: str, *parts: str) -> str:
    return "/trips/" + seg(trip_id) + "".join("/" + p for p in parts)


class TripContentEndpoints(ClientBase):
    """Legs, action items, commitments and map pins of a trip."""

    # Legs

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
            _trip(trip_id, "legs"), Leg, priority=priority, limit=limit, cursor=cursor
        )

    def iterate_legs(
        self, trip_id: str, *, limit: int | None = None, priority: Priority = _I
    ) -> AsyncIterator[Leg]:
        """Every leg of a trip, in order, fetching pages as needed."""
        return self._iterate(_trip(trip_id, "legs"), Leg, priority=priority, limit=limit)

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
            _trip(trip_id, "legs"),
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
            _trip(trip_id, "legs:batch"),
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
            _trip(trip_id, "legs", seg(leg_id)),
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
            _trip(trip_id, "legs", seg(leg_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )

    # Action items

    async def list_action_items(
        self,
        trip_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        priority: Priority = _I,
    ) -> Page[ActionItem]:
        """One page of a trip's checklist."""
        return await self._page(
            _trip(trip_id, "action-items"),
            ActionItem,
            priority=priority,
            limit=limit,
            cursor=cursor,
        )

    def iterate_action_items(
        self, trip_id: str, *, limit: int | None = None, priority: Priority = _I
    ) -> AsyncIterator[ActionItem]:
        """Every checklist item of a trip."""
        return self._iterate(
            _trip(trip_id, "action-items"), ActionItem, priority=priority, limit=limit
        )

    async def create_action_item(
        self,
        trip_id: str,
        *,
        text: str,
        urgency: str,
        owner: str | None = None,
        client_ref: str | None = None,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> ActionItem:
        """Add a checklist item (`urgency`: now, before_trip or nice_to_have)."""
        body = body_of(
            {"text": text, "urgency": urgency, "owner": owner, "client_ref": client_ref, **fields}
        )
        return await self._call(
            "POST",
            _trip(trip_id, "action-items"),
            ActionItem,
            json=body,
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("actionItem",),
        )

    async def batch_upsert_action_items(
        self,
        trip_id: str,
        items: Sequence[WireItem],
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> BatchResult:
        """Create or merge (by `clientRef`) many checklist items."""
        return await self._batch(
            _trip(trip_id, "action-items:batch"),
            items,
            priority=priority,
            idempotency_key=idempotency_key,
        )

    async def update_action_item(
        self,
        trip_id: str,
        item_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> ActionItem:
        """Change a checklist item; `done=True` ticks it off."""
        return await self._call(
            "PATCH",
            _trip(trip_id, "action-items", seg(item_id)),
            ActionItem,
            json=body_of(fields),
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("actionItem",),
        )

    async def delete_action_item(
        self,
        trip_id: str,
        item_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> None:
        """Delete a checklist item."""
        await self._call_empty(
            "DELETE",
            _trip(trip_id, "action-items", seg(item_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )

    # Commitments

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
            _trip(trip_id, "commitments"),
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
            _trip(trip_id, "commitments"), Commitment, priority=priority, limit=limit
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
            _trip(trip_id, "commitments"),
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
            _trip(trip_id, "commitments", seg(commitment_id)),
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
            _trip(trip_id, "commitments", seg(commitment_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )

    # Map pins

    async def list_map_pins(
        self,
        trip_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        priority: Priority = _I,
    ) -> Page[MapPin]:
        """One page of a trip's map pins."""
        return await self._page(
            _trip(trip_id, "map-pins"), MapPin, priority=priority, limit=limit, cursor=cursor
        )

    def iterate_map_pins(
        self, trip_id: str, *, limit: int | None = None, priority: Priority = _I
    ) -> AsyncIterator[MapPin]:
        """Every map pin of a trip."""
        return self._iterate(_trip(trip_id, "map-pins"), MapPin, priority=priority, limit=limit)

    async def create_map_pin(
        self,
        trip_id: str,
        *,
        name: str,
        lat: float,
        lng: float,
        category: str | None = None,
        notes: str | None = None,
        client_ref: str | None = None,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> MapPin:
        """Pin a place on the trip's map."""
        body = body_of(
            {
                "name": name,
                "lat": lat,
                "lng": lng,
                "category": category,
                "notes": notes,
                "client_ref": client_ref,
                **fields,
            }
        )
        return await self._call(
            "POST",
            _trip(trip_id, "map-pins"),
            MapPin,
            json=body,
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("mapPin",),
        )

    async def batch_upsert_map_pins(
        self,
        trip_id: str,
        items: Sequence[WireItem],
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> BatchResult:
        """Create or merge (by `clientRef`) many map pins."""
        return await self._batch(
            _trip(trip_id, "map-pins:batch"),
            items,
            priority=priority,
            idempotency_key=idempotency_key,
        )

    async def update_map_pin(
        self,
        trip_id: str,
        pin_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> MapPin:
        """Change the given fields of a map pin."""
        return await self._call(
            "PATCH",
            _trip(trip_id, "map-pins", seg(pin_id)),
            MapPin,
            json=body_of(fields),
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("mapPin",),
        )

    async def delete_map_pin(
        self,
        trip_id: str,
        pin_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> None:
        """Delete a map pin."""
        await self._call_empty(
            "DELETE",
            _trip(trip_id, "map-pins", seg(pin_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )
