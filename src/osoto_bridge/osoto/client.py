"""`OsotoClient`: the async client of the Osoto REST API, one method per endpoint.

Methods are the TypeScript SDK's in snake case. Every method takes a keyword-only
`priority` (interactive by default; pollers pass `Priority.BACKGROUND`), and every
mutating one an `idempotency_key` (a fresh one is generated when None and reused
across that call's retries; pass one derived from the source of the change to make
a replay after a crash safe as well).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from osoto_bridge.osoto._base import WireItem, body_of, parse_model, seg
from osoto_bridge.osoto._itinerary import CommitmentEndpoints, LegEndpoints
from osoto_bridge.osoto._planning import ActionItemEndpoints, MapPinEndpoints
from osoto_bridge.osoto.fields import to_wire_value
from osoto_bridge.osoto.keys import Secret, key_fingerprint
from osoto_bridge.osoto.limiters import LimiterRegistry
from osoto_bridge.osoto.models import (
    Channel,
    Me,
    Member,
    Message,
    Page,
    ShareToken,
    SyncResult,
    Trip,
    TripExport,
)
from osoto_bridge.osoto.pacing import Clock, Priority, RateLimiter, Sleep
from osoto_bridge.osoto.retry import RetryPolicy
from osoto_bridge.osoto.session import Session
from osoto_bridge.osoto.transport import HttpClient

__all__ = ["OsotoClient"]

_I = Priority.INTERACTIVE


class OsotoClient(LegEndpoints, ActionItemEndpoints, CommitmentEndpoints, MapPinEndpoints):
    """Async client of the Osoto API for one API key.

    Use it as an async context manager (`async with OsotoClient(...) as client:`);
    it closes the httpx client it made, never one passed in. Clients of the same key
    should share one `RateLimiter`: pass `limiter=registry.for_key(key)`, or
    `limiters=registry` and let the client look it up. Without either, the client
    paces itself alone.

    Args:
        api_key: The `osk_...` key. Never logged or shown; see `key_fingerprint`.
        base_url: The API root, e.g. `http://127.0.0.1:8787/api/v1`.
        http: An httpx client to use (and leave open).
        transport: An httpx transport for the client made here (ASGI, mocks, faults).
        limiter: The key's pacer.
        limiters: A registry to take the key's pacer from, when `limiter` is None.
        clock: Monotonic clock for pacing and retry deadlines.
        sleep: Sleep for pacing and backoff.
        retry: The retry policy.
        timeout: Seconds for connect/read/write of the httpx client made here.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        http: HttpClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        limiters: LimiterRegistry | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required")
        if limiter is None:
            limiter = (
                limiters.for_key(api_key)
                if limiters is not None
                else RateLimiter(clock=clock, sleep=sleep, learn_first=True)
            )
        self._fingerprint = key_fingerprint(api_key)
        self._session = Session(
            base_url,
            api_key=Secret(api_key),
            http=http,
            transport=transport,
            limiter=limiter,
            clock=clock,
            sleep=sleep,
            retry=retry,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return (
            f"OsotoClient(base_url={self._session.base_url!r}, key={self._fingerprint!r}, "
            f"state={self.state.value})"
        )

    @property
    def key_fingerprint(self) -> str:
        """A short hash of the API key, safe to log (`sha256:` + 12 hex digits)."""
        return self._fingerprint

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._session.base_url

    @property
    def limiter(self) -> RateLimiter:
        """The key's pacer (for `snapshot()` in metrics)."""
        assert self._session.limiter is not None
        return self._session.limiter

    # Me and trips

    async def me(self, *, priority: Priority = _I) -> Me:
        """The key's user, their groups and the default group id."""
        return await self._call("GET", "/me", Me, priority=priority)

    async def list_trips(self, *, priority: Priority = _I) -> list[Trip]:
        """Every trip the key may read (all pages)."""
        return await self._all("/trips", Trip, priority=priority)

    async def create_trip(
        self,
        *,
        group_id: str,
        title: str,
        start_date: Any,
        end_date: Any,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> Trip:
        """Create a trip in a group (dates as `date` or `YYYY-MM-DD`)."""
        body = body_of(
            {"group_id": group_id, "title": title, "start_date": start_date, "end_date": end_date}
        )
        return await self._call(
            "POST",
            "/trips",
            Trip,
            json=body,
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("trip",),
        )

    async def get_trip(self, trip_id: str, *, priority: Priority = _I) -> Trip:
        """One trip's metadata."""
        return await self._call(
            "GET", f"/trips/{seg(trip_id)}", Trip, priority=priority, wrappers=("trip",)
        )

    async def update_trip(
        self,
        trip_id: str,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Trip:
        """Change a trip's title, start_date, end_date or status."""
        return await self._call(
            "PATCH",
            f"/trips/{seg(trip_id)}",
            Trip,
            json=body_of(fields),
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("trip",),
        )

    async def archive_trip(
        self, trip_id: str, *, priority: Priority = _I, idempotency_key: str | None = None
    ) -> Trip | None:
        """Archive a trip (its status becomes completed); the trip, if the server sends it."""
        body, response = await self._session.request_json(
            "DELETE",
            f"/trips/{seg(trip_id)}",
            priority=priority,
            idempotency_key=idempotency_key,
        )
        if isinstance(body, dict) and ("_id" in body or "trip" in body or "data" in body):
            return parse_model(Trip, body, response, "trip")
        return None

    async def export_trip(self, trip_id: str, *, priority: Priority = _I) -> TripExport:
        """The whole trip in one read: trip, legs, pins, checklist, events, members."""
        return await self._call(
            "GET", f"/trips/{seg(trip_id)}/export", TripExport, priority=priority
        )

    async def sync_trip(
        self,
        trip_id: str,
        *,
        legs: Sequence[WireItem] | None = None,
        action_items: Sequence[WireItem] | None = None,
        map_pins: Sequence[WireItem] | None = None,
        dry_run: bool = False,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> SyncResult:
        """Import a snapshot: items with a known clientRef merge, the rest are created.

        With `dry_run=True` nothing is written and the result says what would be.
        """
        body = {
            key: to_wire_value(value)
            for key, value in (("legs", legs), ("actionItems", action_items), ("mapPins", map_pins))
            if value is not None
        }
        body_json, response = await self._session.request_json(
            "POST",
            f"/trips/{seg(trip_id)}/sync",
            params={"dryRun": "true"} if dry_run else None,
            json=body,
            priority=priority,
            idempotency_key=idempotency_key,
        )
        result = parse_model(SyncResult, body_json, response)
        return result.model_copy(update={"status_code": response.status_code})

    # Messages and members

    async def list_channels(self, trip_id: str, *, priority: Priority = _I) -> list[Channel]:
        """A trip's message channels."""
        return await self._all(f"/trips/{seg(trip_id)}/channels", Channel, priority=priority)

    async def list_messages(
        self,
        trip_id: str,
        channel_id: str,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        priority: Priority = _I,
    ) -> Page[Message]:
        """One page of a channel's messages, oldest first.

        The page's `next_cursor` is the resume point after its last message: store it
        and pass it later to receive only newer messages.
        """
        return await self._page(
            _messages_path(trip_id, channel_id),
            Message,
            priority=priority,
            limit=limit,
            cursor=cursor,
            chronological=True,
        )

    def iterate_messages(
        self,
        trip_id: str,
        channel_id: str,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        priority: Priority = _I,
    ) -> AsyncIterator[Message]:
        """Every message of a channel (after `cursor`, if given), oldest first."""
        return self._iterate(
            _messages_path(trip_id, channel_id),
            Message,
            priority=priority,
            limit=limit,
            cursor=cursor,
            chronological=True,
        )

    async def post_message(
        self,
        trip_id: str,
        channel_id: str,
        content: str,
        parent_id: str | None = None,
        *,
        priority: Priority = _I,
        idempotency_key: str | None = None,
    ) -> Message:
        """Post to a channel, as a reply when `parent_id` is given."""
        return await self._call(
            "POST",
            _messages_path(trip_id, channel_id),
            Message,
            json=body_of({"content": content, "parent_id": parent_id}),
            priority=priority,
            idempotency_key=idempotency_key,
            wrappers=("message",),
        )

    async def list_members(self, trip_id: str, *, priority: Priority = _I) -> list[Member]:
        """A trip's members with roles and contact details."""
        return await self._all(f"/trips/{seg(trip_id)}/members", Member, priority=priority)

    # Sharing

    async def create_share_token(
        self, trip_id: str, *, priority: Priority = _I, idempotency_key: str | None = None
    ) -> ShareToken:
        """Create a token that lets anyone read the trip's safe projection."""
        return await self._call(
            "POST",
            f"/trips/{seg(trip_id)}/share-token",
            ShareToken,
            priority=priority,
            idempotency_key=idempotency_key,
        )

    async def revoke_share_token(
        self, trip_id: str, *, priority: Priority = _I, idempotency_key: str | None = None
    ) -> None:
        """Revoke the trip's share token."""
        await self._call_empty(
            "DELETE",
            f"/trips/{seg(trip_id)}/share-token",
            priority=priority,
            idempotency_key=idempotency_key,
        )


def _messages_path(trip_id: str, channel_id: str) -> str:
    return f"/trips/{seg(trip_id)}/channels/{seg(channel_id)}/messages"
