"""The bridge as `osoto-bridge run` starts it, plus Slack's events route on loopback.

    OSOTO_BRIDGE_... python bench/relay_bridge.py

For the relay benchmark when `osoto-bridge run` does not serve the bridge's HTTP
server yet: the same settings (from the environment), the same adapters
(`cli.run_cmd.build_adapters`), store, client pool and `Bridge`, and a uvicorn server
on ``http_host:http_port`` mounting `slack_events_route`. Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import uvicorn
from starlette.applications import Starlette

from osoto_bridge.chat.slack import SlackChat, slack_events_route
from osoto_bridge.cli.run_cmd import build_adapters, timing_from
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.config import load_settings
from osoto_bridge.relay import Bridge, ClientPool
from osoto_bridge.store import Store

logger = logging.getLogger("bench.relay_bridge")


async def serve() -> int:
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
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    store = await Store.open(settings.database_url, secret_keys=settings.secret_keys())
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
                logger.info("bridge running")
                await stop.wait()
                server.should_exit = True
    finally:
        await store.close()
    return 0


def main() -> int:
    return asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
