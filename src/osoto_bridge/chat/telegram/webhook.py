"""Webhook mode: the route Telegram posts updates to, for the bridge's HTTP server.

Telegram proves a request is its own with the ``X-Telegram-Bot-Api-Secret-Token``
header, set to the ``secret_token`` given to ``setWebhook``. The secret is derived
from the bot token (an HMAC), so every replica behind a load balancer agrees on it
without one more setting, and it reveals nothing about the token. A request without
the right secret is refused with 403 before its body is read.

An update is handled before the answer goes back, so Telegram redelivers whatever a
crash interrupted; the adapter's dedupe drops the repeats.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from osoto_bridge.chat.telegram.adapter import TelegramChat

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"


def webhook_secret(token: str) -> str:
    """The ``secret_token`` for a bot token (64 characters of ``[0-9a-f]``)."""
    return hmac.new(token.encode(), b"osoto-bridge telegram webhook", hashlib.sha256).hexdigest()


def webhook_path(webhook_url: str | None) -> str:
    """The path the route answers on: the public URL's path, or a default."""
    if not webhook_url:
        return DEFAULT_PATH
    return urlsplit(webhook_url).path or DEFAULT_PATH


def webhook_route(chat: TelegramChat, path: str | None = None) -> Route:
    """A Starlette route that feeds Telegram's webhook posts to ``chat``.

    Args:
        chat: the adapter, started in webhook mode.
        path: where to answer; by default the path of the adapter's webhook URL.
    """

    async def endpoint(request: Request) -> Response:
        expected = chat.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            logger.warning("refused a Telegram webhook call without the right secret token")
            return PlainTextResponse("forbidden", status_code=403)
        if not chat.running:
            return PlainTextResponse("not ready", status_code=503)
        try:
            data: Any = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("bad update", status_code=400)
        if not isinstance(data, dict):
            return PlainTextResponse("bad update", status_code=400)
        try:
            await chat.handle_update_data(data)
        except (TypeError, ValueError, KeyError):
            # Unreadable for this python-telegram-bot (Bot API skew): answering an
            # error would make Telegram retry it forever and hold back the rest.
            logger.exception("ignored a Telegram update that could not be read")
            return PlainTextResponse("ignored")
        return PlainTextResponse("ok")

    return Route(path or webhook_path(chat.webhook_url), endpoint, methods=["POST"])


def webhook_app(chat: TelegramChat, path: str | None = None) -> Starlette:
    """A small ASGI app serving only the webhook route (for tests and standalone use)."""
    return Starlette(routes=[webhook_route(chat, path)])
