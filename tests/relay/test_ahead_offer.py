"""The ahead feed hands a line written here over at its write (`AheadFeed.offer`).

No read of its own, no map read in the chat lane (`Line.fresh`); the read that comes
later passes it, hands over what another process wrote among such lines, and takes
every line an offer cannot place in order (before the first read, during a read,
behind a reply whose parent needs the store).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.fernet import Fernet

from osoto_bridge.osoto.models import Message
from osoto_bridge.relay.ahead import AheadFeed
from osoto_bridge.relay.lanes import Ahead
from osoto_bridge.store import ChatParent, IntakeLine, Link, OutboxEntry, Parent, Store


@dataclass
class Handed:
    """What the feed put into the lanes: (line content, chat, fresh), in order."""

    lines: list[tuple[str, str, bool]] = field(default_factory=list)

    def deliver(
        self,
        message: Message,
        links: Sequence[Link],
        *,
        by_bridge: bool = False,
        ahead: Ahead | None = None,
        fresh: bool = False,
    ) -> list[asyncio.Future[None]]:
        futures = []
        for link in links:
            self.lines.append((message.content, link.chat_id, fresh))
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            futures.append(done)
        return futures

    def contents(self) -> list[str]:
        return [content for content, _, _ in self.lines]


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with Store.open("sqlite+aiosqlite://", secret_keys=[Fernet.generate_key().decode()]) as s:
        yield s


@pytest.fixture
async def links(store: Store) -> list[Link]:
    return [
        await store.add_link(
            platform=platform,
            chat_id=chat_id,
            thread_id=None,
            trip_id="t1",
            trip_title="Trip",
            channel_id="c1",
            channel_name="general",
            api_key="osk_live_" + "a" * 40,
            owner_user_id="u1",
            scopes=["messages:read:t1", "messages:write:t1"],
        )
        for platform, chat_id in (("telegram", "-100"), ("slack", "C1"))
    ]


async def write(
    store: Store, link: Link, message_id: str, parent: Parent | None = None
) -> list[OutboxEntry]:
    line = IntakeLine(
        parts=((f"telegram:-100:{message_id}", f"line {message_id}"),),
        link_id=link.id,
        trip_id=link.trip_id,
        channel_id=link.channel_id,
        source_platform="telegram",
        source_chat_id="-100",
        source_thread_id=None,
        source_message_id=message_id,
        parent=parent,
    )
    return list((await store.ingest([line])).created)


def feed_for(store: Store, handed: Handed) -> AheadFeed:
    return AheadFeed("t1", "c1", store=store, lanes=handed)  # type: ignore[arg-type]


async def test_a_line_written_here_goes_at_its_write_and_the_read_passes_it(
    store: Store, links: list[Link]
) -> None:
    handed = Handed()
    feed = feed_for(store, handed)
    await feed.read(links)  # the first read (a start)
    before = store.operations
    assert feed.offer(await write(store, links[0], "1"), links)
    assert feed.offer(await write(store, links[0], "2"), links)
    assert handed.lines == [("line 1", "C1", True), ("line 2", "C1", True)]
    assert not feed.due and feed.unconfirmed
    assert store.operations == before + 2  # the two writes: nothing read back
    assert await feed.read(links) == 2
    assert handed.contents() == ["line 1", "line 2"]  # passed, not handed twice
    assert not feed.unconfirmed


async def test_before_the_first_read_the_read_takes_the_lines(
    store: Store, links: list[Link]
) -> None:
    handed = Handed()
    feed = feed_for(store, handed)
    assert not feed.offer(await write(store, links[0], "1"), links)
    assert handed.lines == [] and feed.due
    await feed.read(links)
    assert handed.lines == [("line 1", "C1", False)]


async def test_a_reply_and_the_lines_after_it_wait_for_the_read_in_order(
    store: Store, links: list[Link]
) -> None:
    handed = Handed()
    feed = feed_for(store, handed)
    await feed.read(links)
    assert feed.offer(await write(store, links[0], "1"), links)
    assert not feed.offer(await write(store, links[0], "2", ChatParent("-100:1")), links)
    assert not feed.offer(await write(store, links[0], "3"), links)  # not before line 2
    assert handed.contents() == ["line 1"]
    await feed.read(links)
    assert handed.lines[1:] == [("line 2", "C1", False), ("line 3", "C1", False)]
    assert feed.offer(await write(store, links[0], "4"), links)  # the read passed them
    assert handed.lines[-1] == ("line 4", "C1", True)


async def test_a_line_written_during_a_read_goes_with_the_next_read(
    store: Store, links: list[Link], monkeypatch: pytest.MonkeyPatch
) -> None:
    handed = Handed()
    feed = feed_for(store, handed)
    await feed.read(links)
    read, reading, go_on = store.pending_outbox_after, asyncio.Event(), asyncio.Event()

    async def held(*args: Any, **kwargs: Any) -> list[OutboxEntry]:
        entries = await read(*args, **kwargs)
        reading.set()
        await go_on.wait()
        return entries

    other = await write(store, links[0], "1")  # another process's line: no offer
    monkeypatch.setattr(store, "pending_outbox_after", held)
    task = asyncio.create_task(feed.read(links))
    await reading.wait()
    assert not feed.offer(await write(store, links[0], "2"), links)  # the read may hand 1 yet
    go_on.set()
    await task
    assert other and handed.contents() == ["line 1"]
    monkeypatch.setattr(store, "pending_outbox_after", read)
    await feed.read(links)
    assert handed.lines == [("line 1", "C1", False), ("line 2", "C1", False)]


async def test_a_line_another_process_wrote_among_them_comes_with_the_read(
    store: Store, links: list[Link]
) -> None:
    handed = Handed()
    feed = feed_for(store, handed)
    await feed.read(links)
    await write(store, links[1], "1")  # written elsewhere: never offered here
    assert feed.offer(await write(store, links[0], "2"), links)
    assert handed.lines == [("line 2", "C1", True)]
    await feed.read(links)
    assert handed.lines[1:] == [("line 1", "-100", False)]  # once, to the other chat


async def test_a_line_posted_before_its_offer_goes_with_the_read_and_its_post_is_followed(
    store: Store, links: list[Link]
) -> None:
    # The Osoto lane was quicker than the intake's hand-over (possible on PostgreSQL,
    # where another connection sees the row at its commit): the read hands it over
    # and completes the post, so the poll waits for its copies, not queues it again.
    handed = Handed()
    feed = feed_for(store, handed)
    await feed.read(links)
    written = await write(store, links[0], "1")
    await store.mark_outbox_sent(written[0].id, "m1")
    feed.posted([written[0].id], "m1")
    assert feed.copies_of("m1") is None
    assert not feed.offer(written, links)
    await feed.read(links)
    assert handed.lines == [("line 1", "C1", False)]
    assert feed.copies_of("m1") is not None
