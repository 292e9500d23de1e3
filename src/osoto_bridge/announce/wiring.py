"""The plan watch wired into a bridge: its chats' adapters, and the commands' settings.

`build_announcer` gives the `Announcer` a send through each platform's adapter and
hands the command service the two things `/remind`, `/brief` and `/notify` need:
where a chat's settings are stored (`LinkNotifySettings`) and whom to tell of the
bot's own writes (`Announcer.note_write`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from osoto_bridge.announce.timing import AnnounceTiming
from osoto_bridge.announce.watcher import Announcer, ClientFor
from osoto_bridge.chat.base import ChatAdapter, OutboundMessage
from osoto_bridge.commands import CURRENT_CHAT, CommandContext, CommandService
from osoto_bridge.store import Link, NotifySettings, Store

__all__ = ["LinkNotifySettings", "build_announcer"]


class LinkNotifySettings:
    """`NotifySettingsPort` of the commands: the settings of the chat in `CURRENT_CHAT`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def _link(self, ctx: CommandContext) -> Link | None:
        address = CURRENT_CHAT.get()
        if address is None:
            return None
        link = await self._store.find_link(address.platform, address.chat_id, address.thread_id)
        if link is None and address.thread_id is not None:
            link = await self._store.find_link(address.platform, address.chat_id, None)
        return link if link is not None and link.trip_id == ctx.trip_id else None

    async def load(self, ctx: CommandContext) -> NotifySettings | None:
        link = await self._link(ctx)
        return None if link is None else await self._store.notify_settings(link.id)

    async def save(self, ctx: CommandContext, settings: NotifySettings) -> None:
        link = await self._link(ctx)
        if link is not None:
            await self._store.set_notify_settings(link.id, settings)


def build_announcer(
    *,
    store: Store,
    client_for: ClientFor,
    adapters: Sequence[ChatAdapter],
    commands: CommandService | None,
    timing: AnnounceTiming | None = None,
    clock: Callable[[], float] = time.time,
) -> Announcer:
    """The plan watch for a bridge's chats, wired into its command service.

    Pass the result to `Bridge(services=[...])`: the bridge runs it beside its
    workers. Announcements go through each platform's adapter (its own pacing).

    Args:
        store: The bridge's store.
        client_for: The Osoto client of a link (`ClientPool.client_for`).
        adapters: The bridge's chat adapters.
        commands: The bridge's command service (serves `/remind`, `/brief`,
            `/notify` and reports its writes), if any.
        timing: The watch's knobs.
        clock: Epoch seconds.
    """
    by_platform = {adapter.platform: adapter for adapter in adapters}

    async def send(message: OutboundMessage) -> None:
        adapter = by_platform.get(message.address.platform)
        if adapter is not None:
            await adapter.send(message)

    announcer = Announcer(store=store, client_for=client_for, send=send, timing=timing, clock=clock)
    if commands is not None:
        commands.attach_notifications(LinkNotifySettings(store), announcer.note_write)
    return announcer
