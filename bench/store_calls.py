"""Time the store's hot calls on a SQLite file, one after another and concurrently.

Prints, per call, the wall time and CPU time per call and the thread hops it made
(calls the SQLite driver handed to its thread; see `osoto_bridge.store.sqlite_inline`).
Everything stays in a temporary directory.

    .venv/bin/python bench/store_calls.py [--calls 500] [--switch-interval 0.0005]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from cryptography.fernet import Fernet

from osoto_bridge.store import PendingPost, Store
from osoto_bridge.store.sqlite_inline import inline_of


def _hops(store: Store) -> int:
    inline = inline_of(store._held)
    return inline.hops if inline is not None else 0


async def _time(
    store: Store, name: str, calls: int, call: Callable[[int], Awaitable[object]]
) -> None:
    hops, wall, cpu = _hops(store), time.perf_counter(), time.process_time()
    for n in range(calls):
        await call(n)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{name:<28} {wall / calls * 1e3:7.3f} ms wall  {cpu / calls * 1e3:7.3f} ms CPU  "
        f"{(_hops(store) - hops) / calls:4.1f} hops/call"
    )


async def main(calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bridge.db'}"
        async with Store.open(url, secret_keys=[Fernet.generate_key().decode()]) as store:
            link = await store.add_link(
                platform="telegram",
                chat_id="-100",
                thread_id=None,
                trip_id="trip1",
                trip_title="Bench",
                channel_id="ch1",
                channel_name="general",
                api_key="osk_live_" + "a" * 40,
                owner_user_id="u1",
                scopes=["messages:read", "messages:write"],
            )
            for _ in range(50):  # warm SQLAlchemy's statement cache
                await store.find_link("telegram", "-100")

            async def find(_: int) -> object:
                return await store.find_link("telegram", "-100")

            async def enqueue(n: int) -> object:
                return await store.enqueue_outbox(
                    idempotency_key=f"k{n}",
                    link_id=link.id,
                    trip_id="trip1",
                    channel_id="ch1",
                    content="hello",
                    parent=None,
                    source_platform="telegram",
                    source_chat_id="-100",
                    source_thread_id=None,
                    source_message_id=str(n),
                )

            async def record(n: int) -> object:
                await store.record_chat_messages(
                    osoto_message_id=f"m{n}",
                    trip_id="trip1",
                    channel_id="ch1",
                    platform="slack",
                    chat_id="C1",
                    thread_id=None,
                    chat_message_ids=[f"{n}.0001"],
                    origin="osoto",
                )
                return None

            async def lookup(n: int) -> object:
                return await store.chat_messages_for(f"m{n}", "slack", "C1")

            async def delivered(n: int) -> object:
                # A lane's head as the ahead feed and the poll fill it: lines on their
                # way (named by their outbox entries) beside Osoto messages.
                head: list[str | PendingPost] = [f"m{(n + i) % calls}" for i in range(5)]
                head += [PendingPost((n + i) % calls + 1) for i in range(5)]
                return await store.delivered_among(head, "slack", "C1")

            async def concurrent_find(_: int) -> object:
                return await asyncio.gather(*(find(0) for _ in range(10)))

            async def due(_: int) -> object:
                # The Osoto lane's read of its channel, once a pass.
                return await store.due_outbox(trip_id="trip1", channel_id="ch1", limit=50)

            async def pending(_: int) -> object:
                return await store.pending_outbox_count("trip1", "ch1")

            async def complete(n: int) -> object:
                # A line posted alone: its map row, its copies moved, "sent", activity.
                await store.complete_outbox_post(entries[n], f"posted{n}")
                return None

            async def cursor(n: int) -> object:
                await store.set_cursor("trip1", "ch1", f"cursor{n}")
                return None

            print(f"{calls} calls each, SQLite file, switch interval {sys.getswitchinterval()}")
            await _time(store, "find_link (read)", calls, find)
            await _time(store, "chat_messages_for (read)", calls, lookup)
            await _time(store, "enqueue_outbox (write)", calls, enqueue)
            await _time(store, "record_chat_messages (write)", calls, record)
            await _time(store, "delivered_among (10 refs)", calls, delivered)
            await _time(store, "10 x find_link at once", calls // 10, concurrent_find)
            await _time(store, "due_outbox (read, 50 due)", calls, due)
            await _time(store, "pending_outbox_count (read)", calls, pending)
            entries = await store.due_outbox(limit=calls)  # what enqueue_outbox wrote
            await _time(store, "complete_outbox_post (write)", calls, complete)
            await _time(store, "set_cursor (write)", calls, cursor)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--switch-interval", type=float, default=None)
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    asyncio.run(main(args.calls))
