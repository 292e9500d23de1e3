"""The bridge as `osoto-bridge run` starts it, plus Slack's events route on loopback.

    OSOTO_BRIDGE_... python bench/relay_bridge.py

The same settings (from the environment), adapters (`cli.run_cmd.build_adapters`),
store, client pool and `Bridge` as `osoto-bridge run`, and a uvicorn server on
``http_host:http_port`` mounting `slack_events_route`. Stops on SIGTERM or SIGINT.

With ``BENCH_PROBE_OUT=FILE`` it also measures, and writes to FILE as JSON on exit,
how long each store call took (wall time, queueing for the store's one SQLite
connection included) and how late the event loop ran a 50 ms timer: the two figures
that explain where a message waits inside the bridge.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import os
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from osoto_bridge.chat.slack import SlackChat, slack_events_route
from osoto_bridge.cli.run_cmd import build_adapters, timing_from
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.config import load_settings
from osoto_bridge.relay import Bridge, ClientPool
from osoto_bridge.store import Store

logger = logging.getLogger("bench.relay_bridge")

Timings = dict[str, list[float]]


def probe_store(store: Store, timings: Timings) -> None:
    """Time every public coroutine method of ``store`` (wrapped on the instance)."""
    for name, method in inspect.getmembers(store, inspect.iscoroutinefunction):
        if name.startswith("_"):
            continue

        def timed(call: Callable[..., Awaitable[Any]], label: str) -> Callable[..., Awaitable[Any]]:
            @functools.wraps(call)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                began = time.perf_counter()
                try:
                    return await call(*args, **kwargs)
                finally:
                    timings[label].append(time.perf_counter() - began)

            return wrapper

        setattr(store, name, timed(method, name))


async def probe_loop(timings: Timings, stop: asyncio.Event) -> None:
    """How late a 50 ms timer fires, ten times a second."""
    while not stop.is_set():
        began = time.perf_counter()
        await asyncio.sleep(0.05)
        timings["loop_lag"].append(time.perf_counter() - began - 0.05)
        await asyncio.sleep(0.05)


def summary(timings: Timings) -> dict[str, dict[str, float]]:
    out = {}
    for name, values in sorted(timings.items()):
        values.sort()
        n = len(values)
        out[name] = {
            "n": n,
            "p50_ms": round(values[n // 2] * 1000, 2),
            "p99_ms": round(values[min(n - 1, int(n * 0.99))] * 1000, 2),
            "total_s": round(sum(values), 2),
        }
    return out


async def serve() -> dict[str, dict[str, float]] | None:
    settings = load_settings(os.environ)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    adapters = build_adapters(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    routes = [slack_events_route(a) for a in adapters if isinstance(a, SlackChat)]
    config = uvicorn.Config(
        Starlette(routes=routes),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    store = await Store.open(settings.database_url, secret_keys=settings.secret_keys())
    probe_out = os.environ.get("BENCH_PROBE_OUT")
    timings: Timings = defaultdict(list)
    if probe_out:
        probe_store(store, timings)
    try:
        async with ClientPool(store=store, base_url=settings.osoto_base_url) as pool:
            bridge = Bridge(
                store=store,
                adapters=adapters,
                pool=pool,
                commands=CommandService(cache=SnapshotCache()),
                timing=timing_from(settings),
            )
            async with bridge, asyncio.TaskGroup() as group:
                group.create_task(server.serve(), name="bench:http")
                if probe_out:
                    group.create_task(probe_loop(timings, stop), name="bench:loop-lag")
                logger.info("bridge running")
                await stop.wait()
                server.should_exit = True
    finally:
        await store.close()
    return summary(timings) if probe_out else None


def main() -> int:
    switch = os.environ.get("BENCH_SWITCH_INTERVAL")
    if switch:
        # An experiment: how long a thread holding the GIL keeps the others (the
        # store's SQLite thread) waiting; CPython's default is 5 ms.
        sys.setswitchinterval(float(switch))
    probed = asyncio.run(serve())
    probe_out = os.environ.get("BENCH_PROBE_OUT")
    if probed is not None and probe_out:
        Path(probe_out).write_text(json.dumps(probed, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
