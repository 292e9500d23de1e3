"""What a chat reply answers, as the router writes it down (issue 14.1): one line,
however it travelled to Osoto."""

from __future__ import annotations

import asyncio
from pathlib import Path

from relay_world import World, eventually, make_world, opened
from test_lanes import HeldPosts, _lines

from osoto_bridge.store import PendingParent


async def merged_lines(world: World, count: int) -> list[str]:
    """Alice's ``count`` lines, all but the first written while the first one's post
    was held, so that Osoto gets the rest merged; their Telegram ids."""
    posts = world.transport
    assert isinstance(posts, HeldPosts)
    posts.open.clear()
    ids = [await world.telegram.write("tg-1", "line 0", author="Alice")]
    await asyncio.wait_for(posts.waiting.wait(), 10)
    ids += [
        await world.telegram.write("tg-1", f"line {n}", author="Alice") for n in range(1, count)
    ]
    posts.open.set()

    async def posted() -> bool:
        return len(_lines([m.content for m in await world.osoto_messages()])) == count

    await eventually(posted)
    assert len(await world.osoto_messages()) < count  # merged toward Osoto
    return ids


async def test_a_reply_to_ones_own_line_posted_merged_names_that_line(tmp_path: Path) -> None:
    """Alice's lines reach Osoto merged (one id for many lines); Bob's reply to her
    sixth names that line's entry, not the post, so the other chats can thread it
    under that line's copy."""
    world = make_world(tmp_path)
    world.transport = HeldPosts(world.transport)
    async with opened(world):
        await world.link(world.telegram, "tg-1")
        await world.link(world.slack, "C1")
        await world.start()
        assert world.store is not None
        ids = await merged_lines(world, 40)
        answered = await world.store.outbox_entry_for_source("telegram", "tg-1", ids[5])
        assert answered is not None and answered.batch_id is not None

        reply = await world.telegram.write("tg-1", "me too", author="Bob", reply_to=ids[5])

        entry = await world.store.outbox_entry_for_source("telegram", "tg-1", reply)
        assert entry is not None
        assert entry.parent == PendingParent(answered.id)


async def test_a_reply_to_a_line_of_a_merged_post_threads_under_that_line(
    tmp_path: Path,
) -> None:
    """In the other chat the reply threads under that line's own copy, not under the
    merged post's first line (line 35: a Slack message that merged lines queued for it
    carries at most 30, so never line 0 too)."""
    world = make_world(tmp_path)
    world.transport = HeldPosts(world.transport)
    async with opened(world):
        await world.link(world.telegram, "tg-1")
        await world.link(world.slack, "C1")
        await world.start()
        ids = await merged_lines(world, 40)
        await world.slack.wait_for(lambda sent: len(_lines([m.text for m in sent])) >= 40)

        def carries(text: str, line: str) -> bool:
            return any(part.endswith(line) for part in _lines([text]))

        line_35 = next(m for m in world.slack.sent if carries(m.text, "line 35"))
        assert not carries(line_35.text, "line 0")
        await world.telegram.write("tg-1", "me too", author="Bob", reply_to=ids[35])
        await world.slack.wait_for(lambda sent: any("me too" in m.text for m in sent))
        reply = next(m for m in world.slack.sent if "me too" in m.text)
        assert reply.reply_to == line_35.message_id
