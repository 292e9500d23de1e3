"""A fake Telegram Bot API server on loopback, answering like Telegram does.

python-telegram-bot talks to it over real HTTP (``base_url`` points here): requests
arrive form-encoded with JSON-encoded fields, answers use the ``{"ok", "result"}``
envelope with Telegram's status codes and ``parameters`` (``retry_after``,
``migrate_to_chat_id``). It keeps the chats, their members and topics, every message
the bot sent, and an update list with Telegram's offset semantics: ``getUpdates``
long-polls and an update is dropped only once a later call confirms it, so a client
that dies before confirming sees it again.

Tests play the people (`write`, `edit`, `press`, `kick_bot` …), plan failures
(`fail_next`: 429 with ``retry_after``, 403, 500 …) and read what the bot did
(`calls`, `sent`, `wait_for`). Built with ``limits`` (`fakes.limits.TelegramLimits`)
it also enforces Telegram's flood limits, answering 429 with ``retry_after`` as the
Bot API does; `sent_429` counts every 429 it answered, planned or enforced.

In webhook mode (after ``setWebhook``) updates are pushed to the webhook with the
secret-token header instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
from aiohttp import web

from fakes.limits import TelegramLimits, retry_after

TOKEN = "123456:TEST-token_for-the-fake"
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
    }
)
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)

_BAD_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
_BAD_LT = re.compile(r"<(?!/?[a-zA-Z][a-zA-Z-]*[\s>/])")
MAX_TEXT = 4096
CALLBACK_DATA_MAX = 64


class ApiError(Exception):
    """An error answer: the status, Telegram's description and its parameters."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Parses Bot API HTML as strictly as Telegram: unknown tags and bad nesting fail."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                raise ApiError(400, "Bad Request: can't parse entities: empty href")
            self.links.append(href)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(value: str) -> tuple[str, list[str]]:
    """The visible text of Bot API HTML and its link targets; raises like Telegram."""
    if _BAD_AMP.search(value):
        raise ApiError(400, "Bad Request: can't parse entities: Can't find end of the entity")
    if _BAD_LT.search(value):
        raise ApiError(400, "Bad Request: can't parse entities: Unexpected < character")
    parser = _TelegramHtml()
    parser.feed(value)
    parser.close()
    if parser.stack:
        raise ApiError(400, f"Bad Request: can't parse entities: Unclosed tag {parser.stack[-1]}")
    return "".join(parser.text), parser.links


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    is_forum: bool = False
    user: User | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    topics: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or f"chat {self.id}"
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass(frozen=True)
class Call:
    """One request the bot made: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any]
    times: int


def _admin_json(user: User, *, can_delete: bool = True) -> dict[str, Any]:
    flags = (
        "can_be_edited",
        "is_anonymous",
        "can_manage_chat",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_promote_members",
        "can_change_info",
        "can_invite_users",
        "can_post_stories",
        "can_edit_stories",
        "can_delete_stories",
    )
    data: dict[str, Any] = {"status": "administrator", "user": user.json()}
    data.update({flag: False for flag in flags})
    data["can_manage_chat"] = True
    data["can_delete_messages"] = can_delete
    return data


def member_json(user: User, status: str) -> dict[str, Any]:
    if status == "administrator":
        return _admin_json(user)
    if status == "creator":
        return {"status": "creator", "user": user.json(), "is_anonymous": False}
    if status == "kicked":
        return {"status": "kicked", "user": user.json(), "until_date": 0}
    return {"status": status, "user": user.json()}


class FakeTelegram:
    """The fake Bot API: start it, point python-telegram-bot's ``base_url`` at it.

    Args:
        token: the only bot token it accepts.
        bot_username: the bot's username (``getMe``).
        privacy_mode: whether the bot's privacy mode is on (it then cannot read all
            group messages unless it is an admin).
        limits: Telegram's flood limits to enforce (None: no limits, the default).
    """

    def __init__(
        self,
        *,
        token: str = TOKEN,
        bot_username: str = "osoto_test_bot",
        privacy_mode: bool = False,
        limits: TelegramLimits | None = None,
    ) -> None:
        self.token = token
        self.limits = limits
        self.sent_429 = 0
        self.bot = User(int(token.split(":", 1)[0]), "Osoto Bridge", bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, User] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.calls: list[Call] = []
        # (scope type, language code) → the menu; "default" when no scope was given
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_transport: httpx.AsyncBaseTransport | None = None
        self._updates: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, Iterator[int]] = {}
        self._user_ids = itertools.count(5001)
        self._group_ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self._tick = asyncio.Event()
        self._closing = False
        self.deleted: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.max_poll_timeout = 30.0
        # Opt-in: a getUpdates while another client's is still open answers 409, as
        # Telegram does for two pollers of one bot (counted in `conflicts`). A poll
        # whose client died (its connection closed) does not count.
        self.conflict_on_overlap = False
        self.conflicts = 0
        self._open_polls: list[web.Request] = []

    # -- serving -------------------------------------------------------------------

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        # end open long polls now rather than when their timeout runs out
        self._closing = True
        self._changed()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """The Bot API base URL in python-telegram-bot's sense (the token follows)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        params = await _params(request)
        self.calls.append(Call(method, params))
        self._changed()
        handler = getattr(self, f"_api_{method}", None)
        polling = method == "getUpdates" and self.conflict_on_overlap
        if polling:
            alive = [r for r in self._open_polls if r.transport and not r.transport.is_closing()]
            if alive:
                self.conflicts += 1
                return _answer(
                    409,
                    {"ok": False, "error_code": 409,
                     "description": "Conflict: terminated by other getUpdates request"},
                )  # fmt: skip
            self._open_polls.append(request)
        try:
            return await self._answer_call(method, handler, params)
        finally:
            if polling:
                self._open_polls.remove(request)
            # waiters look again once the call's effects (a message, a deletion) exist
            self._changed()

    async def _answer_call(
        self, method: str, handler: Callable[..., Any] | None, params: dict[str, Any]
    ) -> web.Response:
        try:
            self._planned_failure(method)
            self._enforce_limits(method, params)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            if exc.status == 429:
                self.sent_429 += 1
            return _answer(exc.status, body)
        return _answer(200, {"ok": True, "result": result})

    def _planned_failure(self, method: str) -> None:
        planned = self._failures.get(method)
        if not planned:
            return
        failure = planned[0]
        failure.times -= 1
        if failure.times <= 0:
            planned.pop(0)
        raise ApiError(failure.status, failure.description, **failure.parameters)

    def _enforce_limits(self, method: str, params: dict[str, Any]) -> None:
        if self.limits is None:
            return
        wait = self.limits.check(method, params.get("chat_id"))
        if wait > 0:
            seconds = retry_after(wait)
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    # -- what tests set up -----------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error."""
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        text = description or {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was kicked from the group chat",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(status, "Bad Request")
        self._failures.setdefault(method, []).append(_Failure(status, text, parameters, times))

    def user(self, name: str, *, username: str | None = None, language: str | None = None) -> User:
        user = User(next(self._user_ids), name, username, language)
        self.users[user.id] = user
        return user

    def group(
        self,
        title: str = "Trip group",
        *,
        supergroup: bool = True,
        forum: bool = False,
        admins: tuple[User, ...] = (),
        members: tuple[User, ...] = (),
        bot_admin: bool = False,
    ) -> Chat:
        number = next(self._group_ids)
        chat_id = -(1_000_000_000_000 + number) if supergroup else -number
        chat = Chat(chat_id, "supergroup" if supergroup else "group", title, is_forum=forum)
        for admin in admins:
            chat.members[admin.id] = "administrator"
        for member in members:
            chat.members[member.id] = "member"
        chat.bot_status = "administrator" if bot_admin else "member"
        self.chats[chat_id] = chat
        return chat

    def private(self, user: User) -> Chat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, "private", user=user, members={user.id: "member"})
            self.chats[user.id] = chat
        return chat

    def topic(self, chat: Chat, name: str, *, creator: User | None = None) -> int:
        """Open a forum topic; Telegram's "topic created" service message comes too."""
        creator = creator or self.bot
        message = self._new_message(chat, creator, message_thread_id=None)
        message["forum_topic_created"] = {"name": name, "icon_color": 7322096}
        thread_id = message["message_id"]
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
        chat.topics[thread_id] = name
        self._push({"message": message})
        return thread_id

    # -- playing the people ------------------------------------------------------------

    def write(
        self,
        chat: Chat,
        user: User,
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """``user`` writes ``text`` in ``chat``; returns the message (its update is queued)."""
        message = self._new_message(chat, user, reply_to=reply_to, message_thread_id=thread_id)
        message["text"] = text
        found = entities if entities is not None else _command_entities(text)
        if found:
            message["entities"] = found
        self._push({"message": message})
        return message

    def post(
        self,
        chat: Chat,
        user: User,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """``user`` posts a message with arbitrary fields (photo, location, poll …)."""
        message = self._new_message(chat, user, reply_to=reply_to, message_thread_id=thread_id)
        message.update(fields)
        self._push({"message": message})
        return message

    def edit(self, chat: Chat, message_id: int, text: str) -> dict[str, Any]:
        """The author edits a message; Telegram sends an ``edited_message`` update."""
        message = dict(self.messages[(chat.id, message_id)])
        message["text"] = text
        message["edit_date"] = int(time.time()) + len(self._updates) + 1
        self.messages[(chat.id, message_id)] = message
        self._push({"edited_message": message})
        return message

    def press(self, chat: Chat, user: User, message_id: int, data: str) -> str:
        """``user`` presses a button under the bot's message; returns the query id."""
        message = self.messages[(chat.id, message_id)]
        query_id = f"cq{next(self._update_ids)}"
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.json(),
                    "message": message,
                    "chat_instance": str(chat.id),
                    "data": data,
                }
            }
        )
        return query_id

    def kick_bot(self, chat: Chat, by: User) -> None:
        """``by`` removes the bot: sends fail with 403 and a my_chat_member update comes."""
        self._bot_status(chat, by, "kicked")

    def add_bot(self, chat: Chat, by: User, *, admin: bool = False) -> None:
        """``by`` adds the bot back."""
        self._bot_status(chat, by, "administrator" if admin else "member")

    def migrate(self, chat: Chat) -> Chat:
        """Upgrade a basic group to a supergroup: a new chat id, service messages in both."""
        new = self.group(chat.title or "", supergroup=True)
        new.members = dict(chat.members)
        new.bot_status = chat.bot_status
        chat.migrated_to = new.id
        creator = next((self.users[uid] for uid in chat.members if uid in self.users), self.bot)
        old_note = self._new_message(chat, creator)
        old_note["migrate_to_chat_id"] = new.id
        self._push({"message": old_note})
        new_note = self._new_message(new, creator)
        new_note["migrate_from_chat_id"] = chat.id
        self._push({"message": new_note})
        return new

    def _bot_status(self, chat: Chat, by: User, status: str) -> None:
        old = chat.bot_status
        chat.bot_status = status
        self._push(
            {
                "my_chat_member": {
                    "chat": chat.json(),
                    "from": by.json(),
                    "date": int(time.time()),
                    "old_chat_member": member_json(self.bot, old),
                    "new_chat_member": member_json(self.bot, status),
                }
            }
        )

    def _new_message(
        self,
        chat: Chat,
        author: User,
        *,
        reply_to: int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        ids = self._message_ids.setdefault(chat.id, itertools.count(1))
        message: dict[str, Any] = {
            "message_id": next(ids),
            "date": int(time.time()),
            "chat": chat.json(),
            "from": author.json(),
        }
        if message_thread_id is not None and chat.is_forum:
            if message_thread_id not in chat.topics:
                raise ApiError(400, "Bad Request: message thread not found")
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
            if reply_to is None:
                # Telegram's quirk: a topic message "replies" to the topic's opening.
                reply_to = message_thread_id
        if reply_to is not None:
            parent = self.messages.get((chat.id, reply_to))
            if parent is None:
                raise ApiError(400, "Bad Request: message to be replied not found")
            message["reply_to_message"] = {
                k: v for k, v in parent.items() if k != "reply_to_message"
            }
            if not chat.is_forum and chat.type == "supergroup":
                message["message_thread_id"] = parent.get("message_thread_id", reply_to)
        self.messages[(chat.id, message["message_id"])] = message
        return message

    def _push(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self.history.append(update)
        self._changed()

    def redeliver(self) -> None:
        """Queue every update ever sent again, as after a crash before confirming."""
        pending = {u["update_id"] for u in self._updates}
        self._updates = sorted(
            [*self._updates, *(u for u in self.history if u["update_id"] not in pending)],
            key=lambda u: int(u["update_id"]),
        )
        self._changed()

    def lose_updates(self) -> None:
        """Drop every pending update (as if they had gone to an earlier client)."""
        self._updates.clear()
        self._changed()

    def _changed(self) -> None:
        """Wake every waiter (each waits on the event current when it looked)."""
        self._tick.set()
        self._tick = asyncio.Event()

    async def _until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._tick.wait()

    # -- what tests read -----------------------------------------------------------------

    def sent(self, chat: Chat | int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (and did not delete), oldest first."""
        chat_id = chat.id if isinstance(chat, Chat) else chat
        return [
            message
            for (cid, _), message in sorted(self.messages.items())
            if message["from"]["id"] == self.bot.id
            and "text" in message
            and (chat_id is None or cid == chat_id)
        ]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        return len(self._updates)

    async def wait_for(self, predicate: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until ``predicate()`` holds; re-checked whenever the bot calls the API."""
        async with asyncio.timeout(within):
            await self._until(predicate)

    # -- the Bot API methods ------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot.json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", 100))
        timeout = min(float(params.get("timeout", 0)), self.max_poll_timeout)
        if offset > 0:
            confirmed = [u for u in self._updates if u["update_id"] < offset]
            if confirmed:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._changed()
        if not self._updates and timeout > 0:
            try:
                async with asyncio.timeout(timeout):
                    await self._until(lambda: bool(self._updates) or self._closing)
            except TimeoutError:
                return []
        return self._updates[:limit]

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params["url"])
        self.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates") in (True, "true"):
            self._updates.clear()
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope")
        if isinstance(scope, str):  # form-encoded requests carry the scope as JSON
            scope = json.loads(scope)
        scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
        if scope_type not in _COMMAND_SCOPES:
            raise ApiError(400, "Bad Request: wrong scope type")
        self.commands[(scope_type, str(params.get("language_code", "")))] = commands
        return True

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        user_id = int(params["user_id"])
        if user_id == self.bot.id:
            return member_json(self.bot, chat.bot_status)
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        return member_json(user, chat.members.get(user_id, "left"))

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        return {**chat.json(), "accent_color_id": 0, "max_reaction_count": 11}

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params)
        raw = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            shown, _ = parse_html(raw)
        else:
            shown = raw
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(shown) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        _check_markup(markup)
        reply_to: int | None = None
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target = int(reply["message_id"])
            if (chat.id, target) in self.messages:
                reply_to = target
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        thread = params.get("message_thread_id")
        thread_id = int(thread) if thread is not None else None
        if thread_id is not None and chat.is_forum and thread_id not in chat.topics:
            raise ApiError(400, "Bad Request: message thread not found")
        message = self._new_message(chat, self.bot, reply_to=reply_to, message_thread_id=thread_id)
        message["text"] = shown
        message["html"] = raw  # not Telegram's: lets tests check the markup sent
        if markup:
            message["reply_markup"] = markup
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._writable_chat(params)
        key = (chat.id, int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        raw = str(params.get("text", ""))
        shown = parse_html(raw)[0] if params.get("parse_mode") == "HTML" else raw
        message = {**message, "text": shown, "html": raw, "edit_date": int(time.time())}
        markup = params.get("reply_markup")
        _check_markup(markup)
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        self.messages[key] = message
        return message

    async def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        key = (chat.id, int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        own = message["from"]["id"] == self.bot.id
        if chat.type != "private" and not own and chat.bot_status != "administrator":
            raise ApiError(400, "Bad Request: message can't be deleted")
        message = {**message, "deleted": True}
        del self.messages[key]
        self.deleted.append(message)
        return True

    def _chat(self, params: dict[str, Any]) -> Chat:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat_id is empty") from exc
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _writable_chat(self, params: dict[str, Any]) -> Chat:
        chat = self._chat(params)
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=chat.migrated_to,
            )
        if chat.bot_status in ("kicked", "left"):
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat

    # -- webhook delivery -----------------------------------------------------------------

    async def push_webhook(self, *, secret: str | None = None) -> list[int]:
        """Deliver pending updates to the webhook, in order, as Telegram would.

        An update is dropped once the webhook answers 2xx; on any other answer
        delivery stops there (Telegram retries it later). ``secret`` overrides the
        secret-token header (None sends the registered one; "" sends none).

        Returns:
            The HTTP status of each delivery attempt.
        """
        if not self.webhook_url:
            raise RuntimeError("no webhook is set")
        header = self.webhook_secret if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
        statuses: list[int] = []
        async with httpx.AsyncClient(transport=self.webhook_transport) as client:
            while self._updates:
                update = self._updates[0]
                response = await client.post(self.webhook_url, json=update, headers=headers)
                statuses.append(response.status_code)
                if not response.is_success:
                    break
                self._updates.pop(0)
                self._changed()
        return statuses


def _command_entities(text: str) -> list[dict[str, Any]]:
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def _check_markup(markup: Any) -> None:
    if not markup:
        return
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_MAX:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if data is None and "url" not in button:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    if request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if not isinstance(value, str):
                continue
            params[name] = json.loads(value) if name in JSON_FIELDS else value
    for name, value in list(params.items()):
        if value in ("true", "false"):
            params[name] = value == "true"
    return params


def _answer(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status)
