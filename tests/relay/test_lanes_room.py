"""The lanes' hold on a pulled intake: a burst waits at its platform, not in memory.

`ChatLanes.room` is what Telegram's poller awaits before each ``getUpdates``: it
holds while the lanes have ``hold_at`` lines queued and lets go below half of it;
the lines of a lane that is failing do not count, so one chat that cannot take
lines never stops the intake of every other.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence

from osoto_bridge.chat.base import ChatUnavailable
from osoto_bridge.osoto.models import Message
from osoto_bridge.relay.lanes import ChatLanes, Line, Taken
from osoto_bridge.store import Link


def _link(n: int) -> Link:
    return Link(
        id=n,
        platform="slack",
        chat_id=f"C{n}",
        thread_id=None,
        trip_id="trip-1",
        trip_title="Trip",
        channel_id="chan-1",
        channel_name="general",
        key_id=1,
        key_fingerprint="fp",
        owner_user_id="user-1",
        scopes=("messages:read", "messages:write"),
        language="en",
        show_sensitive=False,
        enabled=True,
        created_at=0.0,
        created_by=None,
    )


def _message(n: int) -> Message:
    return Message(id=f"m{n}", content=f"line {n}")


class GatedSender:
    """Sends one line per call, each once its chat is allowed one more (`allow`); a
    chat set to fail answers `ChatUnavailable` until it is cleared."""

    def __init__(self) -> None:
        self.permits: dict[str, asyncio.Semaphore] = {}
        self.failing: set[str] = set()
        self.tried: dict[str, asyncio.Event] = {}

    def allow(self, chat: str, sends: int) -> None:
        for _ in range(sends):
            self.permits.setdefault(chat, asyncio.Semaphore(0)).release()

    async def send_lines(self, link: Link, lines: Sequence[Line], *, merge: bool = False) -> Taken:
        self.tried.setdefault(link.chat_id, asyncio.Event()).set()
        if link.chat_id in self.failing:
            raise ChatUnavailable("down")
        await self.permits.setdefault(link.chat_id, asyncio.Semaphore(0)).acquire()
        return Taken(1)


async def _no_wait(event: asyncio.Event, seconds: float) -> None:
    await asyncio.sleep(0)


def _lanes(sender: GatedSender, hold_at: int) -> ChatLanes:
    return ChatLanes(
        sender, wait=_no_wait, clock=lambda: 0.0, rng=random.Random(1), hold_at=hold_at
    )


async def _until(holds: Callable[[], bool]) -> None:
    """Let the lanes' tasks run until ``holds`` (a few hundred turns at most)."""
    for _ in range(500):
        if holds():
            return
        await asyncio.sleep(0)
    raise AssertionError("the lanes never got there")


async def _has_room(lanes: ChatLanes) -> bool:
    waiter = asyncio.ensure_future(lanes.room())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    done = waiter.done()
    waiter.cancel()
    return done


async def test_the_intake_waits_at_hold_at_and_goes_on_below_half_of_it() -> None:
    sender = GatedSender()
    lanes = _lanes(sender, hold_at=4)
    a, b = _link(1), _link(2)
    for n in range(3):
        lanes.deliver(_message(n), [a, b] if n < 1 else [a])
    assert lanes.queued == 4
    assert not await _has_room(lanes)

    futures = lanes.deliver(_message(9), [b])  # what comes meanwhile still queues
    assert lanes.queued == 5
    sender.allow("C1", 3)  # C1 sends its three: 2 left, not below half of 4
    await _until(lambda: lanes.queued == 2)
    assert not await _has_room(lanes)
    sender.allow("C2", 2)
    await asyncio.gather(*futures)
    assert lanes.queued == 0
    assert await _has_room(lanes)
    await lanes.stop()


async def test_a_failing_chat_holds_no_intake_and_counts_again_once_it_sends() -> None:
    sender = GatedSender()
    sender.failing.add("C1")
    lanes = _lanes(sender, hold_at=3)
    down = _link(1)
    for n in range(5):
        lanes.deliver(_message(n), [down])
    await sender.tried.setdefault("C1", asyncio.Event()).wait()
    await _until(lambda: lanes.queued == 0)  # its first failure uncounts its lines
    assert await _has_room(lanes)

    sender.failing.clear()
    sender.allow("C1", 1)
    await _until(lambda: lanes.queued == 4)  # it sent one: the four behind count again
    assert not await _has_room(lanes)
    sender.allow("C1", 4)
    await _until(lambda: lanes.queued == 0)
    assert await _has_room(lanes)
    await lanes.stop()


async def test_a_stop_lets_a_waiting_intake_go() -> None:
    lanes = _lanes(GatedSender(), hold_at=1)
    lanes.deliver(_message(1), [_link(1)])
    waiting = asyncio.ensure_future(lanes.room())
    await asyncio.sleep(0)
    assert not waiting.done()
    await lanes.stop(at_once=True)
    await asyncio.wait_for(waiting, 5)
    assert lanes.queued == 0
