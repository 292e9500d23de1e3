"""A line the ahead feed never read still reaches the other chats, from its Osoto post.

On PostgreSQL an outbox row gets its id at its insert and shows at its commit: a line
written on one replica can commit after a later line written on another (or by a
second intake), and the feed, already past the later one, never reads it. The Osoto
lane posts it all the same, maybe merged with lines the feed did hand over; the poll
that meets that post must then hand over the line the feed missed (`Route.CATCH_UP`),
not take the copies of the others for the whole post.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from relay_world import eventually, make_world, opened
from test_inbound_parents import merged_lines
from test_lanes import HeldPosts, _lines

from osoto_bridge.store import OutboxEntry


async def test_a_line_the_feed_never_read_reaches_the_other_chat_from_its_merged_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(tmp_path, rate_limit=60)
    world.transport = HeldPosts(world.transport)
    async with opened(world):
        await world.link(world.telegram, "tg-1")
        await world.link(world.slack, "C1")
        bridge = await world.start()
        store = world.store
        assert store is not None
        read = store.pending_outbox_after

        async def line_5_not_committed_yet(*args: object, **kwargs: object) -> list[OutboxEntry]:
            entries = await read(*args, **kwargs)  # type: ignore[arg-type]
            return [entry for entry in entries if not entry.content.endswith("line 5")]

        monkeypatch.setattr(store, "pending_outbox_after", line_5_not_committed_yet)
        worker = bridge.worker(world.trip_id, world.channel_id)
        assert worker is not None
        poke = worker.poke

        def line_5_written_elsewhere(written: Sequence[OutboxEntry] = ()) -> None:
            # Another process's line: this one neither hands it over at its write
            # (`AheadFeed.offer`) nor reads it.
            poke([entry for entry in written if not entry.content.endswith("line 5")])

        monkeypatch.setattr(worker, "poke", line_5_written_elsewhere)
        await merged_lines(world, 40)

        expected = [f"Alice (Telegram): line {n}" for n in range(40)]

        async def slack_has_every_line() -> bool:
            return set(_lines([m.text for m in world.slack.sent])) >= set(expected)

        await eventually(slack_has_every_line)
        async with asyncio.timeout(10):
            await bridge.idle()
        counts = Counter(_lines([m.text for m in world.slack.sent]))
        assert counts == Counter(expected)  # every line once, the missed one too
