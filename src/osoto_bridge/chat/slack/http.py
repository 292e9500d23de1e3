"""Slack's HTTP events as an ASGI route, for the bridge's one HTTP server to mount.

Slack posts events, slash commands, button presses and form submissions to one
request URL (``/slack/events`` by default). The route hands each request to the
adapter, which checks its signature through bolt; before the adapter has started
(or after it stopped) it answers 503, and Slack delivers the event again later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

if TYPE_CHECKING:
    from osoto_bridge.chat.slack.adapter import SlackChat

__all__ = ["EVENTS_PATH", "slack_events_app", "slack_events_route"]

EVENTS_PATH = "/slack/events"


def slack_events_route(chat: SlackChat, path: str = EVENTS_PATH) -> Route:
    """The route Slack's request URL points at."""

    async def endpoint(request: Request) -> Response:
        return await chat.handle_http(request)

    return Route(path, endpoint, methods=["POST"], name="slack_events")


def slack_events_app(chat: SlackChat, path: str = EVENTS_PATH) -> Starlette:
    """A standalone ASGI app with only the Slack route (for tests and small setups)."""
    return Starlette(routes=[slack_events_route(chat, path)])
