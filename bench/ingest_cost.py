"""What one ingested chat line costs: CPU and store operations, Telegram → outbox.

    .venv/bin/python bench/ingest_cost.py [--lines 1000] [--groups 50]
        [--postgres postgresql+asyncpg://user:pass@127.0.0.1/db]

The real intake end to end, and nothing after it: the fake Telegram of the tests
(``bench/relay_chats.py``, in a process of its own so its CPU is not counted) holds
``--lines`` updates written in ``--groups`` linked groups; the bridge's Telegram
adapter (python-telegram-bot, the long poller) fetches them with ``getUpdates`` and
hands them to the bridge's router, which writes them to a real store (a SQLite file
in a temporary directory, or a fresh schema of ``--postgres``, dropped afterwards).
No channel worker runs (the adapter is started on the bridge alone): what is
measured ends at the outbox write.

Prints, per line: the bridge process's CPU (ms), the store operations (calls of the
store's public methods that reach the database: ``cached_link`` answers from memory
and is left out, its misses are ``find_link`` calls), the SQL statements and the
commits it ran. Runs unchanged against an older checkout of the bridge
(``PYTHONPATH=<checkout>/src``), for a before/after. Run it
with ``py-spy record -o ingest.svg -- .venv/bin/python bench/ingest_cost.py`` for a
profile. Only 127.0.0.1 is used; the fake stops with the script.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

from osoto_bridge.chat.telegram import FloodControl, TelegramChat
from osoto_bridge.relay import Bridge
from osoto_bridge.relay.clients import ClientPool
from osoto_bridge.store import Store

HERE = Path(__file__).resolve().parent


def count_store_calls(store: Store, calls: Counter[str]) -> None:
    """Count each call of the store's public coroutine methods (on this instance)."""
    for name, method in inspect.getmembers(store, inspect.iscoroutinefunction):
        if name.startswith("_"):
            continue

        def counted(method: Callable[..., Awaitable[Any]], name: str) -> Callable[..., Any]:
            @functools.wraps(method)
            async def call(*args: Any, **kwargs: Any) -> Any:
                calls[name] += 1
                return await method(*args, **kwargs)

            return call

        setattr(store, name, counted(method, name))


async def run(lines: int, groups: int, url: str, schema: str | None) -> dict[str, float]:
    fake = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "relay_chats.py"), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert fake.stdout is not None
        ports = json.loads(await fake.stdout.readline())
        async with httpx.AsyncClient(base_url=ports["control"], timeout=60) as control:
            chats = (await control.post("/setup", json={"trips": groups})).json()["telegram"]
            async with Store.open(
                url, secret_keys=[Fernet.generate_key().decode()], schema=schema
            ) as store:
                for index, chat_id in enumerate(chats):
                    await store.add_link(
                        platform="telegram",
                        chat_id=chat_id,
                        thread_id=None,
                        trip_id=f"trip{index}",
                        trip_title=f"Trip {index}",
                        channel_id="general",
                        channel_name="general",
                        api_key="osk_live_" + "a" * 40,
                        owner_user_id="u1",
                        scopes=["messages:read", "messages:write"],
                    )
                pending = store.pending_outbox_count  # the bench's own reads, not counted
                pool = ClientPool(store=store, base_url="http://127.0.0.1:9")  # never called
                telegram = TelegramChat(
                    token=ports["telegram_token"],
                    base_url=ports["telegram_api_url"],
                    flood=FloodControl(overall_rate=0, group_rate=0),
                    poll_timeout=1,
                    register_commands=False,
                )
                bridge = Bridge(store=store, adapters=[telegram], pool=pool)
                # The adapter on the bridge's sink, without `bridge.start()`: no
                # channel worker, so the figures end at the outbox.
                await telegram.start(bridge)
                try:
                    calls: Counter[str] = Counter()
                    count_store_calls(store, calls)
                    statements = Counter[str]()
                    sync_engine = store.engine.sync_engine

                    @event.listens_for(sync_engine, "before_cursor_execute")
                    def on_statement(*args: Any) -> None:
                        statements["sql"] += 1

                    @event.listens_for(sync_engine, "commit")
                    def on_commit(*args: Any) -> None:
                        statements["commit"] += 1

                    messages = [[f"line {n}", "telegram", n % groups] for n in range(lines)]
                    cpu, wall = time.process_time(), time.perf_counter()
                    await control.post("/inject", json={"messages": messages})
                    # The outbox is the end of the measured path: polled, 20 times a second.
                    while await pending() < lines:  # noqa: ASYNC110
                        await asyncio.sleep(0.05)
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    polls = calls.copy()
                finally:
                    await telegram.stop()
    finally:
        fake.kill()  # the fake serves until killed
        await fake.wait()
    # `cached_link` answers from memory; its misses are the `find_link` calls.
    ops = sum(n for name, n in polls.items() if name != "cached_link")
    return {
        "lines": lines,
        "cpu_ms_per_line": cpu / lines * 1e3,
        "wall_s": wall,
        "store_ops_per_line": ops / lines,
        "sql_per_line": statements["sql"] / lines,
        "commits_per_line": statements["commit"] / lines,
        "calls": dict(polls),  # type: ignore[dict-item]
    }


async def drop_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        backends: list[tuple[str, str, str | None]] = [
            ("SQLite file", f"sqlite+aiosqlite:///{Path(tmp) / 'bridge.db'}", None)
        ]
        if args.postgres:
            backends.append(("PostgreSQL", args.postgres, f"bench_{uuid.uuid4().hex[:10]}"))
        for name, url, schema in backends:
            try:
                figures = await run(args.lines, args.groups, url, schema)
            finally:
                if schema is not None:
                    await drop_schema(url, schema)
            print(
                f"{name:<12} {figures['lines']:.0f} lines in {args.groups} groups: "
                f"{figures['cpu_ms_per_line']:.3f} ms CPU/line, "
                f"{figures['store_ops_per_line']:.3f} store ops/line, "
                f"{figures['sql_per_line']:.2f} SQL statements/line, "
                f"{figures['commits_per_line']:.3f} commits/line, "
                f"{figures['wall_s']:.2f} s wall"
            )
            print(f"             store calls: {figures['calls']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to measure too")
    asyncio.run(main(parser.parse_args()))
