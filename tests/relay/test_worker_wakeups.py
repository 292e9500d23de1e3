"""A chat message wakes its channel's worker, whenever it arrives during a pass.

The worker skips reading the outbox on passes nobody asked for; these tests pin
down that a poke is never lost on the way, with poll intervals so long that a
missed wake-up would leave the message waiting far past the test's patience.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from relay_world import World, eventually, make_world

from osoto_bridge.chat import RecordingChat
from osoto_bridge.chat.base import InboundSink
from osoto_bridge.osoto import Priority, RateLimiter
from osoto_bridge.relay import Bridge, PollTiming
from osoto_bridge.relay.lanes import ChatLanes

SLOW = PollTiming(
    active_interval=600.0,
    idle_interval=600.0,
    active_window=5.0,
    requests_per_minute=1_000_000,
    background_share=1.0,
)


async def test_a_message_written_while_the_outbox_is_drained_is_posted_at_once(
    world: World,
) -> None:
    world.timing = SLOW
    await world.link(world.telegram, "tg-1")
    bridge = await world.start()
    await bridge.next_pass()  # the start-up pass is over: the worker waits for a poke
    store = world.store
    assert store is not None
    complete_post = store.complete_outbox_post
    written_in_between = False

    async def complete_then_someone_writes(*args: Any, **kwargs: Any) -> None:
        # The drain read the outbox and posted; before it is done, the next line
        # arrives (written, and the worker poked): the race a busy bridge meets.
        nonlocal written_in_between
        await complete_post(*args, **kwargs)
        if not written_in_between:
            written_in_between = True
            await world.telegram.write("tg-1", "second", author="Alice")

    store.complete_outbox_post = complete_then_someone_writes  # type: ignore[method-assign]
    await world.telegram.write("tg-1", "first", author="Alice")

    async def both_posted() -> bool:
        return len(await world.osoto_messages()) == 2

    await eventually(both_posted, timeout=5.0)
    assert written_in_between
    contents = [m.content for m in await world.osoto_messages()]
    assert contents == ["Alice (Telegram): first", "Alice (Telegram): second"]


async def test_messages_written_during_a_pass_are_all_posted(world: World) -> None:
    world.timing = SLOW
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    await world.start()
    for n in range(6):
        await world.telegram.write("tg-1", f"line {n}", author="Alice")
        await world.slack.write("C1", f"reply {n}", author="Bob")

    async def all_posted() -> bool:
        return len(await world.osoto_messages()) == 12

    await eventually(all_posted, timeout=5.0)


async def test_a_chat_message_is_posted_at_once_while_polling_waits_for_budget(
    tmp_path: Path,
) -> None:
    world = make_world(tmp_path, rate_limit=60)
    await world.open()
    try:
        await world.link(world.telegram, "tg-1")
        bridge = await world.start()
        limiter = world.client.limiter
        # Polling every 10 ms spends the key's share for background requests in
        # well under a second; a poll waiting for it would sit out the minute.
        await eventually(lambda: _spent(limiter), timeout=5.0)

        async def posted() -> bool:
            return len(await world.osoto_messages()) == 1

        async with asyncio.timeout(5.0):
            await bridge.next_pass()  # passes still end: no poll sits waiting
            await world.telegram.write("tg-1", "still here", author="Alice")
            await eventually(posted)
        assert not limiter.ready(Priority.BACKGROUND)  # it was all within the spent budget
    finally:
        await world.close()
        world.sandbox.close()


async def _spent(limiter: RateLimiter) -> bool:
    return not limiter.ready(Priority.BACKGROUND)


async def test_active_polls_beyond_the_process_budget_are_put_off_not_waited_for(
    world: World,
) -> None:
    world.timing = dataclasses.replace(world.timing, active_polls_per_second=0.001)
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    bridge = await world.start()
    await bridge.next_pass()
    worker = bridge.worker(world.trip_id, world.channel_id)
    assert worker is not None
    await world.telegram.write("tg-1", "hello", author="Alice")  # the channel turns active
    await world.slack.wait_for(lambda sent: len(sent) == 1)
    polls = worker.polls

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await eventually(posted, timeout=5.0)
    for _ in range(3):
        await bridge.next_pass()  # passes go on, without polling
    assert worker.polls == polls


class _StartWatchingChat(RecordingChat):
    """Notes whether the channel's worker existed when the bridge started the chat."""

    channel: tuple[str, str] = ("", "")
    worker_at_start: object = "not started"

    async def start(self, sink: InboundSink) -> None:
        assert isinstance(sink, Bridge)
        self.worker_at_start = sink.worker(*self.channel)
        await super().start(sink)


async def test_the_chats_start_before_the_channel_workers(world: World) -> None:
    # A platform's handshake must not wait behind thousands of first passes.
    chat = _StartWatchingChat("telegram")
    world.telegram = chat
    await world.link(chat, "tg-1")
    chat.channel = (world.trip_id, world.channel_id)
    bridge = await world.start()
    assert chat.worker_at_start is None
    assert bridge.worker(world.trip_id, world.channel_id) is not None


async def test_chat_lines_cross_at_once_but_the_poll_keeps_its_cadence(world: World) -> None:
    # A poke runs a pass for the ahead feed; it does not poll before the poll's time
    # (polled at every chat line, an Osoto line between two chat lines would wait
    # for the spacing after the line before it, not for the next beat of a rhythm).
    world.timing = SLOW
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    bridge = await world.start()
    await bridge.next_pass()  # the start-up pass polled; the next poll is 600 s away
    worker = bridge.worker(world.trip_id, world.channel_id)
    assert worker is not None
    polls = worker.polls
    for n in range(3):
        await world.telegram.write("tg-1", f"line {n}", author="Alice")
        await world.slack.wait_for(lambda sent, n=n: len(sent) == n + 1)
    assert worker.polls == polls


async def test_a_waiting_worker_hands_a_line_ahead_before_the_osoto_lane_reads(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Woken together, the Osoto lane's reads before its post ran first and held the
    # other chats' copy back; now the line is in the other chats' lanes before the
    # Osoto lane reads, handed over at its write with no read of its own.
    world.timing = SLOW
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    bridge = await world.start()
    await bridge.next_pass()  # the worker waits for a poke
    store = world.store
    assert store is not None
    order: list[str] = []
    feed_read, lane_read, deliver = store.pending_outbox_after, store.due_outbox, ChatLanes.deliver

    async def feed(*args: Any, **kwargs: Any) -> Any:
        order.append("feed")
        return await feed_read(*args, **kwargs)

    async def lane(*args: Any, **kwargs: Any) -> Any:
        order.append("osoto lane")
        return await lane_read(*args, **kwargs)

    def handed(self: ChatLanes, *args: Any, **kwargs: Any) -> Any:
        order.append("handed over")
        return deliver(self, *args, **kwargs)

    store.pending_outbox_after = feed  # type: ignore[method-assign]
    store.due_outbox = lane  # type: ignore[method-assign]
    monkeypatch.setattr(ChatLanes, "deliver", handed)
    await world.telegram.write("tg-1", "hello", author="Alice")

    async def posted() -> bool:
        return len(await world.osoto_messages()) == 1

    await world.slack.wait_for(lambda sent: len(sent) == 1)
    await eventually(posted, timeout=5.0)
    assert order[:2] == ["handed over", "osoto lane"]
