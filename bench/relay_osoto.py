"""The relay benchmark's Osoto: the sandbox app, served with a request log per key.

    python bench/relay_osoto.py --db FILE --port P [--rate-limit 60]

Serves exactly what `osoto-bridge sandbox --db FILE --rate-limit 60 --no-access-log`
serves (the same `Sandbox` app under uvicorn), wrapped in one thin ASGI layer that
notes, for every API request, when it finished, which key made it (a fingerprint of
the bearer token, never the key), its status, and for a message POST the benchmark
tag in its body. Counting here, in the server's own process, puts no extra hop on the
paths being measured, as a proxy would.

Control routes, outside ``/api/v1``:

* ``GET /_bench/requests?since=N``: the log from entry N, as columns;
* ``GET /_bench/messages``: every stored message's channel and content (to count
  what reached Osoto once, twice or never);
* ``GET /_bench/threads``: every stored message's id, channel, content and parent
  (the fault run's replies).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

from osoto_bridge.sandbox import Sandbox

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

TAG = re.compile(rb"msg(\d{7})x")
"""How the benchmark marks each message it sends (``msg0001234x``)."""


def fingerprint(api_key: str) -> str:
    """The short name of a key in the log (the harness computes the same)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:12]


class RequestLog:
    """One row per finished API request, kept as parallel columns."""

    def __init__(self) -> None:
        self.at: list[float] = []
        self.key: list[str] = []
        self.status: list[int] = []
        self.kind: list[str] = []
        # every tag the post's body carries: a merged post holds several lines
        self.tags: list[list[int]] = []
        self._names: dict[bytes, str] = {}

    def name(self, token: bytes) -> str:
        found = self._names.get(token)
        if found is None:
            found = fingerprint(token.decode("latin-1"))
            self._names[token] = found
        return found

    def add(self, key: str, status: int, kind: str, tags: list[int]) -> None:
        self.at.append(time.time())
        self.key.append(key)
        self.status.append(status)
        self.kind.append(kind)
        self.tags.append(tags)

    def since(self, start: int) -> dict[str, Any]:
        return {
            "next": len(self.at),
            "at": self.at[start:],
            "key": self.key[start:],
            "status": self.status[start:],
            "kind": self.kind[start:],
            "tags": self.tags[start:],
        }


def counting(app: App, log: RequestLog, sandbox: Sandbox) -> App:
    """Wrap the sandbox app: log each API request, answer the control routes."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/_bench/"):
            await _control(scope, send, log, sandbox)
            return
        token = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value.removeprefix(b"Bearer ").strip()
                break
        posting = scope["method"] == "POST" and path.endswith("/messages")
        kind = "post" if posting else ("poll" if path.endswith("/messages") else "other")
        body = bytearray()
        status = 0

        async def peek() -> Message:
            message = await receive()
            if posting and message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await app(scope, peek if posting else receive, noting)
        finally:
            tags = [int(found) for found in TAG.findall(body)] if posting else []
            log.add(log.name(token) if token else "-", status, kind, tags)

    return wrapped


async def _control(scope: Scope, send: Send, log: RequestLog, sandbox: Sandbox) -> None:
    path: str = scope["path"]
    query = dict(
        part.split("=", 1) for part in scope["query_string"].decode().split("&") if "=" in part
    )
    if path == "/_bench/requests":
        payload: Any = log.since(int(query.get("since", "0")))
    elif path == "/_bench/messages":
        rows = sandbox.context.conn.execute("SELECT channel_id, doc FROM messages ORDER BY seq")
        payload = [[channel, json.loads(doc)["content"]] for channel, doc in rows]
    elif path == "/_bench/threads":
        rows = sandbox.context.conn.execute("SELECT id, channel_id, doc FROM messages ORDER BY seq")
        payload = []
        for message_id, channel, doc in rows:
            fields = json.loads(doc)
            payload.append([message_id, channel, fields["content"], fields.get("parentId")])
    else:
        payload = {"error": "unknown control route"}
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="the sandbox's SQLite file (seeded)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-limit", type=int, default=60, help="requests per minute per key")
    args = parser.parse_args()
    log = RequestLog()
    with Sandbox(args.db, rate_limit=args.rate_limit) as sandbox:
        print(f"bench Osoto serving on 127.0.0.1:{args.port}", file=sys.stderr)
        uvicorn.run(
            counting(sandbox.app, log, sandbox),
            host="127.0.0.1",
            port=args.port,
            log_level="warning",
            access_log=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
