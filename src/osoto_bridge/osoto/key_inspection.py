"""Checking an API key before a chat is linked with it: whose it is, which trip and
channel it reaches, and which of the four scopes work there.

Osoto has no "describe this key" endpoint, so each scope is probed with the cheapest
request that needs it. The two write scopes are probed with a deliberately invalid
body (an empty message, an empty checklist item): Osoto checks the scope before the
body, so a 400 means "allowed" and a 403 "not allowed", and nothing is written.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from osoto_bridge.errors import BridgeError
from osoto_bridge.osoto.client import OsotoClient
from osoto_bridge.osoto.errors import (
    ApiError,
    Forbidden,
    NotFound,
    OsotoError,
    TransportError,
    Unauthorized,
    ValidationError,
)
from osoto_bridge.osoto.models import Channel
from osoto_bridge.osoto.pacing import Priority


class LinkError(BridgeError):
    """The key cannot serve the requested link; the message says why, in one line."""

    kind: ClassVar[str] = "link"


@dataclass(frozen=True)
class KeyReport:
    """What a key can do for one trip channel."""

    user_id: str
    user_name: str
    trip_id: str
    trip_title: str
    channel: Channel
    channels: tuple[Channel, ...]
    scopes: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    def can(self, scope: str) -> bool:
        return f"{scope}:{self.trip_id}" in self.scopes


async def _probe_write(client: OsotoClient, trip_id: str, channel_id: str, scope: str) -> bool:
    key = f"osoto-bridge-probe-{uuid.uuid4()}"
    try:
        if scope == "messages:write":
            await client.post_message(trip_id, channel_id, "", idempotency_key=key)
        else:
            await client.create_action_item(trip_id, text="", urgency="now", idempotency_key=key)
    except ValidationError:
        return True
    except Forbidden:
        return False
    # A 2xx would mean Osoto accepted an empty body: then the scope clearly works.
    return True


async def inspect_key(
    client: OsotoClient, *, trip_id: str | None = None, channel: str | None = None
) -> KeyReport:
    """Verify ``client``'s key for a trip and channel; raise `LinkError` if it can't serve.

    Args:
        client: a client holding the key to check.
        trip_id: the trip to link; may be omitted when the key reaches one trip only.
        channel: a channel name or id; "general" when omitted.
    """
    with link_errors():
        return await _inspect(client, trip_id=trip_id, channel=channel)


@contextlib.contextmanager
def link_errors() -> Iterator[None]:
    """Turn what Osoto answers while linking into one-line `LinkError`s."""
    try:
        yield
    except Unauthorized as exc:
        raise LinkError(
            "Osoto did not accept this key (401): check it was copied whole and not revoked"
        ) from exc
    except TransportError as exc:
        raise LinkError(f"could not reach Osoto: {exc}") from exc
    except ApiError as exc:
        raise LinkError(
            f"Osoto answered {exc.status} {exc.code}: {exc.message} (request {exc.request_id})"
        ) from exc
    except OsotoError as exc:
        raise LinkError(f"Osoto failed: {exc}") from exc


async def _inspect(client: OsotoClient, *, trip_id: str | None, channel: str | None) -> KeyReport:
    me = await client.me(priority=Priority.INTERACTIVE)
    warnings: list[str] = []
    trip_id, trip_title = await _pick_trip(client, trip_id)
    scopes: list[str] = []
    try:
        channels = await client.list_channels(trip_id)
    except Forbidden as exc:
        raise LinkError(
            f"the key lacks messages:read for trip {trip_id}: add the scope messages:read:{trip_id}"
        ) from exc
    scopes.append(f"messages:read:{trip_id}")
    chosen = _pick_channel(channels, channel)
    if await _probe_write(client, trip_id, chosen.id, "messages:write"):
        scopes.append(f"messages:write:{trip_id}")
    else:
        warnings.append(
            "no messages:write: chat messages will not reach Osoto "
            f"(add messages:write:{trip_id} to relay both ways)"
        )
    try:
        await client.export_trip(trip_id)
        scopes.append(f"trips:read:{trip_id}")
    except Forbidden:
        warnings.append(
            f"no trips:read: /where, /todo and the like won't answer (add trips:read:{trip_id})"
        )
    if await _probe_write(client, trip_id, chosen.id, "trips:write"):
        scopes.append(f"trips:write:{trip_id}")
    else:
        warnings.append(
            f"no trips:write: /todo add, /done and /share won't work (add trips:write:{trip_id})"
        )
    return KeyReport(
        user_id=me.user.id,
        user_name=me.user.name,
        trip_id=trip_id,
        trip_title=trip_title,
        channel=chosen,
        channels=tuple(channels),
        scopes=tuple(scopes),
        warnings=tuple(warnings),
    )


async def _pick_trip(client: OsotoClient, trip_id: str | None) -> tuple[str, str]:
    """The trip's id and title (the title falls back to the id without trips:read)."""
    if trip_id is not None:
        try:
            trip = await client.get_trip(trip_id)
        except NotFound as exc:
            raise LinkError(f"trip {trip_id} was not found") from exc
        except Forbidden:
            # No trips:read: a trip-limited key may still read the trip's channels.
            return trip_id, trip_id
        return trip.id, trip.title
    try:
        trips = await client.list_trips()
    except Forbidden as exc:
        raise LinkError("the key cannot list trips (no trips:read): pass the trip id") from exc
    if not trips:
        raise LinkError("the key reaches no trip")
    if len(trips) > 1:
        listing = ", ".join(f"{trip.id} ({trip.title})" for trip in trips[:10])
        raise LinkError(f"the key reaches {len(trips)} trips; say which one: {listing}")
    return trips[0].id, trips[0].title


def _pick_channel(channels: list[Channel], wanted: str | None) -> Channel:
    wanted = wanted or "general"
    for channel in channels:
        if channel.id == wanted or channel.name.lower() == wanted.lower().lstrip("#"):
            return channel
    names = ", ".join(f"#{channel.name}" for channel in channels) or "none"
    raise LinkError(f"no channel {wanted!r} in this trip (channels: {names})")
