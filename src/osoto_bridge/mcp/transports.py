"""Serving the MCP server over stdio or Streamable HTTP.

Over stdio, stdout carries the protocol and nothing else: logs go to stderr (the CLI
configures that). Over HTTP the server answers at `/mcp`; bound to a loopback
address it accepts only loopback `Host` and `Origin` headers, so a web page cannot
reach it through DNS rebinding.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

__all__ = ["http_app", "serve_http", "serve_stdio"]

logger = logging.getLogger(__name__)

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


async def serve_stdio(server: Server[Any, Any]) -> None:
    """Serve one client over this process's stdin and stdout until it hangs up."""
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def _security(host: str) -> TransportSecuritySettings | None:
    if host not in _LOOPBACK:
        return None  # the operator chose to expose it: names are theirs to vet
    hosts = [f"{name}:*" for name in ("127.0.0.1", "localhost", "[::1]")]
    origins = [f"http://{name}:*" for name in ("127.0.0.1", "localhost", "[::1]")]
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


def http_app(server: Server[Any, Any], host: str) -> Starlette:
    """The ASGI app serving `server` over Streamable HTTP at `/mcp`.

    Args:
        server: The MCP server.
        host: The address it will be bound to (loopback turns on Host checks).

    Returns:
        The app; its lifespan runs the session manager.
    """
    manager = StreamableHTTPSessionManager(app=server, security_settings=_security(host))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    # A Route, not a Mount: `/mcp` itself must answer, not redirect to `/mcp/`.
    return Starlette(routes=[Route("/mcp", endpoint=_Endpoint(manager))], lifespan=lifespan)


class _Endpoint:
    """The session manager as an ASGI app (an instance, so Starlette passes it raw)."""

    def __init__(self, manager: StreamableHTTPSessionManager) -> None:
        self._manager = manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._manager.handle_request(scope, receive, send)


async def serve_http(
    server: Server[Any, Any],
    host: str,
    port: int,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve over Streamable HTTP until interrupted (Ctrl-C or SIGTERM).

    Args:
        server: The MCP server.
        host: Address to bind.
        port: Port to bind (0: any free one).
        on_ready: Called with the endpoint's URL once it accepts connections.

    Raises:
        OSError: When the address cannot be bound.
    """
    config = uvicorn.Config(
        http_app(server, host),
        host=host,
        port=port,
        log_config=None,  # our logging (stderr, redacted), not uvicorn's own
        access_log=False,
    )
    web = uvicorn.Server(config)
    serving = asyncio.create_task(web.serve(), name="mcp-http")
    # uvicorn offers no "started" event: look until it is up or has given up.
    while not web.started:
        if serving.done():
            break
        await asyncio.sleep(0.01)
    if web.started:
        bound = web.servers[0].sockets[0].getsockname()
        shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        url = f"http://{shown}:{bound[1]}/mcp"
        logger.info("MCP over Streamable HTTP at %s", url)
        if on_ready is not None:
            on_ready(url)
    await serving
    if not web.started:
        raise OSError(f"cannot serve MCP on {host}:{port} (address in use?)")
