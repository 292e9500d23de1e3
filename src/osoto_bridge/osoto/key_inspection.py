"""Checking an API key before a chat is linked with it: whose it is, which trip and
channel it reaches, and which of the four scopes work there.

Osoto has no "describe this key" endpoint, so each scope is probed with the cheapest
request that needs it. The two write scopes are probed with a deliberately invalid
body (an empty message, an empty checklist item): Osoto checks the scope before the
body, so a 400 means "the key has the scope" and a 403 "it has not", and nothing is
written. A 400 says nothing about the owner's role, which Osoto checks only after
the body: a viewer's key with trips:write still may not change the trip. So the role
comes from the members list, and changing the trip counts as possible only for an
owner or an editor.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

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
from osoto_bridge.osoto.trip_finder import KnownTrip, LinkError, find_trip

__all__ = ["CHANGING_ROLES", "KeyReport", "LinkError", "inspect_key", "link_errors"]


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
    role: str | None = None
    """The key owner's role on the trip (owner, editor, viewer); None when unreadable."""

    def has_scope(self, scope: str) -> bool:
        """Whether Osoto let the key past the check of ``scope`` for this trip."""
        return f"{scope}:{self.trip_id}" in self.scopes

    def can(self, scope: str) -> bool:
        """Whether what ``scope`` allows will work: the scope, and for trips:write a role
        that may change the trip (Osoto refuses viewers after the scope check)."""
        if scope == "trips:write":
            return self.has_scope(scope) and self.role in CHANGING_ROLES
        return self.has_scope(scope)


CHANGING_ROLES = frozenset({"owner", "editor"})


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
    client: OsotoClient,
    *,
    trip_id: str | None = None,
    channel: str | None = None,
    known_trips: Sequence[KnownTrip] = (),
) -> KeyReport:
    """Verify ``client``'s key for a trip and channel; raise `LinkError` if it can't serve.

    Args:
        client: a client holding the key to check.
        trip_id: the trip to link; when omitted, `find_trip` finds the one the key is
            for (its scopes, the trips it can read, ``known_trips`` whose channels it
            can list).
        channel: a channel name or id; "general" when omitted.
        known_trips: the trips the bridge links already, candidates for a key that
            does not say its trip.
    """
    with link_errors():
        return await _inspect(client, trip_id=trip_id, channel=channel, known=known_trips)


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


async def _inspect(
    client: OsotoClient, *, trip_id: str | None, channel: str | None, known: Sequence[KnownTrip]
) -> KeyReport:
    me = await client.me(priority=Priority.INTERACTIVE)
    warnings: list[str] = []
    if trip_id is None:
        trip_id, trip_title = await find_trip(client, me, known=known)
    else:
        trip_id, trip_title = await _named_trip(client, trip_id)
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
    role = await _role(client, trip_id, me.user.id)
    if await _probe_write(client, trip_id, chosen.id, "trips:write"):
        scopes.append(f"trips:write:{trip_id}")
        if role == "viewer":
            warnings.append(
                f"{me.user.name} is a viewer on this trip: Osoto refuses their changes, so "
                "/todo add, /done and /share won't work (make them an editor, or use the "
                "key of an editor)"
            )
        elif role is None:
            warnings.append(
                f"the role of {me.user.name} on this trip could not be read (the members "
                f"list needs trips:read:{trip_id}): /todo add, /done and /share work only "
                "if they are an owner or an editor"
            )
    else:
        warnings.append(
            f"no trips:write: /todo add, /done and /share won't work (add trips:write:{trip_id})"
        )
    return KeyReport(
        role=role,
        user_id=me.user.id,
        user_name=me.user.name,
        trip_id=trip_id,
        trip_title=trip_title,
        channel=chosen,
        channels=tuple(channels),
        scopes=tuple(scopes),
        warnings=tuple(warnings),
    )


async def _role(client: OsotoClient, trip_id: str, user_id: str) -> str | None:
    """The user's role on the trip from its members list; None when it can't be read."""
    try:
        members = await client.list_members(trip_id, priority=Priority.INTERACTIVE)
    except Forbidden:
        return None
    for member in members:
        if member.user_id == user_id:
            return member.role
    return None


async def _named_trip(client: OsotoClient, trip_id: str) -> tuple[str, str]:
    """The named trip's id and title (the title falls back to the id without trips:read)."""
    try:
        trip = await client.get_trip(trip_id)
    except NotFound as exc:
        raise LinkError(f"trip {trip_id} was not found") from exc
    except Forbidden:
        # No trips:read: a trip-limited key may still read the trip's channels.
        return trip_id, trip_id
    return trip.id, trip.title


def _pick_channel(channels: list[Channel], wanted: str | None) -> Channel:
    wanted = wanted or "general"
    for channel in channels:
        if channel.id == wanted or channel.name.lower() == wanted.lower().lstrip("#"):
            return channel
    names = ", ".join(f"#{channel.name}" for channel in channels) or "none"
    raise LinkError(f"no channel {wanted!r} in this trip (channels: {names})")
