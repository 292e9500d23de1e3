"""A chat linked while its channel's poll (or feed) is in flight gets what it brings back.

The poll fetches a page, then hands each message to the lanes of the channel's
chats. A chat linked between the request and its answer (an admin's `/link` while
the page is on its way) must be among them: the message was written after the link,
and the poll moves its cursor past it, so it would never reach that chat.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from relay_world import make_world, opened
from test_lanes import _lines

from osoto_bridge.store import OutboxEntry


class HeldRead(httpx.AsyncBaseTransport):
    """Osoto's transport; once armed, holds the next read of a channel's messages
    until released (an answer on its way)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.armed = False
        self.waiting = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        reading = request.method == "GET" and request.url.path.endswith("/messages")
        if reading and self.armed:
            self.armed = False
            self.waiting.set()
            await self.release.wait()
        return await self._inner.handle_async_request(request)


async def test_a_chat_linked_while_a_page_is_on_its_way_gets_its_messages(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    read = HeldRead(world.transport)
    world.transport = read
    async with opened(world):
        await world.link(world.slack, "C1")
        bridge = await world.start()
        read.armed = True
        polled = asyncio.create_task(bridge.next_pass())
        await asyncio.wait_for(read.waiting.wait(), 10)  # the poll's request is out

        await world.link(world.telegram, "tg-1")
        await bridge.sync_links()
        world.companion_says("Meet at gate 12")  # after the link, before the answer
        read.release.set()
        await asyncio.wait_for(polled, 10)

        await world.telegram.wait_for(lambda sent: len(sent) == 1)
        await world.slack.wait_for(lambda sent: len(sent) == 1)
        assert [m.text for m in world.telegram.sent] == ["Ben: Meet at gate 12"]
        assert [m.text for m in world.slack.sent] == ["Meet at gate 12"]  # as Ben


async def test_a_chat_linked_while_the_feed_reads_gets_the_lines_written_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same for chat → chat: the ahead feed reads the outbox, then hands each line
    # to the channel's other chats; a chat linked meanwhile is one of them.
    world = make_world(tmp_path)
    async with opened(world):
        await world.link(world.telegram, "tg-1")
        await world.link(world.slack, "C1")
        bridge = await world.start()
        await world.telegram.write("tg-1", "Checked in", author="Alice")
        await world.slack.wait_for(lambda sent: len(sent) == 1)  # the feed has read once
        store = world.store
        assert store is not None
        read = store.pending_outbox_after
        reading, release = asyncio.Event(), asyncio.Event()

        async def held_once(*args: Any, **kwargs: Any) -> list[OutboxEntry]:
            if not reading.is_set():
                reading.set()
                await release.wait()
            return await read(*args, **kwargs)

        monkeypatch.setattr(store, "pending_outbox_after", held_once)
        await world.telegram.write("tg-1", "Boarding soon", author="Alice")
        await asyncio.wait_for(reading.wait(), 10)  # the feed's read is under way

        await world.link(world.slack, "C2")
        await bridge.sync_links()
        await world.telegram.write("tg-1", "Gate 12 now", author="Alice")
        release.set()

        await world.slack.wait_for(
            lambda sent: any(m.address.chat_id == "C2" and "Gate 12 now" in m.text for m in sent)
        )
        async with asyncio.timeout(10):
            await bridge.idle()
        # (lines queued behind a slow send may merge: each keeps its place)
        in_c1 = _lines([m.text for m in world.slack.sent if m.address.chat_id == "C1"])
        assert in_c1 == [
            "Alice (Telegram): Checked in",
            "Alice (Telegram): Boarding soon",
            "Alice (Telegram): Gate 12 now",
        ]
