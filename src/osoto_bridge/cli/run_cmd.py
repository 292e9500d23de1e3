"""`osoto-bridge run`: the main job, serving every link in the store until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from osoto_bridge.announce import AnnounceTiming, build_announcer
from osoto_bridge.chat.base import ChatAdapter, SharedChatPace
from osoto_bridge.chat.console import ConsoleChat, stdin_lines
from osoto_bridge.cli.adapters import build_slack_adapter, build_telegram_adapter
from osoto_bridge.cli.common import (
    CommandError,
    add_config_argument,
    add_log_arguments,
    run_command,
    settings_from,
    settings_secrets,
    setup_logging,
)
from osoto_bridge.cli.interpreter import apply_at_start, freeze_what_start_made
from osoto_bridge.cli.replica_jobs import build_coordinator, is_replicated, shared_limiters
from osoto_bridge.cli.served import service_report
from osoto_bridge.cli.single_run import RunLock, sqlite_lock_path
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.config import Settings
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.relay import Bridge, ClientPool, PollTiming
from osoto_bridge.relay.placement import PLAN_WATCH
from osoto_bridge.relay.shared_pacing import StoreChatPace
from osoto_bridge.store import Store
from osoto_bridge.store.engine import safe_url
from osoto_bridge.util import RateShare
from osoto_bridge.web import Readiness, WebServer, build_web_app
from osoto_bridge.web.share import ShareAddresses, ShareSource, share_routes

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run the bridge for every link in the store",
        description=(
            "Run the bridge. Settings come from OSOTO_BRIDGE_* environment variables and "
            "an optional TOML file; see docs/configuration.md. Stops cleanly on Ctrl-C or "
            "SIGTERM, finishing in-flight deliveries. Serves /healthz, /readyz, /metrics, "
            "the platforms' webhooks and the shared trips' pages (/share/…) on "
            "OSOTO_BRIDGE_HTTP_HOST:OSOTO_BRIDGE_HTTP_PORT."
        ),
    )
    add_config_argument(parser)
    add_log_arguments(parser)
    parser.set_defaults(handler=lambda args: _leave(run_command(lambda: _run(args))))


def _leave(code: int) -> int:
    """End the process once the bridge has stopped and everything is closed.

    The stop itself takes a fraction of a second; the interpreter's own teardown
    after it (freeing every module and object) took 2–3 s more on a loaded host,
    making a SIGTERM stop miss its 2 s. No thread or task is left by then, so the
    logs and the standard streams are flushed and the process exits at once.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def build_adapters(
    settings: Settings,
    *,
    leased_poller: bool = False,
    share: RateShare | None = None,
    chat_pace: SharedChatPace | None = None,
) -> list[ChatAdapter]:
    """The chat platforms the settings turn on (at least one).

    ``leased_poller``: Telegram long polling waits for this replica to lease it.
    ``share``: this replica's part of each bot's rate (sized by the coordinator).
    ``chat_pace``: the chats' paces the replicas share (None: one process).
    """
    adapters: list[ChatAdapter] = []
    if settings.telegram_token is not None:
        adapters.append(
            build_telegram_adapter(
                settings, poll_at_start=not leased_poller, share=share, chat_pace=chat_pace
            )
        )
    if settings.slack_bot_token is not None:
        adapters.append(build_slack_adapter(settings, share=share, chat_pace=chat_pace))
    if settings.console:
        adapters.append(ConsoleChat(stdin_lines(), sys.stdout))
    if not adapters:
        raise CommandError(
            "no chat platform is configured: set OSOTO_BRIDGE_TELEGRAM_TOKEN, "
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN, or OSOTO_BRIDGE_CONSOLE=true"
        )
    return adapters


def adapter_routes(adapters: Sequence[ChatAdapter], settings: Settings) -> list[BaseRoute]:
    """The HTTP routes the configured adapters serve (Telegram webhook, Slack events)."""
    from osoto_bridge.chat.slack import SlackChat, slack_events_route
    from osoto_bridge.chat.telegram import TelegramChat, webhook_route

    routes: list[BaseRoute] = []
    for adapter in adapters:
        if isinstance(adapter, TelegramChat) and adapter.webhook_url is not None:
            routes.append(webhook_route(adapter))
        elif isinstance(adapter, SlackChat) and not adapter.socket_mode:
            routes.append(slack_events_route(adapter))
    return routes


def timing_from(settings: Settings) -> PollTiming:
    return PollTiming(
        active_interval=settings.poll_active_interval,
        idle_interval=settings.poll_idle_interval,
        active_polls_per_second=settings.poll_active_max_per_second,
    )


def replica_id(settings: Settings) -> str:
    """This process's name among replicas: the setting, or host:pid."""
    return settings.replica_id or f"{socket.gethostname()}:{os.getpid()}"


async def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args, log_format=args.log_format, log_level=args.log_level)
    setup_logging(settings.log_level, settings.log_format, settings_secrets(settings))
    # One `run` per SQLite file (the kernel drops the lock when the process ends).
    with RunLock(sqlite_lock_path(settings.database_url), what=safe_url(settings.database_url)):
        return await _serve(settings)


async def _serve(settings: Settings) -> int:
    apply_at_start(settings)
    secret_keys = settings.secret_keys()
    replicated = is_replicated(settings.database_url)
    # Replicas share each bot's rate: nothing is sent until the first lease round
    # sized this one's part (relay/replicas.py).
    share = RateShare(0.0) if replicated else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    store = await Store.open(
        settings.database_url, secret_keys=secret_keys, schema=settings.database_schema
    )
    try:
        # a wrong or missing secret shows now, in one line, not at the first message
        await store.verify_secrets()
        # Replicas share each chat's pace too: a command's answer from one and the
        # chat's lines from its channel's holder count against one record.
        adapters = build_adapters(
            settings,
            leased_poller=replicated,
            share=share,
            chat_pace=StoreChatPace(store) if replicated else None,
        )
        metrics = RelayMetrics()
        readiness = Readiness()
        async with (
            ClientPool(
                store=store,
                base_url=settings.osoto_base_url,
                limiters=shared_limiters(store) if replicated else None,
            ) as pool,
            ShareSource(settings.osoto_base_url) as shared,
        ):
            public = settings.public_url
            commands = CommandService(
                cache=SnapshotCache(),
                share_url=ShareAddresses(public).links if public else None,
            )
            announcer = build_announcer(
                store=store,
                client_for=pool.client_for,
                adapters=adapters,
                commands=commands,
                timing=AnnounceTiming(interval=settings.plan_watch_interval),
            )
            # PostgreSQL: this replica runs the channels (and jobs) it leases.
            coordinator = (
                build_coordinator(
                    store=store,
                    replica_id=replica_id(settings),
                    ttl=settings.lease_ttl,
                    adapters=adapters,
                    services={PLAN_WATCH: announcer},
                    metrics=metrics,
                    share=share,
                )
                if replicated
                else None
            )
            bridge = Bridge(
                store=store,
                adapters=adapters,
                pool=pool,
                commands=commands,
                timing=timing_from(settings),
                metrics=metrics,
                services=[] if replicated else [announcer],
                placement=coordinator,
            )
            if coordinator is not None:
                # Leaving, the coordinator stops the bridge (its sends finish) before
                # it signs off its part of the bots' rates (relay/replicas.py).
                coordinator.bind(
                    on_change=bridge.sync_links, on_wake=bridge.poke_here, on_stop=bridge.stop
                )
                readiness.leases = coordinator.status
            app = build_web_app(
                store=store,
                readiness=readiness,
                metrics=metrics,
                limiters=pool.limiters,
                extra_routes=adapter_routes(adapters, settings),
                pages=share_routes(shared, public_url=public),
            )
            # The HTTP server first and last: webhooks must be answerable as the
            # adapters start, and /readyz says "not ready" while the bridge stops.
            server = WebServer(app, host=settings.http_host, port=settings.http_port)
            async with server, bridge, coordinator or contextlib.nullcontext():
                readiness.mark_started([adapter.platform for adapter in adapters])
                links = await store.list_links(enabled_only=True)
                summary, unserved = service_report(links, readiness.platforms)
                for warning in unserved:
                    logger.warning("%s", warning)
                logger.info("%s; Ctrl-C stops", summary)
                freeze_what_start_made(settings)
                await stop.wait()
                readiness.mark_stopping()
                logger.info("stopping: finishing in-flight deliveries")
    finally:
        await store.close()
    return 0
