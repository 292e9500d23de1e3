"""The uvicorn server the run command owns: real loopback sockets, clean start and stop."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from osoto_bridge.web import WebServer, WebServerError


async def hello(request: Request) -> Response:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/hello", hello)])


async def test_serves_on_a_free_port_and_stops_cleanly() -> None:
    server = WebServer(APP, host="127.0.0.1", port=0)
    async with server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient() as client:
            response = await client.get(server.url + "/hello")
        assert response.text == "hello"
    with pytest.raises(OSError):  # nothing listens there any more
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


async def test_a_port_in_use_is_a_clear_error() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(WebServerError, match=f"cannot listen on 127.0.0.1:{port}"):
            await WebServer(APP, host="127.0.0.1", port=port).start()
    finally:
        taken.close()


async def test_stop_without_start_and_twice_is_harmless() -> None:
    server = WebServer(APP, host="127.0.0.1", port=0)
    await server.stop()
    await server.start()
    await server.stop()
    await server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
