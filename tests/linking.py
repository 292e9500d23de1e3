"""Linking a chat in a test world as `/link` does: one helper for every world."""

from __future__ import annotations

from osoto_bridge.osoto import OsotoClient
from osoto_bridge.osoto.key_inspection import inspect_key
from osoto_bridge.relay import seek_end
from osoto_bridge.store import Link, Store

__all__ = ["link_chat"]


async def link_chat(
    store: Store,
    client: OsotoClient,
    *,
    platform: str,
    chat_id: str,
    api_key: str,
    trip_id: str,
    channel_id: str,
) -> Link:
    """Link a chat as `/link` does (the key inspected, then stored); a channel's
    first link starts its cursor at the channel's end."""
    report = await inspect_key(client, trip_id=trip_id, channel=channel_id)
    link = await store.add_link(
        platform=platform,
        chat_id=chat_id,
        thread_id=None,
        trip_id=report.trip_id,
        trip_title=report.trip_title,
        channel_id=report.channel.id,
        channel_name=report.channel.name,
        api_key=api_key,
        owner_user_id=report.user_id,
        scopes=report.scopes,
    )
    if await store.get_cursor(trip_id, channel_id) is None:
        await store.set_cursor(trip_id, channel_id, await seek_end(client, trip_id, channel_id))
    return link
