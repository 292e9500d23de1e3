"""Turns: one holder at a time; waiters that ask to go first are served first."""

from __future__ import annotations

import asyncio

import pytest

from osoto_bridge.util import Turns


async def _take(turns: Turns, name: str, order: list[str], *, first: bool = False) -> None:
    await turns.acquire(first=first)
    order.append(name)
    turns.release()


async def test_first_waiters_go_before_earlier_ones_each_queue_in_arrival_order() -> None:
    turns = Turns()
    await turns.acquire()
    order: list[str] = []
    tasks = [
        asyncio.create_task(_take(turns, "rest-1", order)),
        asyncio.create_task(_take(turns, "rest-2", order)),
        asyncio.create_task(_take(turns, "first-1", order, first=True)),
        asyncio.create_task(_take(turns, "first-2", order, first=True)),
    ]
    while turns.waiting() < len(tasks):
        await asyncio.sleep(0)
    turns.release()
    await asyncio.gather(*tasks)
    assert order == ["first-1", "first-2", "rest-1", "rest-2"]
    assert not turns.held


async def test_a_free_turn_is_taken_at_once_and_released_for_the_next() -> None:
    turns = Turns()
    await turns.acquire()
    assert turns.held
    turns.release()
    assert not turns.held
    with pytest.raises(RuntimeError):
        turns.release()


async def test_a_cancelled_waiter_is_skipped_and_never_holds_the_turn() -> None:
    turns = Turns()
    await turns.acquire()
    order: list[str] = []
    gone = asyncio.create_task(_take(turns, "gone", order, first=True))
    kept = asyncio.create_task(_take(turns, "kept", order))
    while turns.waiting() < 2:
        await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    turns.release()
    await kept
    assert order == ["kept"]
    assert not turns.held


async def test_a_waiter_cancelled_as_it_is_handed_the_turn_passes_it_on() -> None:
    turns = Turns()
    await turns.acquire()
    order: list[str] = []
    unlucky = asyncio.create_task(turns.acquire())
    after = asyncio.create_task(_take(turns, "after", order))
    while turns.waiting() < 2:
        await asyncio.sleep(0)
    turns.release()  # hands the turn to `unlucky`, which has not run yet
    unlucky.cancel()
    with pytest.raises(asyncio.CancelledError):
        await unlucky
    await after
    assert order == ["after"]
    assert not turns.held
