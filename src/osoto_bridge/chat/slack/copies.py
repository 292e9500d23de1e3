"""The bot's own copies, recognised when Slack echoes them (issue 14.2).

Every copy of an Osoto message the adapter posts carries Slack message metadata
(``chat.postMessage``'s public ``metadata``: an ``event_type`` and an
``event_payload``) naming the Osoto message and the part. Slack shows the bot its
own message as a ``message`` event (with its ``bot_id`` and that metadata), and
apps subscribed to the metadata type also get ``message_metadata_posted``. When a
send's response was lost, that echo is the only way the bridge learns the copy's
``ts``: the sink records it in the message map, so a reply in its thread resolves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from osoto_bridge.chat.base import ChatAddress, SeenCopy
from osoto_bridge.chat.slack.inbound import PLATFORM

__all__ = ["COPY_EVENT_TYPE", "copy_metadata", "read_seen_copy"]

COPY_EVENT_TYPE = "osoto_bridge_copy"
"""The metadata ``event_type`` of the bridge's copies."""


def copy_metadata(osoto_message_id: str, part: int) -> dict[str, Any]:
    """The ``metadata`` argument of ``chat.postMessage`` for one part of a copy."""
    return {
        "event_type": COPY_EVENT_TYPE,
        "event_payload": {"osoto_message_id": osoto_message_id, "part": part},
    }


def read_seen_copy(event: Mapping[str, Any], bot_id: str | None) -> SeenCopy | None:
    """The copy an event shows, if it is one of this bot's tagged messages.

    Reads a ``message`` event (``channel``, ``ts``) and a ``message_metadata_posted``
    event (``channel_id``, ``message_ts``); anything else, another app's metadata or
    another bot's message, is None.
    """
    if bot_id is None or event.get("bot_id") != bot_id:
        return None
    metadata = event.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != COPY_EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, Mapping):
        return None
    osoto_message_id, part = payload.get("osoto_message_id"), payload.get("part", 0)
    if event.get("type") == "message_metadata_posted":
        channel, ts = event.get("channel_id"), event.get("message_ts")
    else:
        channel, ts = event.get("channel"), event.get("ts")
    if not (isinstance(channel, str) and isinstance(ts, str) and isinstance(osoto_message_id, str)):
        return None
    if not isinstance(part, int) or isinstance(part, bool):
        return None
    return SeenCopy(ChatAddress(PLATFORM, channel), ts, osoto_message_id, part)
