"""Endpoints of a trip's planning lists: the checklist (action items) and map pins.

Each kind has `list_*`, `iterate_*`, `create_*`, `batch_upsert_*`, `update_*` and
`delete_*`. Field arguments are snake_case and go out camelCase.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from osoto_bridge.osoto._base import ClientBase, WireItem, body_of, seg, trip_path
from osoto_bridge.osoto.models import (
    ActionItem,
    BatchResult,
    MapPin,
    Page,
)
from osoto_bridge.osoto.pacing import Priority

__all__ = ["ActionItemEndpoints", "MapPinEndpoints"]

_I = Priority.INTERACTIVE


class ActionItemEndpoints(ClientBase):
    """A trip's checklist."""

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
            trip_path(trip_id, "action-items"),
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
            trip_path(trip_id, "action-items"), ActionItem, priority=priority, limit=limit
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
            trip_path(trip_id, "action-items"),
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
            trip_path(trip_id, "action-items:batch"),
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
            trip_path(trip_id, "action-items", seg(item_id)),
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
            trip_path(trip_id, "action-items", seg(item_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )


class MapPinEndpoints(ClientBase):
    """The places pinned on a trip's map."""

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
            trip_path(trip_id, "map-pins"), MapPin, priority=priority, limit=limit, cursor=cursor
        )

    def iterate_map_pins(
        self, trip_id: str, *, limit: int | None = None, priority: Priority = _I
    ) -> AsyncIterator[MapPin]:
        """Every map pin of a trip."""
        return self._iterate(trip_path(trip_id, "map-pins"), MapPin, priority=priority, limit=limit)

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
            trip_path(trip_id, "map-pins"),
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
            trip_path(trip_id, "map-pins:batch"),
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
            trip_path(trip_id, "map-pins", seg(pin_id)),
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
            trip_path(trip_id, "map-pins", seg(pin_id)),
            priority=priority,
            idempotency_key=idempotency_key,
        )
