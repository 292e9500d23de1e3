"""`osoto-bridge mcp`: serve the Osoto API to agents over the Model Context Protocol.

    osoto-bridge mcp [--base-url URL] [--key-file FILE] [--http HOST:PORT] [--demo]

stdio by default (the agent starts this process; stdout carries only the protocol,
logs go to stderr), Streamable HTTP at `http://HOST:PORT/mcp` with `--http`. The key
comes from `OSOTO_API_KEY` or `--key-file`, the base URL from
`OSOTO_BRIDGE_OSOTO_BASE_URL` (or the TOML file) or `--base-url`; neither is ever a
tool argument or logged. `--demo` serves the sandbox with the demo trip instead, as
its first traveller, so it can be tried with no account.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from osoto_bridge.cli.common import (
    CommandError,
    add_config_argument,
    add_log_arguments,
    run_command,
    settings_from,
    settings_secrets,
    setup_logging,
)
from osoto_bridge.osoto import OsotoClient, SharedTripClient

# The MCP SDK, uvicorn and the sandbox are imported where the command runs: every
# process (`osoto-bridge run` too) builds this parser, and they would cost it ~20 MB
# of memory it never uses (`tests/cli/test_cli_imports.py`).

logger = logging.getLogger(__name__)

KEY_ENV = "OSOTO_API_KEY"
"""The environment variable holding the API key (the TypeScript SDK's name)."""


def register(subparsers: Any) -> None:
    """Add the `mcp` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "mcp",
        help="serve the Osoto API to agents over MCP (stdio or Streamable HTTP)",
        description=(
            "Serve an Osoto account to MCP clients (Claude Desktop, Claude Code, Cursor): "
            "tools for the whole API, the chat's answers and trip exports as resources. "
            f"The API key comes from {KEY_ENV} or --key-file; see docs/mcp.md."
        ),
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="Osoto API root (OSOTO_BRIDGE_OSOTO_BASE_URL)"
    )
    parser.add_argument(
        "--key-file", type=Path, metavar="FILE", help=f"file holding the API key (else ${KEY_ENV})"
    )
    parser.add_argument(
        "--http",
        metavar="HOST:PORT",
        type=_host_port,
        help="serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve a local sandbox with the demo trip (no account needed)",
    )
    add_config_argument(parser)
    add_log_arguments(parser)
    parser.set_defaults(handler=lambda args: run_command(lambda: _mcp(args)))


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT such as 127.0.0.1:8765, not {text!r}")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port_text)


def _read_key(args: argparse.Namespace) -> str:
    if args.key_file is not None:
        try:
            key = str(args.key_file.read_text(encoding="utf-8")).strip()
        except OSError as exc:
            raise CommandError(f"cannot read the key file {args.key_file}: {exc.strerror}") from exc
        if not key:
            raise CommandError(f"the key file {args.key_file} is empty")
        return key
    key = str(os.environ.get(KEY_ENV, "")).strip()
    if not key:
        raise CommandError(
            f"no Osoto API key: set {KEY_ENV} or pass --key-file FILE "
            "(or try `osoto-bridge mcp --demo`, which needs none)"
        )
    return key


@contextlib.asynccontextmanager
async def _demo_sandbox() -> AsyncIterator[tuple[str, str]]:
    """Serve a seeded sandbox on a free loopback port; yield (base URL, a traveller's key)."""
    import uvicorn

    from osoto_bridge.sandbox import Sandbox

    with Sandbox(":memory:", rate_limit=60) as sandbox:
        credentials = sandbox.seed_demo()
        config = uvicorn.Config(
            sandbox.app,
            host="127.0.0.1",
            port=0,
            log_config=None,  # stderr through our logging; stdout may be the protocol
            access_log=False,
            lifespan="off",
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(), name="mcp-demo-sandbox")
        # uvicorn offers no "started" event: look until it is up or has given up.
        while not server.started:
            if task.done():
                await task
                raise CommandError("the demo sandbox could not start")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        traveller = credentials["users"][0]
        trip = credentials["trips"][0]
        print(
            f"osoto-bridge mcp --demo: a sandbox (a local Osoto) serves "
            f"http://127.0.0.1:{port}/api/v1 with the trip {trip['title']!r} ({trip['id']}); "
            f"you are {traveller['name']}.",
            file=sys.stderr,
        )
        try:
            yield f"http://127.0.0.1:{port}/api/v1", str(traveller["apiKey"])
        finally:
            server.should_exit = True
            await task


async def _mcp(args: argparse.Namespace) -> int:
    from osoto_bridge.mcp import ToolContext, build_server, serve_http, serve_stdio

    if args.demo and (args.base_url or args.key_file):
        raise CommandError("--demo serves its own sandbox: drop --base-url and --key-file")
    settings = settings_from(args, osoto_base_url=args.base_url)
    key = None if args.demo else _read_key(args)
    setup_logging(
        args.log_level or settings.log_level,
        args.log_format or settings.log_format,
        secrets=[*settings_secrets(settings), *([key] if key else [])],
    )
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # The SDK logs every request at INFO; ours already names each tool call.
        logging.getLogger("mcp.server.lowlevel.server").setLevel(logging.WARNING)
    async with contextlib.AsyncExitStack() as stack:
        base_url = settings.osoto_base_url
        if args.demo:
            base_url, key = await stack.enter_async_context(_demo_sandbox())
        assert key is not None
        client = await stack.enter_async_context(OsotoClient(key, base_url))
        logger.info("serving Osoto at %s with key %s", base_url, client.key_fingerprint)

        def shared(token: str) -> SharedTripClient:
            return SharedTripClient(token, base_url)

        server = build_server(ToolContext(client=client, shared=shared))
        if args.http is None:
            await serve_stdio(server)
        else:
            host, port = args.http

            def ready(url: str) -> None:
                print(f"osoto-bridge mcp: serving MCP at {url}", file=sys.stderr)

            await serve_http(server, host, port, on_ready=ready)
    return 0
