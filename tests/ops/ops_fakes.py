"""Tiny stand-ins for the chat platforms' APIs, just what `doctor` asks of them.

Telegram's Bot API answers ``getMe`` and ``getWebhookInfo`` under ``/bot<token>/``;
Slack's Web API answers ``auth.test`` with the token's scopes in ``X-OAuth-Scopes``,
as Slack does. Both are served on loopback by the bridge's own `WebServer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Shaped like real credentials (so the log redaction's patterns meet real shapes),
# and plainly fake.
TELEGRAM_TOKEN = "7000000001:TEST_fake-token-for-the-ops-suite_0000"
SLACK_BOT_TOKEN = "xoxb-test-0000-fake-bot-token-for-the-ops-suite"
SLACK_APP_TOKEN = "xapp-test-0000-fake-app-token-for-the-ops-suite"
SLACK_SIGNING_SECRET = "fake-signing-secret-of-the-ops-suite"
SLACK_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "chat:write.customize",
    "commands",
    "groups:history",
    "groups:read",
    "users:read",
)


@dataclass
class FakeBotApi:
    """The Bot API of one bot."""

    token: str = TELEGRAM_TOKEN
    username: str = "osoto_trip_bot"
    privacy_mode: bool = False
    webhook_url: str = ""
    webhook_error: str | None = None
    calls: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def method(request: Request) -> Response:
            name = request.path_params["method"]
            self.calls.append(name)
            if request.path_params["token"] != self.token:
                return JSONResponse(
                    {"ok": False, "error_code": 401, "description": "Unauthorized"},
                    status_code=401,
                )
            if name == "getMe":
                result: dict[str, object] = {
                    "id": int(self.token.split(":")[0]),
                    "is_bot": True,
                    "first_name": "Osoto",
                    "username": self.username,
                    "can_join_groups": True,
                    "can_read_all_group_messages": not self.privacy_mode,
                }
            elif name == "getWebhookInfo":
                result = {"url": self.webhook_url, "pending_update_count": 0}
                if self.webhook_error:
                    result["last_error_message"] = self.webhook_error
            else:
                return JSONResponse(
                    {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
                )
            return JSONResponse({"ok": True, "result": result})

        return Starlette(routes=[Route("/bot{token}/{method}", method, methods=["GET", "POST"])])


@dataclass
class FakeSlackApi:
    """Slack's Web API for one bot token."""

    token: str = SLACK_BOT_TOKEN
    scopes: tuple[str, ...] = SLACK_SCOPES
    list_scopes: bool = True
    calls: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def method(request: Request) -> Response:
            name = request.path_params["method"]
            self.calls.append(name)
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return JSONResponse({"ok": False, "error": "invalid_auth"})
            if name != "auth.test":
                return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)
            headers = {"X-OAuth-Scopes": ",".join(self.scopes)} if self.list_scopes else {}
            return JSONResponse(
                {
                    "ok": True,
                    "team": "Summer crew",
                    "user": "osoto",
                    "team_id": "T0001",
                    "user_id": "U0BOT",
                    "bot_id": "B0BOT",
                },
                headers=headers,
            )

        return Starlette(routes=[Route("/api/{method}", method, methods=["GET", "POST"])])
