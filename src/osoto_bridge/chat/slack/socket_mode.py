"""Socket Mode: Slack's events over a WebSocket the bridge opens itself.

No public URL is needed, which makes self-hosting easy: Slack hands out a
WebSocket address (``apps.connections.open`` with the app-level token) and pushes
the same payloads it would post over HTTP. The SDK's aiohttp client keeps the
connection (pings, reconnects) and hands each envelope to bolt. An envelope is
acknowledged only after bolt handled it, and only while the adapter takes events
in (``gate``); one left unacknowledged is delivered again by Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from osoto_bridge.chat.base import ChatUnavailable

__all__ = ["SocketModeConnection"]

logger = logging.getLogger(__name__)

Gate = Callable[[], AbstractAsyncContextManager[object]]


class _GatedHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, passing envelopes on only through the gate."""

    def __init__(self, app: AsyncApp, app_token: str, client: AsyncWebClient, gate: Gate) -> None:
        super().__init__(
            app, app_token, logger=logging.getLogger(__name__ + ".sdk"), web_client=client
        )
        self._gate = gate

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        try:
            async with self._gate():
                # bolt's own handler narrows the client type the same way
                await super().handle(client, req)  # type: ignore[arg-type]
        except ChatUnavailable:
            # A refusal, never silent: Slack redelivers an unacknowledged envelope.
            logger.warning(
                "Socket Mode envelope %s refused (the adapter is not running): left for "
                "Slack to redeliver",
                req.envelope_id,
            )


class SocketModeConnection:
    """One Socket Mode connection for a bolt app.

    Args:
        app: The bolt app that handles the envelopes.
        app_token: The app-level token (``xapp-…``, scope ``connections:write``).
        client: A client with the Web API base URL (``apps.connections.open``).
        gate: Entered around each envelope; raises `ChatUnavailable` when the
            adapter takes no events in.
    """

    def __init__(self, app: AsyncApp, app_token: str, client: AsyncWebClient, gate: Gate) -> None:
        self._handler = _GatedHandler(app, app_token, client, gate)

    async def connect(self) -> None:
        await self._handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("connected to Slack in Socket Mode")

    async def close(self) -> None:
        await self._handler.close_async()  # type: ignore[no-untyped-call]
