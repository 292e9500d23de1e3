"""Channels and messages: the bridge's hot path."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from osoto_bridge.sandbox import messaging, trips
from osoto_bridge.sandbox.context import Context
from osoto_bridge.sandbox.docmodels import Channel, Message, MessagePage, Page, doc
from osoto_bridge.sandbox.errors import not_found
from osoto_bridge.sandbox.models import MessageCreate
from osoto_bridge.sandbox.routes.common import (
    AUTH_ERRORS,
    WRITE_ERRORS,
    Cursor,
    ListLimit,
    MessageLimit,
    caller,
    errors,
    json_response,
    scope_first,
)
from osoto_bridge.sandbox.wire import page_json


def router(ctx: Context) -> APIRouter:
    """Build the message routes over the sandbox's state."""
    api = APIRouter()

    @api.get(
        "/trips/{tripId}/channels",
        response_model=None,
        responses={200: doc(Page[Channel], "The trip's channels"), **errors(*AUTH_ERRORS)},
    )
    async def list_channels(
        request: Request, tripId: str, limit: ListLimit = 100, cursor: Cursor = None
    ) -> Response:
        """List the trip's channels."""
        trips.require_trip(ctx, caller(request), tripId, "messages:read")
        items, next_cursor, more = messaging.list_channels(ctx, tripId, limit, cursor)
        return json_response(page_json(items, next_cursor, more))

    @api.get(
        "/trips/{tripId}/channels/{channelId}/messages",
        response_model=None,
        responses={
            200: doc(MessagePage, "Messages oldest first; nextCursor resumes after the last"),
            **errors(*AUTH_ERRORS),
        },
    )
    async def list_messages(
        request: Request,
        tripId: str,
        channelId: str,
        limit: MessageLimit = 50,
        cursor: Cursor = None,
    ) -> Response:
        """List a channel's messages, oldest first."""
        trips.require_trip(ctx, caller(request), tripId, "messages:read")
        if not messaging.channel_exists(ctx, tripId, channelId):
            raise not_found(f"channel {channelId}")
        return json_response(messaging.list_messages(ctx, channelId, limit, cursor))

    @api.post(
        "/trips/{tripId}/channels/{channelId}/messages",
        status_code=201,
        response_model=None,
        responses={201: doc(Message, "The posted message"), **errors(*WRITE_ERRORS)},
        dependencies=[scope_first("messages:write")],
    )
    async def post_message(
        request: Request, tripId: str, channelId: str, body: MessageCreate
    ) -> Response:
        """Send a message to a channel."""
        principal = caller(request)
        trips.require_trip(ctx, principal, tripId, "messages:write")
        message = messaging.post_message(
            ctx, tripId, channelId, principal.user_id, body.content, body.parentId
        )
        return json_response(message, 201)

    return api
