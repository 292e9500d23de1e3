"""Serving the ASGI app with uvicorn inside the bridge's own event loop.

`WebServer` is an async context manager owning one uvicorn server task: entering
binds the socket (a port in use is a clear `WebServerError`, not uvicorn's
``sys.exit``) and returns once requests are served; leaving stops it gracefully and
awaits the task. Signals stay with the run command: uvicorn would otherwise install
its own SIGINT/SIGTERM handlers and stop the HTTP server before the bridge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from osoto_bridge.errors import BridgeError

__all__ = ["WebServer", "WebServerError", "listen_socket"]

logger = logging.getLogger(__name__)


class WebServerError(BridgeError):
    """The HTTP server could not start; the message says where and why."""


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers, telling when it serves."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.serving = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The run command owns SIGINT/SIGTERM and stops the bridge before this server.
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.serving.set()


_HTTP_HINT = "set OSOTO_BRIDGE_HTTP_HOST / OSOTO_BRIDGE_HTTP_PORT"


def listen_socket(host: str, port: int, *, hint: str = _HTTP_HINT) -> socket.socket:
    """Bind and listen on ``host:port``, as uvicorn would, but failing in one line.

    Args:
        host: the address to bind.
        port: the port (0: any free one).
        hint: how the operator picks another address, appended to the error.

    Raises:
        WebServerError: the host does not resolve or the port is taken.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise WebServerError(f"cannot resolve the HTTP host {host!r}: {exc}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise WebServerError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} ({hint})"
        ) from exc
    sock.set_inheritable(True)
    return sock


class WebServer:
    """Serves ``app`` on ``host:port`` while the context is open.

    Args:
        app: the ASGI app (see `build_web_app`).
        host: the address to bind ("0.0.0.0" in a container, loopback by default).
        port: the port; 0 picks a free one (see `port` once started).
        graceful_timeout: seconds open requests get to finish when stopping.
        bind_hint: how the operator picks another address when this one is taken.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str,
        port: int,
        graceful_timeout: int = 10,
        bind_hint: str = _HTTP_HINT,
    ) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._graceful_timeout = graceful_timeout
        self._bind_hint = bind_hint
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = port

    @property
    def url(self) -> str:
        """The base URL the server answers on (loopback form for a wildcard host)."""
        host = self._host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Bind and serve; return once requests are being answered."""
        if self._task is not None:
            raise RuntimeError("the web server is already started")
        sock = listen_socket(self._host, self._requested_port, hint=self._bind_hint)
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self._app,
            lifespan="off",
            log_config=None,  # our root handler formats and redacts uvicorn's lines too
            access_log=False,
            timeout_graceful_shutdown=self._graceful_timeout,
        )
        server = _Server(config)
        self._server = server
        self._task = asyncio.create_task(server.serve(sockets=[sock]), name="web-server")
        serving = asyncio.create_task(server.serving.wait(), name="web-server-started")
        try:
            await asyncio.wait({self._task, serving}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
        if not server.serving.is_set():
            task, self._task, self._server = self._task, None, None
            sock.close()
            await task  # its exception, if any, says more than we could
            raise WebServerError(f"the HTTP server on {self._host}:{self.port} did not start")
        logger.info("HTTP server listening on %s", self.url)

    async def stop(self) -> None:
        """Stop serving (open requests get the graceful timeout) and await the task."""
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        task, self._task, self._server = self._task, None, None
        await task

    async def __aenter__(self) -> WebServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
