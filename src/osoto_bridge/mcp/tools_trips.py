"""Tools over the account and its trips: me, trips, export, sync, members, sharing."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from osoto_bridge.mcp.errors import BadArgument
from osoto_bridge.mcp.schemas import (
    ActionItemFields,
    Args,
    LegFields,
    MapPinFields,
    NoArgs,
    TripArgs,
    WriteArgs,
)
from osoto_bridge.mcp.toolkit import Ok, ToolContext, ToolSpec, list_output
from osoto_bridge.osoto import (
    Me,
    Member,
    SharedTrip,
    ShareToken,
    SyncResult,
    Trip,
    TripExport,
)

__all__ = ["TRIP_TOOLS"]

_NOTHING = "give at least one field to change"


class CreateTripArgs(WriteArgs):
    """A new trip."""

    title: str = Field(min_length=1, description="The trip's title.")
    start_date: dt.date = Field(description="First day, YYYY-MM-DD.")
    end_date: dt.date = Field(description="Last day, YYYY-MM-DD.")
    group_id: str | None = Field(
        None, description="The group to create it in; your default group (see me) if left out."
    )


class UpdateTripArgs(TripArgs, WriteArgs):
    """The trip fields to change."""

    title: str | None = Field(None, min_length=1, description="New title.")
    start_date: dt.date | None = Field(None, description="New first day, YYYY-MM-DD.")
    end_date: dt.date | None = Field(None, description="New last day, YYYY-MM-DD.")
    status: Literal["draft", "active", "completed"] | None = Field(None, description="New status.")


class TripWriteArgs(TripArgs, WriteArgs):
    """A trip to change."""


class SyncArgs(TripArgs, WriteArgs):
    """A snapshot to import into a trip."""

    legs: list[LegFields] | None = Field(None, description="Legs to merge (by clientRef) or add.")  # type: ignore[valid-type]
    action_items: list[ActionItemFields] | None = Field(  # type: ignore[valid-type]
        None, description="Checklist items to merge (by clientRef) or add."
    )
    map_pins: list[MapPinFields] | None = Field(  # type: ignore[valid-type]
        None, description="Map pins to merge (by clientRef) or add."
    )
    dry_run: bool = Field(False, description="True: only say what would change; write nothing.")


class ShareArgs(Args):
    """A share token (it reads the trip's safe view without any key)."""

    token: str = Field(min_length=1, description="The share token (see create_share_token).")


async def _me(ctx: ToolContext, _args: NoArgs, _key: str | None) -> Me:
    return await ctx.client.me()


async def _list_trips(ctx: ToolContext, _args: NoArgs, _key: str | None) -> list[Trip]:
    return await ctx.client.list_trips()


async def _get_trip(ctx: ToolContext, args: TripArgs, _key: str | None) -> Trip:
    return await ctx.client.get_trip(args.trip_id)


async def _create_trip(ctx: ToolContext, args: CreateTripArgs, key: str | None) -> Trip:
    group_id = args.group_id
    if group_id is None:
        me = await ctx.client.me()
        group_id = me.default_group_id or (me.groups[0].id if me.groups else None)
        if group_id is None:
            raise BadArgument("groupId", "you belong to no group; pass the group's id")
    return await ctx.client.create_trip(
        group_id=group_id,
        title=args.title,
        start_date=args.start_date,
        end_date=args.end_date,
        idempotency_key=key,
    )


async def _update_trip(ctx: ToolContext, args: UpdateTripArgs, key: str | None) -> Trip:
    fields = args.model_dump(exclude_none=True, exclude={"trip_id", "idempotency_key"})
    if not fields:
        raise BadArgument("(arguments)", _NOTHING)
    return await ctx.client.update_trip(args.trip_id, idempotency_key=key, **fields)


async def _archive_trip(ctx: ToolContext, args: TripWriteArgs, key: str | None) -> Trip | Ok:
    trip = await ctx.client.archive_trip(args.trip_id, idempotency_key=key)
    return trip if trip is not None else Ok(ok=True)


async def _export_trip(ctx: ToolContext, args: TripArgs, _key: str | None) -> TripExport:
    return await ctx.client.export_trip(args.trip_id)


async def _sync_trip(ctx: ToolContext, args: SyncArgs, key: str | None) -> SyncResult:
    def items(values: list[Args] | None) -> list[dict[str, object]] | None:
        return None if values is None else [v.model_dump(exclude_none=True) for v in values]

    return await ctx.client.sync_trip(
        args.trip_id,
        legs=items(args.legs),
        action_items=items(args.action_items),
        map_pins=items(args.map_pins),
        dry_run=args.dry_run,
        idempotency_key=key,
    )


async def _list_members(ctx: ToolContext, args: TripArgs, _key: str | None) -> list[Member]:
    return await ctx.client.list_members(args.trip_id)


async def _create_share(ctx: ToolContext, args: TripWriteArgs, key: str | None) -> ShareToken:
    return await ctx.client.create_share_token(args.trip_id, idempotency_key=key)


async def _revoke_share(ctx: ToolContext, args: TripWriteArgs, key: str | None) -> Ok:
    await ctx.client.revoke_share_token(args.trip_id, idempotency_key=key)
    return Ok(ok=True)


async def _shared_trip(ctx: ToolContext, args: ShareArgs, _key: str | None) -> SharedTrip:
    async with ctx.shared(args.token) as shared:
        return await shared.get()


async def _shared_export(ctx: ToolContext, args: ShareArgs, _key: str | None) -> TripExport:
    async with ctx.shared(args.token) as shared:
        return await shared.export()


TRIP_TOOLS = (
    ToolSpec(
        "me",
        "Who the API key belongs to, their groups and the default group id; call it first.",
        NoArgs,
        _me,
        Me,
    ),
    ToolSpec(
        "list_trips", "List every trip the key may read.", NoArgs, _list_trips, list_output(Trip)
    ),
    ToolSpec("get_trip", "Get one trip's title, dates and status.", TripArgs, _get_trip, Trip),
    ToolSpec(
        "create_trip",
        "Create a trip (title, startDate, endDate) in your default group or a given groupId.",
        CreateTripArgs,
        _create_trip,
        Trip,
        keys="derived",
    ),
    ToolSpec(
        "update_trip",
        "Change a trip's title, startDate, endDate or status (draft, active, completed).",
        UpdateTripArgs,
        _update_trip,
        Trip,
        keys="fresh",
    ),
    ToolSpec(
        "archive_trip",
        "Archive a trip: its status becomes completed (nothing is deleted).",
        TripWriteArgs,
        _archive_trip,
        None,
        keys="fresh",
        destructive=True,
    ),
    ToolSpec(
        "export_trip",
        "Get the whole trip in one read: trip, legs, map pins, checklist, commitments, members.",
        TripArgs,
        _export_trip,
        TripExport,
    ),
    ToolSpec(
        "sync_trip",
        "Import legs, actionItems and mapPins at once: rows with a known clientRef are merged, "
        "the rest created; dryRun=true previews the change set without writing.",
        SyncArgs,
        _sync_trip,
        SyncResult,
        keys="derived",
    ),
    ToolSpec(
        "list_members",
        "List a trip's members with their roles and contact details.",
        TripArgs,
        _list_members,
        list_output(Member),
    ),
    ToolSpec(
        "create_share_token",
        "Create a share token that lets anyone read the trip's safe view (no secrets in it).",
        TripWriteArgs,
        _create_share,
        ShareToken,
        keys="fresh",
    ),
    ToolSpec(
        "revoke_share_token",
        "Revoke the trip's share token, so its share view stops working.",
        TripWriteArgs,
        _revoke_share,
        Ok,
        keys="fresh",
        destructive=True,
    ),
    ToolSpec(
        "get_shared_trip",
        "Read a shared trip and its legs by share token (the safe view, no key needed).",
        ShareArgs,
        _shared_trip,
        SharedTrip,
    ),
    ToolSpec(
        "get_shared_export",
        "Read a shared trip's whole snapshot by share token (the safe view, no key needed).",
        ShareArgs,
        _shared_export,
        TripExport,
    ),
)
