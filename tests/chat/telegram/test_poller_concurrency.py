"""The poller handles chats side by side, each chat in order, and never confirms an
update that was not handled: a slow chat, a stop mid-batch, a failing update."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Sequence

import pytest
from telegram import Bot, Update
from telegram_world import FakeSleep

from fakes.telegram_api import Chat, FakeTelegram, User
from osoto_bridge.chat.telegram.polling import Poller


class Handling:
    """The poller's ``handle``: records what started and finished; a held label waits
    for its event, a failing one raises."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.held: dict[str, asyncio.Event] = {}
        self.failing: set[str] = set()
        self.in_flight = 0
        self.peak = 0
        self._changed = asyncio.Condition()

    def hold(self, *labels: str) -> asyncio.Event:
        release = asyncio.Event()
        self.held.update(dict.fromkeys(labels, release))
        return release

    async def __call__(self, update: Update) -> None:
        label = _label(update)
        self.started.append(label)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await self._notify()
        try:
            if label in self.held:
                await self.held[label].wait()
            if label in self.failing:
                raise RuntimeError(f"{label} failed")
        finally:
            self.in_flight -= 1
        self.finished.append(label)
        await self._notify()

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(5), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _label(update: Update) -> str:
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id is not None:
        return "migrate to"
    if message.migrate_from_chat_id is not None:
        return "migrate from"
    assert message.text is not None
    return message.text


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


@pytest.fixture
def user(fake: FakeTelegram) -> User:
    return fake.user("Bob")


def _poller(bot: Bot, handling: Handling, *, max_concurrency: int = 64) -> Poller:
    return Poller(bot, handling, timeout=10, sleep=FakeSleep(), max_concurrency=max_concurrency)


def _write(fake: FakeTelegram, user: User, lines: Iterable[tuple[Chat, str]]) -> dict[str, int]:
    """Each line written in its chat, in order; returns each line's update id."""
    ids: dict[str, int] = {}
    for chat, text in lines:
        fake.write(chat, user, text)
        ids[text] = int(fake.history[-1]["update_id"])
    return ids


async def _stop(poller: Poller, task: asyncio.Task[None]) -> None:
    poller.stop()
    await task
    await poller.confirm()


async def test_a_slow_update_in_one_chat_does_not_hold_up_another_chat(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a, b = fake.group("A"), fake.group("B")
    handling = Handling()
    release = handling.hold("a1")
    _write(fake, user, [(a, "a1"), (b, "b1")])
    poller = _poller(bot, handling)
    task = asyncio.create_task(poller.run())

    await handling.until(lambda: "b1" in handling.finished)
    assert handling.started == ["a1", "b1"]
    assert handling.finished == ["b1"]

    release.set()
    await handling.until(lambda: len(handling.finished) == 2)
    await _stop(poller, task)
    assert handling.finished == ["b1", "a1"]
    assert fake.pending_updates == 0


async def test_updates_of_one_chat_are_handled_in_order_even_when_the_first_is_slow(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a, b = fake.group("A"), fake.group("B")
    handling = Handling()
    release = handling.hold("a1")
    _write(fake, user, [(a, "a1"), (a, "a2"), (b, "b1"), (a, "a3")])
    poller = _poller(bot, handling)
    task = asyncio.create_task(poller.run())

    await handling.until(lambda: "b1" in handling.finished)
    assert handling.started == ["a1", "b1"]  # a2 waits behind a1, b1 does not

    release.set()
    await handling.until(lambda: len(handling.finished) == 4)
    await _stop(poller, task)
    assert handling.finished == ["b1", "a1", "a2", "a3"]


async def test_stopping_mid_batch_confirms_nothing_past_an_unhandled_update(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a, b = fake.group("A"), fake.group("B")
    handling = Handling()
    release = handling.hold("a1")
    ids = _write(fake, user, [(a, "a1"), (b, "b1"), (a, "a2"), (b, "b2")])
    poller = _poller(bot, handling)
    task = asyncio.create_task(poller.run())

    await handling.until(lambda: handling.finished == ["b1", "b2"])
    poller.stop()  # a1 in hand: it finishes, a2 never starts
    release.set()
    await task
    await poller.confirm()
    assert handling.started == ["a1", "b1", "b2"]
    assert handling.finished == ["b1", "b2", "a1"]
    offsets = [int(call.params.get("offset", 0)) for call in fake.calls_to("getUpdates")]
    assert offsets[-1] == ids["a2"]  # the confirming call
    assert max(offsets) == ids["a2"]

    # a new poller (after a restart) gets a2 again, and b2 too: handled, but after a2
    again = Handling()
    poller = _poller(bot, again)
    task = asyncio.create_task(poller.run())
    await again.until(lambda: len(again.finished) == 2)
    await _stop(poller, task)
    assert sorted(again.finished) == ["a2", "b2"]
    assert fake.pending_updates == 0


async def test_a_failing_update_ends_the_poller_after_the_other_chats_update_in_hand(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a, b = fake.group("A"), fake.group("B")
    handling = Handling()
    release = handling.hold("b1")
    handling.failing.add("a1")
    ids = _write(fake, user, [(b, "b1"), (a, "a1"), (a, "a2"), (b, "b2")])
    poller = _poller(bot, handling)
    task = asyncio.create_task(poller.run())

    await handling.until(lambda: handling.started == ["b1", "a1"])
    assert not task.done()  # b1 is not cut short
    release.set()
    with pytest.raises(RuntimeError, match="a1 failed"):
        await task
    assert handling.finished == ["b1"]  # a2 and b2 were not started
    await poller.confirm()
    assert int(fake.calls_to("getUpdates")[-1].params["offset"]) == ids["a1"]
    assert fake.pending_updates == 3

    again = Handling()
    poller = _poller(bot, again)
    task = asyncio.create_task(poller.run())
    await again.until(lambda: len(again.finished) == 3)
    await _stop(poller, task)
    assert sorted(again.finished) == ["a1", "a2", "b2"]


async def test_at_most_max_concurrency_chats_are_handled_at_once(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    chats = [fake.group(f"G{n}") for n in range(4)]
    handling = Handling()
    release = handling.hold("g0", "g1", "g2", "g3")
    _write(fake, user, [(chat, f"g{n}") for n, chat in enumerate(chats)])
    poller = _poller(bot, handling, max_concurrency=2)
    task = asyncio.create_task(poller.run())

    await handling.until(lambda: len(handling.started) >= 2)
    assert handling.started == ["g0", "g1"]
    release.set()
    await handling.until(lambda: len(handling.finished) == 4)
    await _stop(poller, task)
    assert handling.peak == 2


async def test_a_group_upgrade_and_the_new_chats_messages_share_one_lane(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    basic, other = fake.group("Basic", supergroup=False), fake.group("Other")
    handling = Handling()
    release = handling.hold("migrate to")
    supergroup = fake.migrate(basic)
    _write(fake, user, [(supergroup, "after the upgrade"), (other, "elsewhere")])
    poller = _poller(bot, handling)
    task = asyncio.create_task(poller.run())

    await handling.until(lambda: "elsewhere" in handling.finished)
    assert handling.started == ["migrate to", "elsewhere"]  # the links move first
    release.set()
    await handling.until(lambda: len(handling.finished) == 4)
    await _stop(poller, task)
    assert handling.finished == ["elsewhere", "migrate to", "migrate from", "after the upgrade"]


def test_max_concurrency_must_allow_one_chat(bot: Bot) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        _poller(bot, Handling(), max_concurrency=0)


class Writes:
    """The poller's ``batch``: records, at the end of each batch, which updates were
    handled and how far Telegram had been told; fails the first ``failing`` writes."""

    def __init__(self, fake: FakeTelegram, handling: Handling, failing: int = 0) -> None:
        self._fake = fake
        self._handling = handling
        self.failing = failing
        self.committed: list[list[int]] = []
        self.offset_at_commit: list[int] = []
        self.rechecked: list[list[int]] = []  # per batch: the updates maybe handled before

    @contextlib.asynccontextmanager
    async def __call__(
        self, updates: Sequence[Update], maybe_handled: Sequence[Update]
    ) -> AsyncIterator[None]:
        self.rechecked.append(sorted(u.update_id for u in maybe_handled))
        yield
        # The write happens here, after every lane handled its updates, and before
        # the next getUpdates confirms them.
        offsets = [int(call.params.get("offset", 0)) for call in self._fake.calls_to("getUpdates")]
        self.offset_at_commit.append(max(offsets))
        if self.failing:
            self.failing -= 1
            raise OSError("the store is down")
        self.committed.append(sorted(u.update_id for u in updates))


async def test_the_offset_moves_past_a_batch_only_after_its_write(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a, b = fake.group("A"), fake.group("B")
    handling = Handling()
    ids = _write(fake, user, [(a, "a1"), (b, "b1"), (a, "a2")])
    writes = Writes(fake, handling)
    poller = Poller(bot, handling, timeout=10, sleep=FakeSleep(), batch=writes)
    task = asyncio.create_task(poller.run())
    await handling.until(lambda: len(handling.finished) == 3)
    await _stop(poller, task)
    assert writes.committed == [sorted(ids.values())]
    assert writes.offset_at_commit[0] < min(ids.values())  # not confirmed before the write
    offsets = [int(call.params.get("offset", 0)) for call in fake.calls_to("getUpdates")]
    assert max(offsets) == max(ids.values()) + 1
    assert fake.pending_updates == 0


async def test_a_failed_write_confirms_nothing_and_the_batch_comes_again(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a = fake.group("A")
    handling = Handling()
    ids = _write(fake, user, [(a, "a1"), (a, "a2")])
    writes = Writes(fake, handling, failing=1)
    sleep = FakeSleep()
    poller = Poller(bot, handling, timeout=10, sleep=sleep, batch=writes)
    task = asyncio.create_task(poller.run())
    await handling.until(lambda: len(handling.finished) == 4)  # handled twice
    await _stop(poller, task)
    assert writes.committed == [sorted(ids.values())]
    offsets = [int(call.params.get("offset", 0)) for call in fake.calls_to("getUpdates")]
    # After the failed write, the next poll asked from the same place again.
    assert offsets[1] < min(ids.values())
    assert fake.pending_updates == 0


async def test_only_a_page_that_may_hold_handled_updates_is_checked_for_them(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    # The first page (a crashed poller may have handled it unconfirmed) and the page
    # after a failed write are checked; a page after a batch handled whole is not.
    a = fake.group("A")
    handling = Handling()
    first = _write(fake, user, [(a, "a1")])
    writes = Writes(fake, handling)
    poller = Poller(bot, handling, timeout=10, sleep=FakeSleep(), batch=writes)
    task = asyncio.create_task(poller.run())
    await fake.wait_for(lambda: len(writes.committed) == 1)  # the next poll follows it
    second = _write(fake, user, [(a, "a2")])
    await fake.wait_for(lambda: len(writes.committed) == 2)
    writes.failing = 1
    third = _write(fake, user, [(a, "a3")])
    await fake.wait_for(lambda: len(writes.committed) == 3)
    await _stop(poller, task)
    assert writes.rechecked == [
        sorted(first.values()),
        [],
        [],  # the write that failed: a page after a whole batch
        sorted(third.values()),  # the same page again, after the failure
    ]
    assert writes.committed[1] == sorted(second.values())


async def test_no_updates_are_fetched_while_the_sink_has_no_room(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    # The bridge's lanes are full (`InboundSink.room`): the updates wait at Telegram.
    a = fake.group("A")
    handling = Handling()
    room = asyncio.Event()
    asked = asyncio.Event()

    async def has_room() -> None:
        asked.set()
        await room.wait()

    _write(fake, user, [(a, "a1"), (a, "a2")])
    poller = Poller(bot, handling, timeout=10, sleep=FakeSleep(), room=has_room)
    task = asyncio.create_task(poller.run())
    await asked.wait()
    assert fake.calls_to("getUpdates") == []
    assert fake.pending_updates == 2
    room.set()
    await handling.until(lambda: handling.finished == ["a1", "a2"])
    await _stop(poller, task)
    assert fake.pending_updates == 0


async def test_a_stop_while_waiting_for_room_ends_the_poller(
    fake: FakeTelegram, bot: Bot, user: User
) -> None:
    a = fake.group("A")
    _write(fake, user, [(a, "a1")])
    asked = asyncio.Event()

    async def no_room() -> None:
        asked.set()
        await asyncio.Event().wait()

    handling = Handling()
    poller = Poller(bot, handling, timeout=10, sleep=FakeSleep(), room=no_room)
    task = asyncio.create_task(poller.run())
    await asked.wait()
    poller.stop()
    await asyncio.wait_for(task, 5)
    assert handling.started == []
    assert fake.pending_updates == 1
