"""SQLite through `sqlite_inline`: what runs inline, what waits on the thread.

The store's speed on SQLite rests on statements inside a transaction running on the
event loop's thread; its correctness rests on a locked database still being waited
for (on the connection's own thread, never blocking the loop) and on a commit reaching disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from storetest import API_KEY, FakeClock

from osoto_bridge.store import Link, NotFoundError, Store
from osoto_bridge.store.engine import build_engine
from osoto_bridge.store.sqlite_inline import SqliteConnection, inline_of

SECRET = "mSqS3HlvG0n1Rl5GRwXJ1e0A8aHxmIN4W3mSUMoAbHQ="


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store.open(
        f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}", secret_keys=[SECRET], clock=FakeClock()
    ) as opened:
        yield opened


async def _link(store: Store) -> Link:
    return await store.add_link(
        platform="telegram",
        chat_id="-100",
        thread_id=None,
        trip_id="trip1",
        trip_title="Lisbon",
        channel_id="ch1",
        channel_name="general",
        api_key=API_KEY,
        owner_user_id="u1",
        scopes=["messages:read"],
    )


def _held(store: Store) -> SqliteConnection:
    inline = inline_of(store._held)
    assert inline is not None
    return inline


async def test_a_read_makes_no_thread_hop_and_a_write_one(store: Store) -> None:
    link = await _link(store)
    connection = _held(store)
    before = connection.hops
    assert await store.find_link("telegram", "-100") == link
    assert connection.hops == before
    await store.touch_link_activity(link.id, "in")
    assert connection.hops == before + 1  # the commit, which syncs to disk


async def test_a_commit_is_on_disk_for_another_connection(store: Store, tmp_path: Path) -> None:
    link = await _link(store)
    await store.set_cursor("trip1", "ch1", "cursor-7")
    other = sqlite3.connect(tmp_path / "bridge.db")
    try:
        rows = other.execute("SELECT cursor FROM cursors WHERE trip_id = 'trip1'").fetchall()
    finally:
        other.close()
    assert rows == [("cursor-7",)]
    assert link.enabled


async def test_a_locked_database_is_waited_for_off_the_loop(store: Store, tmp_path: Path) -> None:
    link = await _link(store)
    connection = _held(store)
    other = sqlite3.connect(tmp_path / "bridge.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process (the links CLI) holds the lock
    before = connection.hops
    touch = asyncio.create_task(store.touch_link_activity(link.id, "out"))
    while connection.hops == before:  # the BEGIN found the lock taken and went to wait
        await asyncio.sleep(0)
    assert not touch.done()
    # The loop is free meanwhile: other work goes on while the store waits.
    ticked = asyncio.Event()
    asyncio.get_running_loop().call_soon(ticked.set)
    await ticked.wait()
    other.execute("COMMIT")
    other.close()
    await touch
    stored = await store.get_link(link.id)
    assert stored is not None


async def test_a_failed_statement_rolls_back_inline_and_the_connection_goes_on(
    tmp_path: Path,
) -> None:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'raw.db'}")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            await conn.commit()
            await conn.begin()  # BEGIN IMMEDIATE (the engine's begin hook)
            await conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            with pytest.raises(sa.exc.IntegrityError):
                await conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            await conn.rollback()
            result = await conn.exec_driver_sql("SELECT count(*) FROM t")
            assert result.all() == [(0,)]
    finally:
        await engine.dispose()


async def test_concurrent_writes_share_commits(store: Store) -> None:
    link = await _link(store)
    connection = _held(store)
    before = connection.hops
    await asyncio.gather(*(store.touch_link_activity(link.id, "in") for _ in range(20)))
    assert connection.hops - before < 20  # a commit (the one hop) carried several
    assert (await store.link_activity(link.id))[0] is not None


async def test_a_failing_operation_in_a_group_undoes_only_its_own_part(store: Store) -> None:
    link = await _link(store)

    async def enqueue(n: int, link_id: int) -> object:
        return await store.enqueue_outbox(
            idempotency_key=f"k{n}",
            link_id=link_id,
            trip_id="trip1",
            channel_id="ch1",
            content=f"line {n}",
            parent=None,
            source_platform="telegram",
            source_chat_id="-100",
            source_thread_id=None,
            source_message_id=str(n),
        )

    outcomes = await asyncio.gather(
        *(enqueue(n, link.id if n != 3 else link.id + 99) for n in range(6)),
        return_exceptions=True,
    )
    assert isinstance(outcomes[3], NotFoundError)
    assert [e.content for e in await store.list_outbox()] == [f"line {n}" for n in (0, 1, 2, 4, 5)]
