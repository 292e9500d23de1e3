"""The cross-cutting layer every request passes: request id, auth, rate limit, idempotency.

One pure-ASGI middleware does all four, in that order, so that route handlers only
ever see an authenticated, counted request and read the caller from
`request.state.principal`. It also turns a crash into the contract's `INTERNAL`
envelope so that no response ever lacks `X-Request-Id`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from osoto_bridge.sandbox import auth, fastpath
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.errors import STATUS_BY_CODE, Detail, envelope_bytes
from osoto_bridge.sandbox.idempotency import (
    MAX_KEY_LENGTH,
    Cached,
    IdempotencyStore,
    fingerprint,
)
from osoto_bridge.sandbox.ids import new_request_id

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/v1/"
_PUBLIC_PREFIX = "/api/v1/shared/"
_MUTATING = frozenset({"POST", "PATCH", "DELETE"})
_PRINCIPAL_CACHE = 10_000


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _send_error(
    send: Send,
    code: str,
    message: str,
    request_id: str,
    headers: list[tuple[bytes, bytes]],
    details: tuple[Detail, ...] = (),
) -> None:
    body = envelope_bytes(code, message, request_id, details)
    await send(
        {
            "type": "http.response.start",
            "status": STATUS_BY_CODE[code],
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_json(send: Send, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SandboxMiddleware:
    """Wraps the FastAPI app; see the module docstring.

    Args:
        app: the inner ASGI app.
        ctx: the sandbox's shared state.
    """

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app = app
        self._ctx = ctx
        self._idempotency = IdempotencyStore(ctx.conn, ctx.clock)
        self._principals: dict[str, auth.Principal] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        headers: list[tuple[bytes, bytes]] = [(b"x-request-id", request_id.encode())]
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._handle(scope, receive, tracking_send, headers)
        except Exception:
            # The one place a fault of the sandbox itself is logged and answered.
            logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise
            await _send_error(
                send, "INTERNAL", "Internal error in the sandbox", request_id, headers
            )

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]]
    ) -> None:
        state = scope["state"]
        request_id: str = state["request_id"]
        path: str = scope["path"]
        if path.startswith(API_PREFIX) and not path.startswith(_PUBLIC_PREFIX):
            principal = self._authenticate(scope)
            if principal is None:
                missing = _header(scope, b"authorization") is None
                message = "Missing API key" if missing else "Invalid API key"
                await _send_error(send, "UNAUTHORIZED", message, request_id, headers)
                return
            verdict = self._ctx.limiter.hit(principal.key_hash)
            headers.extend(verdict.headers())
            if not verdict.allowed:
                await _send_error(
                    send,
                    "RATE_LIMITED",
                    f"Rate limit of {verdict.limit} requests per minute exceeded;"
                    f" retry in {verdict.retry_after} s",
                    request_id,
                    headers,
                )
                return
            state["principal"] = principal
            if await self._fast(scope, send, principal, headers):
                return
            idem_key = _header(scope, b"idempotency-key")
            if scope["method"] in _MUTATING and idem_key is not None:
                await self._idempotent(
                    scope, receive, send, principal, idem_key.decode("latin-1"), headers
                )
                return
        await self._run(scope, receive, send, headers)

    async def _fast(
        self,
        scope: Scope,
        send: Send,
        principal: auth.Principal,
        headers: list[tuple[bytes, bytes]],
    ) -> bool:
        """Serve the request through `fastpath` if it can; say whether it did."""
        try:
            body = fastpath.poll_messages(self._ctx, principal, scope)
        except Exception:
            logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
            request_id = scope["state"]["request_id"]
            await _send_error(
                send, "INTERNAL", "Internal error in the sandbox", request_id, headers
            )
            return True
        if body is None:
            return False
        await _send_json(send, body, headers)
        return True

    def _authenticate(self, scope: Scope) -> auth.Principal | None:
        value = _header(scope, b"authorization")
        if value is None:
            return None
        scheme, _, key = value.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        key = key.strip()
        principal = self._principals.get(key)
        if principal is None:
            principal = auth.lookup_key(self._ctx.conn, key)
            if principal is not None:
                # Keys never change once made, so a hit can be remembered; the bound
                # keeps a flood of distinct keys from growing the cache without end.
                if len(self._principals) >= _PRINCIPAL_CACHE:
                    self._principals.clear()
                self._principals[key] = principal
        return principal

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        capture: Callable[[Message], None] | None = None,
    ) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            if capture is not None:
                capture(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _idempotent(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        principal: auth.Principal,
        idem_key: str,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        request_id: str = scope["state"]["request_id"]
        if not idem_key.strip() or len(idem_key) > MAX_KEY_LENGTH:
            reason = f"must be 1 to {MAX_KEY_LENGTH} characters"
            await _send_error(
                send,
                "VALIDATION_ERROR",
                f"Idempotency-Key {reason}",
                request_id,
                headers,
                (Detail("Idempotency-Key", reason),),
            )
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                break
        print_ = fingerprint(scope["method"], scope["path"], scope["query_string"], bytes(body))
        async with self._idempotency.hold(principal.key_hash, idem_key):
            cached = self._idempotency.get(principal.key_hash, idem_key)
            if cached is not None:
                if cached.fingerprint != print_:
                    await _send_error(
                        send,
                        "IDEMPOTENCY_CONFLICT",
                        "This Idempotency-Key was already used with a different request",
                        request_id,
                        headers,
                    )
                    return
                await send(
                    {
                        "type": "http.response.start",
                        "status": cached.status,
                        "headers": [
                            (b"content-type", cached.content_type.encode()),
                            (b"content-length", str(len(cached.body)).encode()),
                            (b"idempotent-replayed", b"true"),
                            *headers,
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": cached.body})
                return
            await self._execute_and_store(
                scope, receive, send, headers, bytes(body), (principal.key_hash, idem_key, print_)
            )

    async def _execute_and_store(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        slot: tuple[str, str, str],
    ) -> None:
        key_hash, idem_key, print_ = slot
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 0
        content_type = "application/json"
        chunks: list[bytes] = []

        def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for key, value in message.get("headers", ()):
                    if key == b"content-type":
                        content_type = bytes(value).decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        await self._run(scope, replay_body, send, headers, capture)
        # Server faults are not cached: a retry after a 500 should really retry.
        if 0 < status < 500:
            self._idempotency.put(
                key_hash,
                idem_key,
                Cached(print_, status, content_type, b"".join(chunks)),
            )
