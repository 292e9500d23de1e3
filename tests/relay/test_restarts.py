"""Crashes at random points, many times, with responses lost on the way: nothing is
lost, nothing doubles in Osoto, and a chat sees a message twice only when a crash
fell between a send and its record (the "lost send response" case)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import httpx
from relay_world import World, eventually, make_world

from osoto_bridge.relay.coalesce import OSOTO_SEPARATOR


class LossyTransport(httpx.AsyncBaseTransport):
    """Passes requests to the server, then loses some POST responses on the way back:
    the server committed, the client never heard (the retry case that duplicates
    without idempotency)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rng: random.Random, rate: float):
        self._inner = inner
        self._rng = rng
        self.rate = rate
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and self._rng.random() < self.rate:
            await response.aread()
            self.lost += 1
            raise httpx.ReadTimeout("response lost on the way back", request=request)
        return response


async def _restart(world: World) -> None:
    assert world.bridge is not None and world.pool is not None and world.store is not None
    await world.bridge.abort()
    world.bridge = None
    await world.pool.aclose()
    await world.store.close()
    await world.open()


async def test_random_crashes_lose_nothing_and_never_double_in_osoto(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    world = make_world(tmp_path)
    lossy = LossyTransport(world.transport, rng, rate=0.25)
    world.transport = lossy
    await world.open()
    try:
        await world.link(world.telegram, "tg-1")
        from_chat: list[str] = []
        from_osoto: list[str] = []
        for round_no in range(15):
            await world.start()
            for n in range(rng.randint(1, 4)):
                text = f"chat r{round_no} n{n}"
                await world.telegram.write("tg-1", text, message_id=f"r{round_no}n{n}")
                from_chat.append(text)
                if rng.random() < 0.7:
                    content = f"osoto r{round_no} n{n}"
                    world.companion_says(content)
                    from_osoto.append(content)
            # let the bridge run for a random stretch, then crash it mid-whatever
            for _ in range(rng.randint(0, 400)):
                await asyncio.sleep(0)
            await _restart(world)

        await world.start()

        async def everything_crossed() -> bool:
            contents = " | ".join(m.content for m in await world.osoto_messages())
            delivered = {m.text for m in world.telegram.sent}
            return all(f"(Telegram): {t}" in contents for t in from_chat) and all(
                f"Ben: {t}" in delivered for t in from_osoto
            )

        await eventually(everything_crossed, timeout=30)

        # each line once, whether it went alone or in a merged post (a queue the
        # crashes let build up merges, relay/coalesce.py)
        osoto_counts = Counter(
            line for m in await world.osoto_messages() for line in m.content.split(OSOTO_SEPARATOR)
        )
        for text in from_chat:
            assert osoto_counts[f"Alice (Telegram): {text}"] == 1, text
        chat_counts = Counter(m.text for m in world.telegram.sent)
        for text in from_osoto:
            assert chat_counts[f"Ben: {text}"] >= 1, text
        # A crash between a chat send and its map row (the "lost send response"
        # case) may show one message twice; one crash can cause at most one.
        doubles = sum(count - 1 for count in chat_counts.values())
        assert doubles <= 15
        # no echo: nothing the chat wrote came back to it
        assert not any("(Telegram)" in m.text for m in world.telegram.sent)
        assert lossy.lost > 0, "the test must actually lose responses"
    finally:
        await world.close()
        world.sandbox.close()


async def test_a_post_whose_every_answer_is_lost_is_never_echoed(tmp_path: Path) -> None:
    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    world = make_world(tmp_path)
    lossy = LossyTransport(world.transport, random.Random(7), rate=0.0)
    world.transport = lossy
    world.retry_sleep = no_wait  # the client's retries give up at once
    await world.open()
    try:
        await world.link(world.telegram, "tg-1")
        bridge = await world.start()
        lossy.rate = 1.0  # from now on every POST is made but its answer lost
        await world.telegram.write("tg-1", "are we there yet")

        async def posted_but_unheard() -> bool:
            return lossy.lost >= 5 and len(await world.osoto_messages()) == 1

        await eventually(posted_but_unheard)
        # Osoto has the message; the bridge does not know it is ours yet. Passes go on.
        for _ in range(3):
            await bridge.next_pass()
        assert world.telegram.sent == []
        lossy.rate = 0.0  # the network heals; the retry replays the same message

        assert world.store is not None

        async def recorded() -> bool:
            assert world.store is not None
            return await world.store.pending_outbox_count() == 0

        await eventually(recorded)
        for _ in range(3):
            await bridge.next_pass()
        assert world.telegram.sent == []  # never echoed
        assert len(await world.osoto_messages()) == 1  # never doubled
    finally:
        await world.close()
        world.sandbox.close()
