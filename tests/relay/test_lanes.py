"""Every destination its own lane, and coalescing under pressure (issue 16 items 2, 3).

Given a Telegram group and a Slack channel linked to one trip: a chat that is down
holds neither Osoto nor the other chat; lines that queue behind a held send cross
as one message and each still answers to replies; a batch cut before a crash is
posted once, with the same Idempotency-Key.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from relay_world import World, eventually, make_world, opened

from osoto_bridge.chat import OutboundMessage, RecordingChat
from osoto_bridge.relay import Bridge
from osoto_bridge.relay.coalesce import OSOTO_SEPARATOR, batch_key, merged_content
from osoto_bridge.relay.worker import wait_event


class Minutes:
    """Virtual time for the lanes' long waits: a wait of a second or more jumps the
    clock instead of passing; the relay's short pass waits stay real."""

    def __init__(self) -> None:
        self.skipped = 0.0

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        if seconds >= 1.0 and not event.is_set():
            self.skipped += seconds
            seconds = 0.005
        await wait_event(event, seconds)


class HeldChat(RecordingChat):
    """A chat whose next send is held (its platform's pace) until released; the
    hold moves the bridge's clock on by the pace it stands for."""

    def __init__(self, platform: str, *, clock: list[float], **kwargs: object) -> None:
        super().__init__(platform, **kwargs)  # type: ignore[arg-type]
        self.gate = asyncio.Event()
        self.gate.set()
        self.held = asyncio.Event()
        self._clock = clock

    async def send(self, message: OutboundMessage) -> list[str]:
        if not self.gate.is_set():
            self.held.set()
            await self.gate.wait()
            self._clock[0] += 1.0  # the pacer's second
        return await super().send(message)


async def _with_held_slack(world: World) -> tuple[HeldChat, Bridge]:
    """A Telegram group and a Slack channel whose sends can be held, the bridge up on
    a clock the held sends move on."""
    clock = [0.0]
    slack = HeldChat("slack", clock=clock, capabilities=world.slack.capabilities)
    world.slack = slack
    await world.link(world.telegram, "tg-1")
    await world.link(slack, "C1")
    loop = asyncio.get_running_loop()
    return slack, await world.start(clock=lambda: loop.time() + clock[0])


def _lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.split("\n\n")]


async def test_a_chat_down_for_minutes_holds_no_other_destination(world: World) -> None:
    minutes = Minutes()
    await world.link(world.telegram, "tg-1")
    await world.link(world.slack, "C1")
    world.slack.failures_to_inject = 10**9  # Slack answers nothing but errors
    await world.start(wait=minutes.wait)
    for n in range(3):
        await world.telegram.write("tg-1", f"tg {n}", author="Alice")
        world.companion_says(f"osoto {n}")

    async def others_flowed() -> bool:
        posted = [m.content for m in await world.osoto_messages()]
        return (
            sum(p.startswith("Alice") for p in posted) == 3
            and len(world.telegram.sent) == 3
            and minutes.skipped >= 180  # Slack's lane has been retrying for minutes
        )

    await eventually(others_flowed, timeout=30)
    assert world.slack.sent == []
    assert [m.text for m in world.telegram.sent] == [f"Ben: osoto {n}" for n in range(3)]

    world.slack.failures_to_inject = 0  # Slack is back

    def slack_lines() -> list[str]:
        return _lines([m.text for m in world.slack.sent])

    async def slack_caught_up() -> bool:
        return len(slack_lines()) == 6

    await eventually(slack_caught_up, timeout=30)
    lines = slack_lines()
    # Nothing lost, nothing twice, each source's order kept in Slack.
    assert [line for line in lines if line.startswith("Alice")] == [
        f"Alice (Telegram): tg {n}" for n in range(3)
    ]
    assert [line for line in lines if "osoto" in line] == [f"Ben: osoto {n}" for n in range(3)]


async def test_lines_queued_behind_a_held_send_cross_as_one_and_answer_replies(
    world: World,
) -> None:
    slack, bridge = await _with_held_slack(world)

    slack.gate.clear()  # Slack's pace holds the next send
    first = await world.telegram.write("tg-1", "one", author="Alice")
    await asyncio.wait_for(slack.held.wait(), 10)
    sources = [first]
    for word in ("two", "three", "four"):
        sources.append(await world.telegram.write("tg-1", word, author="Alice"))

    async def queued() -> bool:
        return bridge.lane_backlog() >= 4  # the held line and the three behind it

    await eventually(queued)
    slack.gate.set()
    await slack.wait_for(lambda sent: len(_lines([m.text for m in sent])) == 4)
    assert _lines([m.text for m in slack.sent]) == [
        f"Alice (Telegram): {word}" for word in ("one", "two", "three", "four")
    ]
    assert slack.sent[0].text == "Alice (Telegram): one"  # no queue: one line, one message
    assert len(slack.sent) < 4  # what queued behind the held send merged
    carrier = next(m for m in slack.sent if "three" in m.text)
    carried = carrier.text.split("\n\n")
    assert len(carried) >= 2, carrier.text
    merged = carrier.message_id

    async def all_in_osoto() -> bool:
        lines = [line for m in await world.osoto_messages() for line in m.content.split("\n\n")]
        return len(lines) == 4

    await eventually(all_in_osoto)
    by_line = {
        line: message
        for message in await world.osoto_messages()
        for line in message.content.split(OSOTO_SEPARATOR)
    }
    last = by_line[carried[-1]]
    three = by_line["Alice (Telegram): three"]

    # From Slack: a reply to the merged message answers its last line in Osoto.
    await slack.write("C1", "Yes to four", author="Bob", reply_to=merged)
    last_source = sources[["one", "two", "three", "four"].index(carried[-1].rsplit(" ", 1)[1])]

    async def reply_posted() -> bool:
        return any(m.content.endswith("Yes to four") for m in await world.osoto_messages())

    await eventually(reply_posted)
    reply = next(m for m in await world.osoto_messages() if m.content.endswith("Yes to four"))
    assert reply.parent_id == last.id
    # and Telegram shows it as a reply to the line it came from
    await world.telegram.wait_for(lambda sent: any("Yes to four" in m.text for m in sent))
    in_telegram = next(m for m in world.telegram.sent if "Yes to four" in m.text)
    assert in_telegram.reply_to == last_source

    # From Osoto: a reply to "three" threads under the merged Slack message, and
    # under the line itself in Telegram.
    world.companion_says("Three it is", parent_id=three.id)
    await slack.wait_for(lambda sent: any("Three it is" in m.text for m in sent))
    assert next(m for m in slack.sent if "Three it is" in m.text).reply_to == merged
    await world.telegram.wait_for(lambda sent: any("Three it is" in m.text for m in sent))
    assert next(m for m in world.telegram.sent if "Three it is" in m.text).reply_to == sources[2]
    # No echo: nothing came back to where it was written.
    assert not any("Alice" in m.text for m in world.telegram.sent)
    assert not any("Bob" in m.text for m in slack.sent)


async def test_a_batch_cut_before_a_crash_is_posted_once_with_the_same_key(
    world: World,
) -> None:
    assert world.store is not None
    await world.link(world.telegram, "tg-1")
    await world.start()
    assert world.bridge is not None
    # The bridge goes down before it posts (a crash): three lines wait in the outbox.
    await world.bridge.abort()
    await world.telegram.start(world.bridge)  # the chat still hands lines in
    for word in ("alpha", "beta", "gamma"):
        await world.telegram.write("tg-1", word, author="Alice")
    entries = await world.store.list_outbox(status="pending")
    assert len(entries) == 3
    # The cut was stored, then the post reached Osoto but its answer was lost.
    await world.store.cut_outbox_batch([entry.id for entry in entries])
    cut = await world.store.outbox_batch(entries[0].id)
    first_try = await world.client.post_message(
        world.trip_id,
        world.channel_id,
        merged_content(cut),
        idempotency_key=batch_key(cut),
    )
    await world.telegram.stop()

    # Restart: the same lines, the same key; the sandbox replays, Osoto shows one post.
    bridge = await world.start()
    await world.telegram.write("tg-1", "delta", author="Alice")  # written after the cut
    async with asyncio.timeout(10):
        await bridge.idle()
    posts = [m for m in await world.osoto_messages() if "Alice" in m.content]
    assert posts[0].id == first_try.id
    assert posts[0].content == OSOTO_SEPARATOR.join(
        f"Alice (Telegram): {w}" for w in ("alpha", "beta", "gamma")
    )
    assert [m.content for m in posts[1:]] == ["Alice (Telegram): delta"]
    sent = await world.store.list_outbox(status="sent")
    assert {e.osoto_message_id for e in sent if e.batch_id == entries[0].id} == {first_try.id}


class HeldPosts(httpx.AsyncBaseTransport):
    """Osoto's transport, whose message posts wait while ``held`` (a slow Osoto)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.open = asyncio.Event()
        self.open.set()
        self.waiting = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        posting = request.method == "POST" and request.url.path.endswith("/messages")
        if posting and not self.open.is_set():
            self.waiting.set()
            await self.open.wait()
        return await self._inner.handle_async_request(request)


async def _queued_behind_a_held_post(world: World, count: int) -> None:
    """The first line's post is held; ``count - 1`` more queue behind it; released."""
    assert world.store is not None
    posts = world.transport
    assert isinstance(posts, HeldPosts)
    posts.open.clear()
    await world.telegram.write("tg-1", "line 0", author="Alice")
    await asyncio.wait_for(posts.waiting.wait(), 10)
    for n in range(1, count):
        await world.telegram.write("tg-1", f"line {n}", author="Alice")
    posts.open.set()


async def _posts_of_a_queue(tmp_path: Path, count: int) -> list[str]:
    """On a key of 60 requests a minute, what Osoto shows, post by post, of ``count``
    lines, all but the first written while the first one's post was held."""
    world = make_world(tmp_path, rate_limit=60)
    world.transport = HeldPosts(world.transport)
    async with opened(world):
        await world.link(world.telegram, "tg-1")
        bridge = await world.start()
        await _queued_behind_a_held_post(world, count)
        async with asyncio.timeout(10):
            await bridge.idle()
        return [m.content for m in await world.osoto_messages() if "Alice" in m.content]


async def test_a_long_queue_toward_osoto_is_posted_merged(tmp_path: Path) -> None:
    # 39 lines one by one would take 39 of the key's 60 requests this minute and
    # leave its polls nothing: they go as one post, every line in it, in order.
    posts = await _posts_of_a_queue(tmp_path, 40)
    assert posts[0] == "Alice (Telegram): line 0"
    assert len(posts) == 2
    assert _lines(posts) == [f"Alice (Telegram): line {n}" for n in range(40)]


async def test_a_persons_four_quick_lines_stay_four_posts(tmp_path: Path) -> None:
    posts = await _posts_of_a_queue(tmp_path, 4)
    assert posts == [f"Alice (Telegram): line {n}" for n in range(4)]


async def test_lines_queued_before_a_restart_are_never_merged(world: World) -> None:
    # The process before may have posted any of them alone, its answer lost: merged
    # now under a new key they could show twice. So each goes alone, with its own key.
    assert world.store is not None
    await world.link(world.telegram, "tg-1")
    await world.start()
    assert world.bridge is not None
    await world.bridge.abort()
    await world.telegram.start(world.bridge)  # the chat still hands lines in
    for n in range(30):
        await world.telegram.write("tg-1", f"line {n}", author="Alice")
    await world.telegram.stop()
    bridge = await world.start()
    async with asyncio.timeout(10):
        await bridge.idle()
    posts = [m.content for m in await world.osoto_messages() if "Alice" in m.content]
    assert posts == [f"Alice (Telegram): line {n}" for n in range(30)]


async def test_lines_of_a_merged_post_reach_a_slow_chat_each_once(tmp_path: Path) -> None:
    # Toward Osoto 40 queued lines go as one post; Slack takes them at its own pace,
    # merged its own way. A line of the post that Slack has must not stand for the
    # others (the post's id names them all): every line arrives there once.
    world = make_world(tmp_path, rate_limit=60)
    async with opened(world):
        slack, bridge = await _with_held_slack(world)
        slack.gate.clear()  # Slack's pace holds the first send
        for n in range(40):
            await world.telegram.write("tg-1", f"line {n}", author="Alice")
        await asyncio.wait_for(slack.held.wait(), 10)

        async def posted() -> bool:
            lines = _lines([m.content for m in await world.osoto_messages()])
            return len(lines) == 40

        await eventually(posted)  # Osoto has them all while Slack still waits
        assert len(await world.osoto_messages()) < 40  # merged
        slack.gate.set()
        async with asyncio.timeout(10):
            await bridge.idle()
        assert _lines([m.text for m in slack.sent]) == [
            f"Alice (Telegram): line {n}" for n in range(40)
        ]


class HoldsAfterTwo(HeldChat):
    """Takes two messages, then holds every send (a platform gone quiet) while
    ``holding``."""

    holding = True

    async def send(self, message: OutboundMessage) -> list[str]:
        if len(self.sent) >= 2 and self.holding:
            self.gate.clear()
        return await super().send(message)


async def test_a_restart_gives_a_chat_the_lines_of_a_merged_post_it_lacks(
    tmp_path: Path,
) -> None:
    # Osoto has line 0 alone and lines 1-39 in one post; Slack got lines 0 and 1,
    # then the bridge crashed with the rest queued for it. After the restart the
    # poll meets that post: it hands it over line by line, so Slack gets the 38 it
    # lacks, and none again (its copy of line 1 does not stand for the whole post).
    world = make_world(tmp_path)
    world.transport = HeldPosts(world.transport)
    async with opened(world):
        slack = HoldsAfterTwo("slack", clock=[0.0], capabilities=world.slack.capabilities)
        world.slack = slack
        await world.link(world.telegram, "tg-1")
        await world.link(slack, "C1")
        bridge = await world.start()
        await _queued_behind_a_held_post(world, 40)
        await asyncio.wait_for(slack.held.wait(), 10)

        async def posted() -> bool:
            return len(_lines([m.content for m in await world.osoto_messages()])) == 40

        await eventually(posted)
        assert len(await world.osoto_messages()) == 2
        await bridge.abort()  # the crash: Slack's queue is gone with it
        assert _lines([m.text for m in slack.sent]) == [
            "Alice (Telegram): line 0",
            "Alice (Telegram): line 1",
        ]

        slack.holding = False
        slack.gate.set()
        bridge = await world.start()
        await slack.wait_for(lambda sent: len(_lines([m.text for m in sent])) >= 40)
        async with asyncio.timeout(10):
            await bridge.idle()
        assert _lines([m.text for m in slack.sent]) == [
            f"Alice (Telegram): line {n}" for n in range(40)
        ]
