"""Socket Mode: Slack's events over a WebSocket the bridge opens itself.

No public URL is needed, which makes self-hosting easy: Slack hands out a
WebSocket address (``apps.connections.open`` with the app-level token) and pushes
the same payloads it would post over HTTP. The SDK's aiohttp client keeps the
connection (pings, reconnects) and hands each envelope to bolt; an envelope bolt
fails on is not acknowledged, so Slack delivers it again.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["SocketModeConnection"]

logger = logging.getLogger(__name__)


class SocketModeConnection:
    """One Socket Mode connection for a bolt app.

    Args:
        app: The bolt app that handles the envelopes.
        app_token: The app-level token (``xapp-…``, scope ``connections:write``).
        client: A client with the Web API base URL (``apps.connections.open``).
    """

    def __init__(self, app: AsyncApp, app_token: str, client: AsyncWebClient) -> None:
        self._handler = AsyncSocketModeHandler(
            app, app_token, logger=logging.getLogger(__name__ + ".sdk"), web_client=client
        )

    async def connect(self) -> None:
        await self._handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("connected to Slack in Socket Mode")

    async def close(self) -> None:
        await self._handler.close_async()  # type: ignore[no-untyped-call]
