"""Running `osoto-bridge mcp` as an agent would, and a sandbox for it to talk to.

The server runs as a real subprocess of the console script; the tests talk to it with
the MCP SDK's own client, over stdio (`stdio_client`) or Streamable HTTP
(`streamable_http_client`), exactly as Claude Desktop or Claude Code would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from osoto_bridge.sandbox import Sandbox

CLI = str(Path(sys.executable).with_name("osoto-bridge"))


@dataclass
class DemoWorld:
    """The sandbox's demo trip, served on a loopback port."""

    sandbox: Sandbox
    base_url: str
    credentials: dict[str, Any]

    @property
    def trip_id(self) -> str:
        return str(self.credentials["trips"][0]["id"])

    @property
    def key(self) -> str:
        return str(self.credentials["users"][0]["apiKey"])

    def user_id(self, n: int) -> str:
        return str(self.credentials["users"][n]["id"])


@contextlib.asynccontextmanager
async def serve_sandbox(
    *, rate_limit: int = 600, clock: Callable[[], float] | None = None
) -> AsyncIterator[DemoWorld]:
    """The demo world on a loopback port (a high limit: the scenarios are long)."""
    extra: dict[str, Any] = {"clock": clock} if clock is not None else {}
    with Sandbox(":memory:", rate_limit=rate_limit, **extra) as sandbox:
        credentials = sandbox.seed_demo()
        # Bind first, so the port is known and connections queue until uvicorn accepts.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port = sock.getsockname()[1]
        config = uvicorn.Config(sandbox.app, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="mcp-test-sandbox")
        try:
            yield DemoWorld(sandbox, f"http://127.0.0.1:{port}/api/v1", credentials)
        finally:
            server.should_exit = True
            await task
            sock.close()


def _env(key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSOTO_")}
    if key is not None:
        env["OSOTO_API_KEY"] = key
    return env


@dataclass
class Served:
    """A session with a running `osoto-bridge mcp`, and what it wrote to stderr."""

    session: ClientSession
    stderr: Callable[[], str] = field(repr=False)
    url: str | None = None


@contextlib.asynccontextmanager
async def over_stdio(*args: str, key: str | None) -> AsyncIterator[Served]:
    """`osoto-bridge mcp ARGS` as a subprocess speaking MCP over its stdin/stdout."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        params = StdioServerParameters(command=CLI, args=["mcp", *args], env=_env(key))

        def stderr() -> str:
            errlog.flush()
            errlog.seek(0)
            return errlog.read()

        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield Served(session, stderr)


@contextlib.asynccontextmanager
async def over_http(*args: str, key: str | None) -> AsyncIterator[Served]:
    """`osoto-bridge mcp --http 127.0.0.1:0 ARGS`, reached over Streamable HTTP."""
    process = await asyncio.create_subprocess_exec(
        CLI,
        "mcp",
        "--http",
        "127.0.0.1:0",
        *args,
        env=_env(key),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None and process.stdout is not None
    lines: list[str] = []
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def drain() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace")
            lines.append(line)
            if "serving MCP at " in line and not ready.done():
                ready.set_result(line.rsplit("serving MCP at ", 1)[1].strip())
        if not ready.done():
            ready.set_exception(RuntimeError("osoto-bridge mcp exited:\n" + "".join(lines)))

    drainer = asyncio.create_task(drain(), name="mcp-test-stderr")
    try:
        url = await asyncio.wait_for(ready, timeout=30)
        async with (
            streamable_http_client(url) as (read, write, _session_id),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield Served(session, lambda: "".join(lines), url)
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        await drainer
        stdout = await process.stdout.read()
        assert stdout == b"", "the HTTP server wrote to stdout"
