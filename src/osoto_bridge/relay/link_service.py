"""Linking and unlinking chats, for the adapters' link flows and the CLI alike.

Every path that creates a link goes through `LinkService.link`: the key was verified
(`inspect_key`), it is stored encrypted, the channel's cursor starts at its present
end (history is not replayed into the chat), and the running bridge starts serving
the channel at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from osoto_bridge.chat.base import ChatAddress, LinkHealth
from osoto_bridge.osoto.key_inspection import KeyReport, LinkError, inspect_key, link_errors
from osoto_bridge.osoto.trip_finder import KnownTrip
from osoto_bridge.relay.clients import ClientPool
from osoto_bridge.relay.worker import seek_end
from osoto_bridge.store import Link, Store


class LinkService:
    """Creates, finds and removes links.

    Args:
        store: where links live.
        pool: Osoto clients (for verifying keys and seeking channel ends).
        on_change: called after a link was added or removed (the bridge re-syncs).
        wall_clock: epoch seconds, for the ages in `health`.
    """

    def __init__(
        self,
        *,
        store: Store,
        pool: ClientPool,
        on_change: Callable[[], Awaitable[None]] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._pool = pool
        self._on_change = on_change
        self._wall_clock = wall_clock

    async def verify(
        self, api_key: str, *, trip_id: str | None = None, channel: str | None = None
    ) -> KeyReport:
        """Check what ``api_key`` can do; raises `LinkError` with a one-line reason.

        Without ``trip_id`` the trip is found from what the key reaches, the trips this
        bridge links already among the candidates (`osoto.trip_finder`): a key limited
        to one trip's messages links without its id once any chat links that trip.
        """
        client = self._pool.client_for_key(api_key)
        known: list[KnownTrip] = []
        if trip_id is None:
            known = [
                KnownTrip(link.trip_id, link.trip_title, link.owner_user_id)
                for link in await self._store.list_links()
            ]
        return await inspect_key(client, trip_id=trip_id, channel=channel, known_trips=known)

    async def link(
        self,
        address: ChatAddress,
        *,
        api_key: str,
        report: KeyReport,
        created_by: str | None = None,
        language: str = "en",
    ) -> Link:
        """Link ``address`` to the channel of ``report`` (replacing an older link)."""
        if not report.can("messages:read"):
            raise LinkError("the key cannot read this trip's messages")
        client = self._pool.client_for_key(api_key)
        trip_id, channel_id = report.trip_id, report.channel.id
        if await self._store.get_cursor(trip_id, channel_id) is None:
            with link_errors():
                cursor = await seek_end(client, trip_id, channel_id)
            await self._store.set_cursor(trip_id, channel_id, cursor)
        link = await self._store.add_link(
            platform=address.platform,
            chat_id=address.chat_id,
            thread_id=address.thread_id,
            trip_id=trip_id,
            trip_title=report.trip_title,
            channel_id=channel_id,
            channel_name=report.channel.name,
            api_key=api_key,
            owner_user_id=report.user_id,
            scopes=report.scopes,
            created_by=created_by,
            language=language,
        )
        if self._on_change is not None:
            await self._on_change()
        return link

    async def on_platform(self, platform: str) -> list[Link]:
        """Every link of one platform (a Slack workspace's Home tab lists them)."""
        return await self._store.list_links(platform=platform)

    async def health(self, link: Link) -> LinkHealth:
        """The ages of ``link``'s last message each way and its waiting chat messages."""
        to_osoto, to_chat = await self._store.link_activity(link.id)
        now = self._wall_clock()
        return LinkHealth(
            since_to_chat=None if to_chat is None else max(0.0, now - to_chat),
            since_to_osoto=None if to_osoto is None else max(0.0, now - to_osoto),
            waiting=await self._store.pending_outbox_count(link.trip_id, link.channel_id),
        )

    async def find(self, address: ChatAddress) -> Link | None:
        return await self._store.find_link(address.platform, address.chat_id, address.thread_id)

    async def unlink(self, address: ChatAddress) -> bool:
        link = await self.find(address)
        if link is None:
            return False
        await self._store.remove_link(link.id)
        if self._on_change is not None:
            await self._on_change()
        return True

    async def set_show_sensitive(self, address: ChatAddress, show: bool) -> Link | None:
        """The admin's opt-in for sensitive trip fields in this chat (off by default)."""
        link = await self.find(address)
        if link is None:
            return None
        return await self._store.update_link(link.id, show_sensitive=show)
