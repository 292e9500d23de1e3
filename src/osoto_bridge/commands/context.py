"""What the caller tells the command service about a chat, and what it gets back."""

from __future__ import annotations

import contextvars
import datetime as dt
from dataclasses import dataclass

from osoto_bridge.chat.base import ChatAddress
from osoto_bridge.osoto.scopes import TRIPS_WRITE, Scopes
from osoto_bridge.text import Document

__all__ = [
    "CURRENT_CHAT",
    "WRITE_SCOPE",
    "CommandContext",
    "CommandReply",
    "LinkStatus",
    "has_scope",
]

CURRENT_CHAT: contextvars.ContextVar[ChatAddress | None] = contextvars.ContextVar(
    "osoto_bridge_current_chat", default=None
)
"""The chat whose event is being handled (the bridge sets it around each inbound
event): the settings commands (`/remind`, `/brief`, `/notify`) and the plan watch's
"not told back to the chat that made the change" are tied to it."""

WRITE_SCOPE = TRIPS_WRITE
"""The scope `/todo add`, `/done` and `/share` need (or its trip-limited form)."""


def has_scope(scopes: tuple[str, ...], scope: str, trip_id: str) -> bool:
    """Whether a key's scopes grant a base scope on a trip.

    Args:
        scopes: The key's scopes (`trips:write`, `trips:write:<tripId>`, ...).
        scope: The base scope needed.
        trip_id: The trip.

    Returns:
        True for the unlimited scope or the one limited to this trip.
    """
    return Scopes(trip_id, scopes).allows(scope)


@dataclass(frozen=True)
class LinkStatus:
    """The health of a chat's link, as `/status` shows it (gathered by the caller).

    Attributes:
        trip_title: The linked trip's title.
        channel_name: The Osoto channel the chat is bridged to.
        scopes: The key's scopes.
        last_inbound: When a message last came from Osoto into the chat.
        last_outbound: When a message last went from the chat to Osoto.
        outbox_depth: Messages waiting to be delivered to Osoto.
        key_fingerprint: A short, non-secret fingerprint of the key.
    """

    trip_title: str
    channel_name: str
    scopes: tuple[str, ...]
    last_inbound: dt.datetime | None
    last_outbound: dt.datetime | None
    outbox_depth: int
    key_fingerprint: str


@dataclass(frozen=True)
class CommandContext:
    """The chat a command came from.

    Attributes:
        trip_id: The linked trip.
        language: The chat's language (`en`, `ko`).
        show_sensitive: Whether the link's admin opted in to sensitive fields here.
        scopes: The link key's scopes.
        is_admin: Whether the sender is a chat admin.
        is_group: Whether the chat is a group or channel (not a private chat).
        now: The current instant (aware).
        platform: `telegram`, `slack`, `console`.
        status: The link's health, for `/status`.
        message_id: The platform's id of the command message; writes derive their
            Idempotency-Key from it, so a redelivered message does not write twice.
    """

    trip_id: str
    language: str
    show_sensitive: bool
    scopes: tuple[str, ...]
    is_admin: bool
    is_group: bool
    now: dt.datetime
    platform: str
    status: LinkStatus | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class CommandReply:
    """The answer to a command.

    Attributes:
        document: What to show.
        set_language: A language the caller must persist for the chat (`/lang`).
        ephemeral: Whether only the sender needs to see it (where the platform can).
        replacement: For a button press: the pressed message's new content, shown in
            place of it where the platform can edit messages (then ``toast`` tells the
            presser); elsewhere ``document`` is sent as a new message.
        toast: For a button press: a short confirmation for the presser alone.
    """

    document: Document
    set_language: str | None = None
    ephemeral: bool = False
    replacement: Document | None = None
    toast: str | None = None
