"""Tools over a trip's message channels: list channels, read a channel, post, reply."""

from __future__ import annotations

from pydantic import Field

from osoto_bridge.mcp.schemas import TripArgs, WriteArgs
from osoto_bridge.mcp.toolkit import ToolContext, ToolSpec, list_output
from osoto_bridge.osoto import Channel, Message, NotFound, Page

__all__ = ["MESSAGE_TOOLS"]

_CHANNEL = "The channel's id (see list_channels); the trip's general channel if left out."


class ReadChannelArgs(TripArgs):
    """A page of a channel's messages."""

    channel_id: str | None = Field(None, min_length=1, description=_CHANNEL)
    limit: int | None = Field(None, ge=1, le=100, description="Messages per page (default 50).")
    cursor: str | None = Field(
        None, description="nextCursor of an earlier page: only messages after it."
    )


class PostArgs(TripArgs, WriteArgs):
    """A message to post."""

    content: str = Field(min_length=1, max_length=8000, description="The message (Markdown).")
    channel_id: str | None = Field(None, min_length=1, description=_CHANNEL)


class ReplyArgs(PostArgs):
    """A reply to a message."""

    parent_id: str = Field(min_length=1, description="The id of the message replied to.")


async def _channel(ctx: ToolContext, trip_id: str, channel_id: str | None) -> str:
    if channel_id is not None:
        return channel_id
    channels = await ctx.client.list_channels(trip_id)
    general = next((c for c in channels if c.name == "general"), None)
    if general is None:
        raise NotFound(404, "NOT_FOUND", f"trip {trip_id} has no general channel; pass channelId")
    return general.id


async def _list_channels(ctx: ToolContext, args: TripArgs, _key: str | None) -> list[Channel]:
    return await ctx.client.list_channels(args.trip_id)


async def _list_messages(
    ctx: ToolContext, args: ReadChannelArgs, _key: str | None
) -> Page[Message]:
    channel = await _channel(ctx, args.trip_id, args.channel_id)
    return await ctx.client.list_messages(
        args.trip_id, channel, cursor=args.cursor, limit=args.limit
    )


async def _post(ctx: ToolContext, args: PostArgs, key: str | None) -> Message:
    channel = await _channel(ctx, args.trip_id, args.channel_id)
    parent = args.parent_id if isinstance(args, ReplyArgs) else None
    return await ctx.client.post_message(
        args.trip_id, channel, args.content, parent, idempotency_key=key
    )


MESSAGE_TOOLS = (
    ToolSpec(
        "list_channels",
        "List a trip's message channels (every trip has a general one).",
        TripArgs,
        _list_channels,
        list_output(Channel),
    ),
    ToolSpec(
        "list_messages",
        "Read a channel's messages, oldest first; pass the answer's nextCursor later to get "
        "only newer ones.",
        ReadChannelArgs,
        _list_messages,
        Page[Message],
    ),
    ToolSpec(
        "post_message",
        "Post a message to a trip channel (general unless channelId is given).",
        PostArgs,
        _post,
        Message,
        keys="derived",
    ),
    ToolSpec(
        "reply_to_message",
        "Reply to a message (parentId) in a trip channel, as a thread reply.",
        ReplyArgs,
        _post,
        Message,
        keys="derived",
    ),
)
