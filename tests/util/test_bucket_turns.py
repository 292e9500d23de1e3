"""take_all: waiters for a shared bucket take turns (one sleeps for the next token)."""

from __future__ import annotations

import asyncio

from osoto_bridge.util import TokenBucket, take_all


async def settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


class ManualTime:
    """A clock whose sleepers wake only when the test advances it; counts sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps = 0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        for deadline, future in self._sleepers:
            if deadline <= self.now + 1e-9 and not future.done():
                future.set_result(None)
        self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]
        await settle()


async def test_many_waiters_on_one_bucket_are_served_in_turn_each_waking_once() -> None:
    time = ManualTime()
    workspace = TokenBucket(10.0, 1, time.now)
    order: list[int] = []

    async def send(n: int) -> None:
        await take_all([workspace], clock=time.clock, sleep=time.sleep)
        order.append(n)

    waiters = 50
    tasks = [asyncio.create_task(send(n)) for n in range(waiters)]
    await settle()
    assert order == [0]  # the bucket's one token
    for _ in range(waiters - 1):
        await time.advance(0.1)
    await asyncio.gather(*tasks)
    assert order == list(range(waiters))  # in the order they came
    # One sleep per token after the first: without turns every waiter slept for
    # every token (about waiters² / 2 of them).
    assert time.sleeps == waiters - 1


async def test_a_chat_waiting_for_its_own_pace_does_not_hold_the_shared_turn() -> None:
    time = ManualTime()
    shared = TokenBucket(100.0, 1, time.now)
    slow_chat = TokenBucket(1.0, 1, time.now)
    slow_chat.take()  # its next token is a second away
    done: list[str] = []

    async def send(name: str, buckets: list[TokenBucket]) -> None:
        await take_all(buckets, clock=time.clock, sleep=time.sleep)
        done.append(name)

    slow = asyncio.create_task(send("slow", [slow_chat, shared]))
    quick = asyncio.create_task(send("quick", [shared]))
    await settle()
    assert done == ["quick"]  # the shared token went at once, the slow chat waits
    await time.advance(1.0)
    await asyncio.gather(slow, quick)
    assert done == ["quick", "slow"]
