"""The request pipeline under every Osoto call: pace, send, translate, retry.

One `Session` per client object. It owns (or borrows) the `httpx.AsyncClient`, holds
the API key as a `Secret`, and for each call:

1. gives a mutating request its Idempotency-Key, once, so every retry repeats it;
2. waits for the key's `RateLimiter` to let the request through;
3. sends it and feeds the answer's rate-limit headers back to the limiter;
4. turns network failures and error answers into the `errors` tree;
5. retries what may go away by itself (network, 5xx, 429) under the `RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from osoto_bridge.osoto.errors import (
    OsotoError,
    RateLimited,
    TransportError,
    UnexpectedResponse,
    parse_retry_after,
    raise_for_response,
)
from osoto_bridge.osoto.keys import Secret
from osoto_bridge.osoto.pacing import Clock, Priority, RateLimiter, Sleep, Ticket
from osoto_bridge.osoto.retry import RetryPolicy
from osoto_bridge.osoto.transport import HttpClient

__all__ = ["MUTATING_METHODS", "ClientState", "Session"]

logger = logging.getLogger("osoto_bridge.osoto")

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods that get an Idempotency-Key."""

Params = Mapping[str, str | int | float | bool | None]


class ClientState(enum.Enum):
    """Lifecycle of a client: usable until closed, never reopened."""

    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


class Session:
    """Paced, retried, error-translated HTTP requests to one Osoto base URL.

    Args:
        base_url: The API root, e.g. `http://127.0.0.1:8787/api/v1`.
        api_key: The key sent as a Bearer token, or None for the share endpoints.
        http: An httpx client (or a `DirectClient`) to borrow (never closed here).
        transport: An httpx transport for a client made here (tests, fault injection).
        limiter: The key's pacer, or None for no pacing.
        clock: Monotonic clock for the retry deadline.
        sleep: Sleep used between retries.
        retry: The retry policy.
        timeout: Seconds for connect/read/write of a client made here.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: Secret | None,
        http: HttpClient | None,
        transport: httpx.AsyncBaseTransport | None,
        limiter: RateLimiter | None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
    ) -> None:
        if http is not None and transport is not None:
            raise ValueError("pass either http or transport, not both")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._owns_http = http is None
        self._http: HttpClient = http or httpx.AsyncClient(transport=transport, timeout=timeout)
        self.limiter = limiter
        self._clock = clock
        self._sleep = sleep
        self.retry = retry or RetryPolicy()
        self.state = ClientState.UNOPENED

    async def open(self) -> None:
        """Mark the session open; refuses a closed or already open one."""
        if self.state is not ClientState.UNOPENED:
            raise RuntimeError(f"cannot open an Osoto client that is {self.state.value}")
        self.state = ClientState.OPENED

    async def close(self) -> None:
        """Close the httpx client if this session made it; idempotent."""
        if self.state is ClientState.CLOSED:
            return
        self.state = ClientState.CLOSED
        if self._owns_http:
            await self._http.aclose()

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        priority: Priority = Priority.INTERACTIVE,
        idempotency_key: str | None = None,
        log_path: str | None = None,
    ) -> tuple[Any, httpx.Response]:
        """Like `request`, and decode the JSON body (None for an empty one).

        Returns:
            The decoded body and the response.

        Raises:
            UnexpectedResponse: The body is not JSON.
        """
        response = await self.request(
            method,
            path,
            params=params,
            json=json,
            priority=priority,
            idempotency_key=idempotency_key,
            log_path=log_path,
        )
        if not response.content:
            return None, response
        try:
            return response.json(), response
        except ValueError as exc:
            raise UnexpectedResponse(
                "answer is not JSON",
                status=response.status_code,
                request_id=response.headers.get("X-Request-Id"),
            ) from exc

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        priority: Priority = Priority.INTERACTIVE,
        idempotency_key: str | None = None,
        log_path: str | None = None,
    ) -> httpx.Response:
        """Send one API call, pacing and retrying it, and return the successful answer.

        Args:
            method: HTTP method.
            path: Path under the base URL, already escaped.
            params: Query parameters; None values are left out.
            json: JSON body.
            priority: Pacing priority.
            idempotency_key: Key for a mutating call; generated when None.
            log_path: What to show of the path in logs and errors (hides share tokens).

        Raises:
            ApiError: The API answered with an error that retrying cannot fix, or
                retries ran out.
            TransportError: The network kept failing until retries ran out.
        """
        if self.state is ClientState.CLOSED:
            raise RuntimeError("the Osoto client is closed")
        method = method.upper()
        headers = {"Accept": "application/json"}
        if self._api_key is not None:
            headers["Authorization"] = f"Bearer {self._api_key.reveal()}"
        if method in MUTATING_METHODS:
            # One key for the whole call: a retry after a lost answer replays it.
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        query = {k: v for k, v in (params or {}).items() if v is not None}
        label = f"{method} {log_path or path}"
        url = self.base_url + path
        policy = self.retry
        started = self._clock()
        attempt = 0
        rate_limited = 0
        while True:
            attempt += 1
            ticket = await self.limiter.acquire(priority) if self.limiter else None
            try:
                return await self._exchange(label, method, url, query, json, headers, ticket)
            except OsotoError as exc:
                if not policy.is_retryable(exc):
                    raise
                error = exc
            if isinstance(error, RateLimited):
                # A 429 says "not yet", not "broken": it does not use up an attempt.
                attempt -= 1
                rate_limited += 1
                delay = error.retry_after
                if delay is None:
                    delay = policy.backoff(rate_limited)
                if rate_limited > policy.max_rate_limited:
                    raise error
            elif attempt >= policy.max_attempts:
                raise error
            else:
                delay = policy.backoff(attempt)
            if self._clock() - started + delay > policy.deadline:
                logger.warning("%s: giving up, next try would pass the deadline", label)
                raise error
            logger.warning("%s failed (%s); retrying in %.2fs", label, error, delay)
            if isinstance(error, RateLimited) and self.limiter is not None:
                if error.retry_after is None:
                    self.limiter.observe(None, retry_after=delay)
                # The limiter now holds every request of this key until the window
                # resets, this one included; sleeping here as well would wait twice.
                continue
            await self._sleep(delay)

    async def _exchange(
        self,
        label: str,
        method: str,
        url: str,
        params: Mapping[str, Any],
        json: Any,
        headers: Mapping[str, str],
        ticket: Ticket | None,
    ) -> httpx.Response:
        """Send once; translate the network failure or error answer (the one place)."""
        try:
            request = self._http.build_request(
                method, url, params=params, json=json, headers=headers
            )
            response = await self._http.send(request)
        except BaseException as exc:
            if self.limiter is not None:
                # No answer will tell the limit: let the next request learn it.
                self.limiter.abandon(ticket)
            if not isinstance(exc, httpx.TransportError):
                raise
            raise TransportError(
                f"{label}: {type(exc).__name__}: {exc}",
                timeout=isinstance(exc, httpx.TimeoutException),
            ) from exc
        if self.limiter is not None:
            self.limiter.observe(
                ticket,
                limit=_int_header(response, "X-RateLimit-Limit"),
                remaining=_int_header(response, "X-RateLimit-Remaining"),
                retry_after=_retry_after(response),
            )
        if logger.isEnabledFor(logging.DEBUG):  # a header lookup is not free at 300/s
            logger.debug(
                "%s -> %d (request %s)",
                label,
                response.status_code,
                response.headers.get("X-Request-Id"),
            )
        raise_for_response(response)
        return response


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code != 429:
        return None
    return parse_retry_after(response.headers.get("Retry-After"))
