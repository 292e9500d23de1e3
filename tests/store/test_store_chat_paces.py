"""Chats' paces shared by PostgreSQL replicas (`store/_chat_paces.py`): one send
taken under the chat's row lock from every one of its buckets, or the wait."""

from __future__ import annotations

import asyncio

import pytest
from storetest import Backend

from osoto_bridge.store import Store, StoreError, generate_secret_key

CHAT = [(1.0, 3.0)]  # Telegram's chat: 1 a second, 3 at once
GROUP = [(1.0, 3.0), (20 / 60, 20.0)]  # and the group's 20 a minute


@pytest.mark.postgres
async def test_two_replicas_take_one_chats_burst_and_then_its_rate(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        at = 1_000_000.0
        assert await a.take_chat_send("telegram:-1", at=at, rates=CHAT) == 0
        assert await b.take_chat_send("telegram:-1", at=at, rates=CHAT) == 0
        assert await a.take_chat_send("telegram:-1", at=at, rates=CHAT) == 0
        # The burst is spent whoever spent it: the next waits a token's time.
        assert await b.take_chat_send("telegram:-1", at=at, rates=CHAT) == pytest.approx(1.0)
        assert await a.take_chat_send("telegram:-1", at=at + 0.5, rates=CHAT) == pytest.approx(0.5)
        assert await b.take_chat_send("telegram:-1", at=at + 1.0, rates=CHAT) == 0
        # Another chat has its own record.
        assert await b.take_chat_send("telegram:-2", at=at + 1.0, rates=CHAT) == 0


@pytest.mark.postgres
async def test_replicas_at_one_instant_never_take_more_than_the_burst(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        at = 1_000_000.0
        waits = await asyncio.gather(
            *(
                store.take_chat_send("slack:C1", at=at, rates=CHAT)
                for _ in range(5)
                for store in (a, b)
            )
        )
        assert sum(1 for wait in waits if wait == 0) == 3


@pytest.mark.postgres
async def test_a_group_is_held_by_its_minute_once_the_seconds_would_allow(pg: Backend) -> None:
    async with pg.open() as a, pg.open() as b:
        at = 1_000_000.0
        taken = 0
        for n in range(40):  # one every 1.1 s, alternately: the seconds always allow
            store = a if n % 2 else b
            if await store.take_chat_send("telegram:-5", at=at + 1.1 * n, rates=GROUP) == 0:
                taken += 1
        # 20 at once at most, then 20 a minute: at most 20 + 44 s / 3 s.
        assert taken <= 20 + int(44 / 3) + 1
        assert taken >= 20


async def test_sqlite_has_no_shared_paces() -> None:
    async with Store.open("sqlite+aiosqlite://", secret_keys=[generate_secret_key()]) as store:
        with pytest.raises(StoreError, match="PostgreSQL"):
            await store.take_chat_send("telegram:1", at=0.0, rates=CHAT)
