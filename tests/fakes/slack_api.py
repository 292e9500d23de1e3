"""A fake Slack on loopback: the Web API the bot calls, and the requests Slack sends.

The Web API side is a Starlette app served by uvicorn on a loopback port, so the
adapter's real slack-sdk client talks real HTTP to it (``base_url`` points here).
It answers like Slack: ``{"ok": true, ...}`` or ``{"ok": false, "error": ...}``,
with a 429 and ``Retry-After`` when asked to. It keeps the workspace (users with
locale and admin flags, channels with members, archived or not), every message the
bot posted (through the API or a response URL), the modals it opened, and every
call (`calls`).

The other side plays Slack delivering events: payloads shaped like Slack's (message
events with subtypes, slash commands, block actions, view submissions), signed with
the signing secret (``X-Slack-Signature``, ``X-Slack-Request-Timestamp``) and posted
to the bridge, with ``X-Slack-Retry-Num`` on redeliveries.

Built with ``socket_mode``, it also serves Socket Mode as Slack does for an app
with several open connections (several replicas): each envelope goes to exactly
one open connection, turn by turn (`push`; `deliveries` says which); one not
acknowledged within ``ack_timeout`` seconds is delivered again, to another open
connection if there is one, with ``retry_attempt`` counted up and ``retry_reason``
``timeout``, up to three times. A connection that closes cannot acknowledge what it
was handed, so its envelopes are delivered again at once (Slack's wait would end
the same way); `expire_unacked` ends the wait of every envelope now, so tests
never wait for the timeout to pass.

Tests play the people (`message_event`, `slash_command` …), plan failures
(`fail_next`) and read what the bot did (`posted`, `calls_to`, `wait_for`). Built
with ``limits`` (`fakes.limits.SlackLimits`) it also enforces ``chat.postMessage``'s
limits, answering 429 with ``Retry-After`` and ``ratelimited`` as Slack does;
`sent_429` counts every 429 it answered, planned or enforced.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import itertools
import json
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from aiohttp import WSMsgType, web
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from fakes.limits import SlackLimits, retry_after

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
SIGNING_SECRET = "fake-signing-secret-for-tests"
TEAM_ID = "T0FAKE"
BOT_USER_ID = "UBOT00001"
BOT_ID = "BBOT00001"
SLASH = "/osoto"


@dataclass
class FakeUser:
    id: str
    name: str
    locale: str = "en-US"
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False

    def info(self, *, include_locale: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name.lower().replace(" ", "."),
            "real_name": self.name,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_bot": self.is_bot,
            "profile": {"display_name": self.name, "real_name": self.name},
        }
        if include_locale:
            data["locale"] = self.locale
        return data


@dataclass
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    members: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ApiCall:
    """One call the bot made: the method and its arguments (query, form or JSON)."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class Posted:
    """A message the bot posted, through ``chat.postMessage`` or a response URL."""

    channel: str
    ts: str | None
    text: str
    blocks: tuple[dict[str, Any], ...]
    thread_ts: str | None = None
    username: str | None = None
    response_type: str | None = None
    metadata: dict[str, Any] | None = None
    lost: bool = False  # shown in the channel, but its answer never reached the bot


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: float | None


class _Uvicorn(uvicorn.Server):
    """uvicorn that stops the moment it is told.

    Its own main loop looks for the exit flag every 0.1 s and its shutdown sleeps
    0.1 s, which a hundred tests would pay for; the fake has no lifespan and its
    clients have closed their connections by then.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop_now = asyncio.Event()

    async def main_loop(self) -> None:
        await self.stop_now.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        for server in self.servers:
            await server.wait_closed()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Slack's request signature: ``v0=`` HMAC-SHA256 of ``v0:timestamp:body``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class FakeSlack:
    """A Slack workspace with one bot, served on loopback (use ``async with``)."""

    def __init__(
        self,
        *,
        signing_secret: str = SIGNING_SECRET,
        socket_mode: bool = False,
        limits: SlackLimits | None = None,
        ack_timeout: float = 3.0,
    ) -> None:
        self.signing_secret = signing_secret
        self.limits = limits
        self.sent_429 = 0
        self.socket_mode = socket_mode
        self.users: dict[str, FakeUser] = {BOT_USER_ID: FakeUser(BOT_USER_ID, "Osoto", is_bot=True)}
        self.channels: dict[str, FakeChannel] = {}
        self.calls: list[ApiCall] = []
        self.posted: list[Posted] = []
        # (channel, ts) → the message as ``chat.update`` last left it
        self.updated: dict[tuple[str, str], Posted] = {}
        # what response URLs were told to show in place of the message they belong to
        # (``replace_original``), in order
        self.replaced: list[Posted] = []
        # user id → the Home tab ``views.publish`` last set for them
        self.home: dict[str, dict[str, Any]] = {}
        # (channel, user, text) of every ``chat.postEphemeral``
        self.ephemerals: list[tuple[str, str, str]] = []
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.triggers: set[str] = set()
        self._failures: dict[str, deque[_Failure]] = {}
        self._lose: dict[str, int] = {}
        self._held: dict[str, asyncio.Event] = {}
        self.waiting: list[str] = []  # held calls, in the order they came
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._server: _Uvicorn | None = None
        self._task: asyncio.Task[None] | None = None
        self._port = 0
        self._ws_runner: web.AppRunner | None = None
        self._ws_port = 0
        self._sockets: list[web.WebSocketResponse] = []  # the open connections
        self._socket_ids: dict[web.WebSocketResponse, int] = {}
        self._turn = 0
        self._connections = itertools.count(1)
        self.ack_timeout = ack_timeout
        self._expired = 0  # `expire_unacked` calls: every wait started before ends
        self._redeliveries: set[asyncio.Task[None]] = set()
        # (envelope id, connection number, attempt) of every envelope handed out
        self.deliveries: list[tuple[str, int, int]] = []
        self.acks: dict[str, Any] = {}
        self.socket_closed = asyncio.Event()
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["GET", "POST"]),
                Route("/respond/{token}", self._respond, methods=["POST"]),
            ]
        )

    # -- serving ----------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = _Uvicorn(config)
        # The socket listens already, so requests queue until uvicorn accepts them.
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="fake-slack")
        if self.socket_mode:
            await self._serve_sockets()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._redeliveries:
            task.cancel()
        await asyncio.gather(*self._redeliveries, return_exceptions=True)
        if self._ws_runner is not None:
            await self._ws_runner.cleanup()
        if self._server is not None and self._task is not None:
            self._server.stop_now.set()
            await self._task

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/api/"

    # -- the workspace ------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        locale: str = "en-US",
        admin: bool = False,
        owner: bool = False,
    ) -> FakeUser:
        user = FakeUser(user_id, name, locale=locale, is_admin=admin, is_owner=owner)
        self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str, *, private: bool = False, bot_member: bool = True
    ) -> FakeChannel:
        channel = FakeChannel(channel_id, name, is_private=private)
        if bot_member:
            channel.members.add(BOT_USER_ID)
        self.channels[channel_id] = channel
        self.history.setdefault(channel_id, [])
        return channel

    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error (429 for ratelimited)."""
        code = status if status is not None else (429 if error == "ratelimited" else 200)
        queue = self._failures.setdefault(method, deque())
        for _ in range(times):
            queue.append(_Failure(code, error, retry_after))

    def lose_next(self, method: str, *, times: int = 1) -> None:
        """Do the next ``times`` calls of ``method``, then lose their answers: the bot
        gets a 502 from a proxy in between, as when a response is lost on the way."""
        self._lose[method] = self._lose.get(method, 0) + times

    def hold(self, method: str) -> asyncio.Event:
        """Hold every call of ``method`` until the returned event is set (a slow Slack)."""
        gate = self._held[method] = asyncio.Event()
        return gate

    def next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    # -- what the bot did ---------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def posted_in(self, channel: str) -> list[Posted]:
        return [p for p in self.posted if p.channel == channel]

    async def wait_for(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds (woken by each call the bot makes)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def _record(self, call: ApiCall, posted: Posted | None = None) -> None:
        async with self._changed:
            self.calls.append(call)
            if posted is not None:
                self.posted.append(posted)
            self._changed.notify_all()

    # -- the Web API --------------------------------------------------------------------

    async def _args(self, request: Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            body = await request.body()
            content_type = request.headers.get("content-type", "")
            if body and content_type.startswith("application/json"):
                args.update(json.loads(body))
            elif body:
                form = await request.form()
                args.update({key: value for key, value in form.items() if isinstance(value, str)})
        return args

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await self._args(request)
        held = self._held.get(method)
        if held is not None:
            async with self._changed:
                self.waiting.append(method)
                self._changed.notify_all()
            await held.wait()
        failure = self._failures.get(method)
        if failure:
            planned = failure.popleft()
            await self._record(ApiCall(method, args, ok=False, error=planned.error))
            headers = {}
            if planned.retry_after is not None:
                headers["Retry-After"] = str(int(planned.retry_after))
            if planned.status == 429:
                self.sent_429 += 1
            return JSONResponse(
                {"ok": False, "error": planned.error}, status_code=planned.status, headers=headers
            )
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("authorization") != f"Bearer {token}":
            await self._record(ApiCall(method, args, ok=False, error="invalid_auth"))
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        wait = self.limits.check(method, args.get("channel")) if self.limits else 0.0
        if wait > 0:
            self.sent_429 += 1
            await self._record(ApiCall(method, args, ok=False, error="ratelimited"))
            return JSONResponse(
                {"ok": False, "error": "ratelimited"},
                status_code=429,
                headers={"Retry-After": str(retry_after(wait))},
            )
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            await self._record(ApiCall(method, args, ok=False, error="unknown_method"))
            return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)
        answer, posted = handler(args)
        error = None if answer.get("ok") else str(answer.get("error"))
        lose = self._lose.get(method, 0) > 0
        if lose:
            self._lose[method] -= 1
            if posted is not None:
                posted = dataclasses.replace(posted, lost=True)
        await self._record(ApiCall(method, args, ok=error is None, error=error), posted)
        if lose:
            return PlainTextResponse("upstream connection lost", status_code=502)
        return JSONResponse(answer)

    @staticmethod
    def _error(code: str) -> tuple[dict[str, Any], None]:
        return {"ok": False, "error": code}, None

    def _m_auth_test(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        return {
            "ok": True,
            "url": "http://fake.slack.test/",
            "team": "Fake Travellers",
            "user": "osoto",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }, None

    def _channel_for_posting(self, args: dict[str, Any]) -> FakeChannel | str:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return "channel_not_found"
        if channel.is_archived:
            return "is_archived"
        if BOT_USER_ID not in channel.members:
            return "not_in_channel"
        return channel

    def _m_chat_postMessage(self, args: dict[str, Any]) -> tuple[dict[str, Any], Posted | None]:
        channel = self._channel_for_posting(args)
        if isinstance(channel, str):
            return self._error(channel)
        text = str(args.get("text") or "")
        blocks = args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not text and not blocks:
            return self._error("no_text")
        if len(text) > 40_000:
            return self._error("msg_too_long")
        if not _blocks_valid(blocks):
            return self._error("invalid_blocks")
        thread_ts = args.get("thread_ts")
        if thread_ts is not None and not any(
            m["ts"] == thread_ts for m in self.history[channel.id]
        ):
            return self._error("thread_not_found")
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            return self._error("invalid_metadata_format")
        ts = self.next_ts()
        message = {
            "type": "message",
            "ts": ts,
            "text": text,
            "bot_id": BOT_ID,
            "thread_ts": thread_ts,
            "username": args.get("username"),
        }
        if metadata is not None:
            message["metadata"] = metadata
        self.history[channel.id].append(message)
        posted = Posted(
            channel=channel.id,
            ts=ts,
            text=text,
            blocks=tuple(blocks),
            thread_ts=thread_ts,
            username=args.get("username"),
            metadata=metadata,
        )
        return {"ok": True, "channel": channel.id, "ts": ts, "message": message}, posted

    def _m_chat_update(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        channel = self._channel_for_posting(args)
        if isinstance(channel, str):
            return self._error(channel)
        ts = str(args.get("ts") or "")
        found = next((m for m in self.history[channel.id] if m["ts"] == ts), None)
        if found is None:
            return self._error("message_not_found")
        if found.get("bot_id") != BOT_ID:
            return self._error("cant_update_message")
        text = str(args.get("text") or "")
        blocks = args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not text and not blocks:
            return self._error("no_text")
        if not _blocks_valid(blocks):
            return self._error("invalid_blocks")
        found["text"] = text
        self.updated[(channel.id, ts)] = Posted(
            channel=channel.id, ts=ts, text=text, blocks=tuple(blocks)
        )
        return {"ok": True, "channel": channel.id, "ts": ts, "text": text}, None

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        channel = self._channel_for_posting(args)
        if isinstance(channel, str):
            return self._error(channel)
        user = str(args.get("user") or "")
        if user not in self.users:
            return self._error("user_not_found")
        text = str(args.get("text") or "")
        if not text:
            return self._error("no_text")
        self.ephemerals.append((channel.id, user, text))
        return {"ok": True, "message_ts": self.next_ts()}, None

    def _m_chat_delete(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return self._error("channel_not_found")
        messages = self.history[channel.id]
        found = next((m for m in messages if m["ts"] == args.get("ts")), None)
        if found is None:
            return self._error("message_not_found")
        if found.get("bot_id") != BOT_ID:
            return self._error("cant_delete_message")
        messages.remove(found)
        return {"ok": True, "channel": channel.id, "ts": found["ts"]}, None

    def _m_users_info(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            return self._error("user_not_found")
        include_locale = str(args.get("include_locale", "")).lower() in ("true", "1")
        return {"ok": True, "user": user.info(include_locale=include_locale)}, None

    def _m_conversations_info(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return self._error("channel_not_found")
        return {
            "ok": True,
            "channel": {
                "id": channel.id,
                "name": channel.name,
                "is_channel": not channel.is_private,
                "is_private": channel.is_private,
                "is_archived": channel.is_archived,
                "is_member": BOT_USER_ID in channel.members,
            },
        }, None

    def _m_conversations_join(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return self._error("channel_not_found")
        if channel.is_private:
            return self._error("method_not_supported_for_channel_type")
        if channel.is_archived:
            return self._error("is_archived")
        channel.members.add(BOT_USER_ID)
        return {"ok": True, "channel": {"id": channel.id}}, None

    def _m_conversations_members(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        """Members two to a page, so a caller must follow the cursor."""
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return self._error("channel_not_found")
        if BOT_USER_ID not in channel.members:
            return self._error("not_in_channel")
        members = sorted(channel.members)
        start = int(str(args.get("cursor") or "0"))
        page = members[start : start + 2]
        more = start + 2 < len(members)
        metadata = {"next_cursor": str(start + 2) if more else ""}
        return {"ok": True, "members": page, "response_metadata": metadata}, None

    def _view(self, view: Any, view_id: str) -> dict[str, Any]:
        stored = json.loads(view) if isinstance(view, str) else dict(view)
        stored["id"] = view_id
        stored["hash"] = f"h{next(self._ids)}"
        self.views[view_id] = stored
        return stored

    def _m_views_open(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        trigger = str(args.get("trigger_id", ""))
        if trigger not in self.triggers:
            return self._error("invalid_trigger_id")
        self.triggers.discard(trigger)  # a trigger opens one view
        view = self._view(args.get("view"), f"V{next(self._ids):06d}")
        return {"ok": True, "view": view}, None

    def _m_views_publish(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        user = str(args.get("user_id") or "")
        if user not in self.users:
            return self._error("user_not_found")
        view = args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not isinstance(view, dict) or view.get("type") != "home":
            return self._error("invalid_arguments")
        if len(view.get("blocks", [])) > 100:
            return self._error("invalid_blocks")
        self.home[user] = view
        return {"ok": True, "view": {"id": f"V{next(self._ids):06d}", **view}}, None

    def _m_views_update(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        view_id = str(args.get("view_id", ""))
        if view_id not in self.views:
            return self._error("not_found")
        return {"ok": True, "view": self._view(args.get("view"), view_id)}, None

    async def _respond(self, request: Request) -> Response:
        token = request.path_params["token"]
        payload = json.loads(await request.body())
        failure = self._failures.get("response_url")
        if failure:
            planned = failure.popleft()
            await self._record(ApiCall("response_url", payload, ok=False, error=planned.error))
            headers = {"Retry-After": str(int(planned.retry_after or 1))}
            return PlainTextResponse(planned.error, status_code=planned.status, headers=headers)
        channel = token.split("-", 1)[0]
        posted = Posted(
            channel=channel,
            ts=None,
            text=str(payload.get("text") or ""),
            blocks=tuple(payload.get("blocks") or ()),
            response_type=payload.get("response_type"),
        )
        if payload.get("replace_original") is True:
            # Slack redraws the message the URL came with; nothing new is posted.
            async with self._changed:
                self.calls.append(ApiCall("response_url", payload, ok=True))
                self.replaced.append(posted)
                self._changed.notify_all()
            return PlainTextResponse("ok")
        await self._record(ApiCall("response_url", payload, ok=True), posted)
        return PlainTextResponse("ok")

    # -- Socket Mode ----------------------------------------------------------------------

    async def _serve_sockets(self) -> None:
        # uvicorn has no WebSocket support without extra packages; aiohttp has.
        app = web.Application()
        app.router.add_get("/link", self._socket)
        self._ws_runner = web.AppRunner(app)
        await self._ws_runner.setup()
        site = web.TCPSite(self._ws_runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self._ws_port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def _m_apps_connections_open(self, args: dict[str, Any]) -> tuple[dict[str, Any], None]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self._ws_port}/link?ticket=t"}, None

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets) + 1,
                "connection_info": {"app_id": "A0FAKE"},
            }
        )
        async with self._changed:
            self._sockets.append(socket)
            self._socket_ids[socket] = next(self._connections)
            self._changed.notify_all()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    data = json.loads(message.data)
                    async with self._changed:
                        self.acks[data["envelope_id"]] = data.get("payload")
                        self._changed.notify_all()
        finally:
            async with self._changed:
                self._sockets.remove(socket)
                self._changed.notify_all()
            self.socket_closed.set()
        return socket

    @property
    def open_connections(self) -> list[int]:
        """The numbers of the open Socket Mode connections (1 for the first opened)."""
        return [self._socket_ids[socket] for socket in self._sockets]

    async def push(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Send an envelope (``events_api``, ``slash_commands``, ``interactive``) over
        one of the app's open connections, the next in turn; returns its id, which the
        app's ack carries back. Unacknowledged, it is delivered again (module doc)."""
        await self.wait_for(lambda: bool(self._sockets))
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        socket = await self._hand(envelope, avoid=None)
        task = asyncio.create_task(self._redeliver(envelope, socket), name=envelope_id)
        self._redeliveries.add(task)
        task.add_done_callback(self._redeliveries.discard)
        return envelope_id

    def connection_of(self, envelope_id: str) -> int:
        """The connection an envelope was last handed to."""
        return [n for env, n, _ in self.deliveries if env == envelope_id][-1]

    def expire_unacked(self) -> None:
        """End now the wait of every envelope handed out and not acknowledged, as
        ``ack_timeout`` passing would: each goes to another connection."""
        self._expired += 1
        self._notify_soon()

    def _notify_soon(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        task = asyncio.create_task(notify())
        self._redeliveries.add(task)
        task.add_done_callback(self._redeliveries.discard)

    async def _hand(
        self, envelope: dict[str, Any], *, avoid: web.WebSocketResponse | None
    ) -> web.WebSocketResponse:
        """Send ``envelope`` to the next open connection (not ``avoid`` if another is open)."""
        while True:
            await self.wait_for(lambda: bool(self._sockets), timeout=60)
            candidates = [s for s in self._sockets if s is not avoid] or list(self._sockets)
            socket = candidates[self._turn % len(candidates)]
            self._turn += 1
            try:
                await socket.send_json(envelope)
            except ConnectionError:
                continue  # closing under us: the next one
            self.deliveries.append(
                (envelope["envelope_id"], self._socket_ids[socket], envelope["retry_attempt"])
            )
            return socket

    async def _redeliver(self, envelope: dict[str, Any], socket: web.WebSocketResponse) -> None:
        envelope_id = envelope["envelope_id"]
        for _ in range(3):  # Slack retries an envelope three times
            expired = self._expired

            def settled(held: web.WebSocketResponse = socket, at: int = expired) -> bool:
                return envelope_id in self.acks or held not in self._sockets or self._expired > at

            async with self._changed:
                try:
                    async with asyncio.timeout(self.ack_timeout):
                        await self._changed.wait_for(settled)
                except TimeoutError:
                    pass
            if envelope_id in self.acks:
                return
            envelope = {
                **envelope,
                "retry_attempt": envelope["retry_attempt"] + 1,
                "retry_reason": "timeout",
            }
            try:
                socket = await self._hand(envelope, avoid=socket)
            except TimeoutError:
                return  # no connection came back: Slack gives the envelope up

    async def acked(self, envelope_id: str) -> Any:
        """Wait for the app's ack of an envelope; returns the ack's payload."""
        await self.wait_for(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    # -- Slack calling the app ------------------------------------------------------------

    def signed_headers(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        retry_num: int | None = None,
    ) -> dict[str, str]:
        stamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": str(stamp),
            "x-slack-signature": signature(secret or self.signing_secret, stamp, body),
        }
        if retry_num is not None:
            headers["x-slack-retry-num"] = str(retry_num)
            headers["x-slack-retry-reason"] = "http_timeout"
        return headers

    async def deliver(
        self,
        client: httpx.AsyncClient,
        payload: dict[str, Any] | str,
        *,
        path: str = "/slack/events",
        timestamp: int | None = None,
        secret: str | None = None,
        retry_num: int | None = None,
    ) -> httpx.Response:
        """Post a payload to the app as Slack does: JSON for events, a form otherwise."""
        if isinstance(payload, str):
            body, content_type = payload.encode(), "application/x-www-form-urlencoded"
        else:
            body, content_type = json.dumps(payload).encode(), "application/json"
        headers = self.signed_headers(
            body, content_type, timestamp=timestamp, secret=secret, retry_num=retry_num
        )
        return await client.post(path, content=body, headers=headers)

    def event_callback(
        self, event: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        """Wrap an event as Slack's Events API does."""
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0FAKE",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    def message_event(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        subtype: str | None = None,
        files: list[dict[str, Any]] | None = None,
        channel_type: str = "channel",
    ) -> dict[str, Any]:
        """A person writes in a channel: the message is kept, and its event returned."""
        ts = self.next_ts()
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": channel_type,
            "team": TEAM_ID,
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        if subtype is not None:
            event["subtype"] = subtype
        if files is not None:
            event["files"] = files
        self.history.setdefault(channel, []).append(
            {"type": "message", "ts": ts, "user": user, "text": text, "thread_ts": thread_ts}
        )
        return event

    def bot_message_event(self, posted: Posted) -> dict[str, Any]:
        """The ``message`` event Slack sends every app for a message the bot posted
        (``subtype: bot_message``, its ``bot_id``, and its metadata when it had some)."""
        event: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "channel": posted.channel,
            "bot_id": BOT_ID,
            "text": posted.text,
            "ts": posted.ts,
            "event_ts": posted.ts,
            "channel_type": "channel",
            "team": TEAM_ID,
        }
        if posted.username is not None:
            event["username"] = posted.username
        if posted.thread_ts is not None:
            event["thread_ts"] = posted.thread_ts
        if posted.metadata is not None:
            event["metadata"] = posted.metadata
        return event

    def edit_event(self, channel: str, user: str, ts: str, text: str) -> dict[str, Any]:
        """A person edits their message ``ts``."""
        old = next(m for m in self.history[channel] if m["ts"] == ts)
        previous = dict(old)
        old["text"] = text
        edit_ts = self.next_ts()
        message = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts,
            "edited": {"user": user, "ts": edit_ts},
        }
        if old.get("thread_ts"):
            message["thread_ts"] = old["thread_ts"]
        return {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "channel_type": "channel",
            "message": message,
            "previous_message": previous,
            "ts": edit_ts,
            "event_ts": edit_ts,
        }

    def slash_payload(self, channel: str, user: str, text: str) -> dict[str, str]:
        """The fields of ``/osoto text`` run by ``user`` (its trigger id is live)."""
        trigger = f"{next(self._ids)}.{TEAM_ID}.trigger"
        self.triggers.add(trigger)
        channel_name = self.channels[channel].name if channel in self.channels else "directmessage"
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": self.users[user].name if user in self.users else user,
            "command": SLASH,
            "text": text,
            "api_app_id": "A0FAKE",
            "response_url": f"http://127.0.0.1:{self._port}/respond/{channel}-{trigger}",
            "trigger_id": trigger,
        }

    def slash_command(self, channel: str, user: str, text: str) -> tuple[str, str]:
        """A person runs ``/osoto text``: the form body, and the trigger id it carries."""
        fields = self.slash_payload(channel, user, text)
        return urlencode(fields), fields["trigger_id"]

    def block_action(
        self, channel: str, user: str, message: Posted, action_id: str, value: str
    ) -> str:
        """A person presses a button of ``message``: the form body Slack posts.

        An answer shown through a response URL has a ts of its own in Slack (the fake
        makes one up), which ``chat.update`` does not know; an ephemeral one is marked.
        """
        message_ts = message.ts or f"{time.time():.6f}"
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": user, "name": user},
            "api_app_id": "A0FAKE",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": message.response_type == "ephemeral",
            },
            "channel": {"id": channel, "name": self.channels[channel].name},
            "message": {"ts": message_ts, "text": message.text, "blocks": list(message.blocks)},
            "trigger_id": f"{next(self._ids)}.{TEAM_ID}.trigger",
            "response_url": f"http://127.0.0.1:{self._port}/respond/{channel}-action",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)})

    async def submit_view(
        self, client: httpx.AsyncClient, user: str, view_id: str, values: dict[str, Any]
    ) -> dict[str, Any] | None:
        """A person submits a modal; like Slack, apply the app's answer to the modal.

        Returns:
            The app's answer (``response_action`` …), or None for a bare 200.
        """
        response = await self.deliver(client, self.view_submission(user, view_id, values))
        if response.status_code != 200:
            raise AssertionError(f"view submission answered {response.status_code}")
        answer = response.json() if response.content else None
        if answer is not None and answer.get("response_action") == "update":
            async with self._changed:
                self._view(answer["view"], view_id)
                self._changed.notify_all()
        elif answer is None or answer.get("response_action") == "clear":
            self.views.pop(view_id, None)
        return answer

    def view_submission(self, user: str, view_id: str, values: dict[str, Any]) -> str:
        """A person submits the modal ``view_id`` with ``values`` (block → action → state)."""
        view = dict(self.views[view_id])
        view["state"] = {"values": values}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID},
            "user": {"id": user, "name": user},
            "api_app_id": "A0FAKE",
            "trigger_id": f"{next(self._ids)}.{TEAM_ID}.trigger",
            "view": view,
        }
        return urlencode({"payload": json.dumps(payload)})


def _blocks_valid(blocks: list[dict[str, Any]]) -> bool:
    """The Block Kit rules the bridge could break: sizes and unique action ids."""
    if len(blocks) > 50:
        return False
    action_ids: set[str] = set()
    for block in blocks:
        if block.get("type") == "section":
            if len(block.get("text", {}).get("text", "")) > 3000:
                return False
        elif block.get("type") == "actions":
            elements = block.get("elements", [])
            if not elements or len(elements) > 25:
                return False
            for element in elements:
                action_id = element.get("action_id")
                if action_id in action_ids or len(element["text"]["text"]) > 75:
                    return False
                action_ids.add(action_id)
        else:
            return False
    return True
