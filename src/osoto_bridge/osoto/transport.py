"""An httpx transport over aiohttp: the same client API at a quarter of the CPU.

The relay polls every linked channel, so the cost of one small GET sets how many
trips one process can serve. httpx's own connection pool (httpcore on anyio) spends
about 3.6 ms of CPU on such a poll on the benchmark machine; aiohttp's C-accelerated
HTTP stack spends about 0.8 ms for the same request made through the same
`OsotoClient` (bench/relay.py, docs/benchmarks.md). `ClientPool` therefore hands
httpx this transport; everything above it (requests, responses, errors) stays httpx.

Errors are translated into httpx's exception tree in this one place, so callers keep
catching `httpx.TransportError` and `httpx.TimeoutException`.

`DirectClient` hands a request straight to a transport. Of the 0.34 ms of CPU a poll
cost through `httpx.AsyncClient` over this transport, 0.13 ms was the client layer
(its URL and header merges, cookie jar, auth and redirect flows), none of which an
Osoto call uses: the API is stateless, answers no redirect, and the Session puts the
Bearer token in itself (`python bench/http_client.py` measures it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx

__all__ = ["AiohttpTransport", "DirectClient", "HttpClient"]

# aiohttp hands back the decoded body; these headers described the encoded one.
_DROPPED_RESPONSE_HEADERS = frozenset(
    {b"content-encoding", b"content-length", b"transfer-encoding"}
)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests with one aiohttp session (made on first use, in the loop).

    Args:
        max_connections: Connections open at once, over all hosts.
    """

    def __init__(self, *, max_connections: int = 200) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections)
            # the API is stateless: no cookie is kept between requests
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        client_timeout = aiohttp.ClientTimeout(
            total=None,
            connect=timeout.get("connect"),
            sock_read=timeout.get("read"),
        )
        body = await request.aread()
        try:
            async with self._session_now().request(
                request.method,
                str(request.url),
                headers=list(request.headers.multi_items()),
                data=body or None,
                allow_redirects=False,
                timeout=client_timeout,
            ) as answer:
                content = await answer.read()
                headers = [
                    (name, value)
                    for name, value in answer.raw_headers
                    if name.lower() not in _DROPPED_RESPONSE_HEADERS
                ]
                return httpx.Response(
                    answer.status, headers=headers, content=content, request=request
                )
        except aiohttp.ServerTimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            # let aiohttp's transports finish closing before the loop moves on
            await asyncio.sleep(0)


class DirectClient:
    """Sends requests straight to one transport, with one timeout and nothing else.

    Args:
        transport: Where requests go (an `AiohttpTransport` in the relay).
        timeout: Applied to every request.
    """

    def __init__(self, transport: httpx.AsyncBaseTransport, *, timeout: httpx.Timeout) -> None:
        self._transport = transport
        self._timeout = timeout.as_dict()

    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        if params and "?" not in url:
            # One parse of the whole URL instead of a parse and a merge (httpx's
            # own encoding of the parameters).
            url = f"{url}?{httpx.QueryParams(params)}"
            params = None
        return httpx.Request(
            method,
            url,
            params=params or None,
            json=json,
            headers=headers,
            extensions={"timeout": self._timeout},
        )

    async def send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


HttpClient = httpx.AsyncClient | DirectClient
"""What a `Session` sends with (it calls `build_request`, `send` and `aclose`)."""
