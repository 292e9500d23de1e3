"""Tools over a trip's content: legs (with their stays), checklist, map pins, commitments.

Each kind gets the same five tools the API has for it: list (one page), create,
batch upsert (not commitments: the API has no batch for them), update and delete.
The argument models come from the client's wire models (see `schemas`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel, Field, create_model

from osoto_bridge.mcp.errors import BadArgument
from osoto_bridge.mcp.schemas import (
    ActionItemFields,
    Args,
    CommitmentFields,
    LegFields,
    MapPinFields,
    TripArgs,
    WriteArgs,
    derive_fields,
)
from osoto_bridge.mcp.toolkit import Ok, ToolContext, ToolSpec
from osoto_bridge.osoto import (
    ActionItem,
    BatchResult,
    Commitment,
    Leg,
    MapPin,
    OsotoClient,
    Page,
)

__all__ = ["CONTENT_TOOLS"]

_EXCLUDE = {"trip_id", "idempotency_key", "item_id"}


class PageArgs(TripArgs):
    """A page of a trip's list."""

    limit: int | None = Field(None, ge=1, le=200, description="Rows per page (default 100).")
    cursor: str | None = Field(None, description="nextCursor of the previous page.")


@dataclass(frozen=True)
class _Kind:
    """One kind of trip content and the client calls that reach it."""

    name: str  # leg
    plural: str  # legs
    label: str  # how the descriptions name it
    model: type[BaseModel]
    fields: type[Args]
    required: frozenset[str]
    list: Callable[[OsotoClient, str, int | None, str | None], Awaitable[Page[Any]]]
    create: Callable[..., Awaitable[BaseModel]]
    update: Callable[..., Awaitable[BaseModel]]
    delete: Callable[[OsotoClient, str, str, str | None], Awaitable[None]]
    batch: Callable[[OsotoClient, str, Sequence[Any], str | None], Awaitable[BatchResult]] | None
    create_hint: str


_KINDS = (
    _Kind(
        "leg",
        "legs",
        "leg (a destination between two dates, with accommodation, flights, rental car, stays)",
        Leg,
        LegFields,
        frozenset({"order", "title", "destination", "start_date", "end_date", "timezone"}),
        lambda c, t, n, cur: c.list_legs(t, limit=n, cursor=cur),
        lambda c, t, key, **f: c.create_leg(t, idempotency_key=key, **f),
        lambda c, t, i, key, **f: c.update_leg(t, i, idempotency_key=key, **f),
        lambda c, t, i, key: c.delete_leg(t, i, idempotency_key=key),
        lambda c, t, items, key: c.batch_upsert_legs(t, items, idempotency_key=key),
        "order, title, destination, startDate, endDate and timezone",
    ),
    _Kind(
        "action_item",
        "action_items",
        "checklist item",
        ActionItem,
        ActionItemFields,
        frozenset({"text", "urgency"}),
        lambda c, t, n, cur: c.list_action_items(t, limit=n, cursor=cur),
        lambda c, t, key, **f: c.create_action_item(t, idempotency_key=key, **f),
        lambda c, t, i, key, **f: c.update_action_item(t, i, idempotency_key=key, **f),
        lambda c, t, i, key: c.delete_action_item(t, i, idempotency_key=key),
        lambda c, t, items, key: c.batch_upsert_action_items(t, items, idempotency_key=key),
        "text and urgency (now, before_trip, nice_to_have)",
    ),
    _Kind(
        "map_pin",
        "map_pins",
        "map pin",
        MapPin,
        MapPinFields,
        frozenset({"name", "lat", "lng"}),
        lambda c, t, n, cur: c.list_map_pins(t, limit=n, cursor=cur),
        lambda c, t, key, **f: c.create_map_pin(t, idempotency_key=key, **f),
        lambda c, t, i, key, **f: c.update_map_pin(t, i, idempotency_key=key, **f),
        lambda c, t, i, key: c.delete_map_pin(t, i, idempotency_key=key),
        lambda c, t, items, key: c.batch_upsert_map_pins(t, items, idempotency_key=key),
        "name, lat and lng",
    ),
    _Kind(
        "commitment",
        "commitments",
        "commitment (a scheduled dinner, activity, birthday, meeting or other event)",
        Commitment,
        CommitmentFields,
        frozenset({"title", "start_date", "category"}),
        lambda c, t, n, cur: c.list_commitments(t, limit=n, cursor=cur),
        lambda c, t, key, **f: c.create_commitment(t, idempotency_key=key, **f),
        lambda c, t, i, key, **f: c.update_commitment(t, i, idempotency_key=key, **f),
        lambda c, t, i, key: c.delete_commitment(t, i, idempotency_key=key),
        None,
        "title, startDate and category",
    ),
)


class _ItemArgs(TripArgs, WriteArgs):
    """Names one row of a trip's list."""

    item_id: str = Field(min_length=1, description="The row's id (its _id in the lists).")


def _tools(kind: _Kind) -> list[ToolSpec]:
    create_args = derive_fields(
        kind.model,
        f"Create{kind.model.__name__}Args",
        required=kind.required,
        base=(TripArgs, WriteArgs),
        doc=f"A new {kind.name.replace('_', ' ')}.",
    )
    update_args = derive_fields(
        kind.model,
        f"Update{kind.model.__name__}Args",
        base=_ItemArgs,
        doc=f"The fields of the {kind.name.replace('_', ' ')} to change.",
    )

    async def list_rows(ctx: ToolContext, args: PageArgs, _key: str | None) -> Page[Any]:
        return await kind.list(ctx.client, args.trip_id, args.limit, args.cursor)

    async def create(ctx: ToolContext, args: TripArgs, key: str | None) -> BaseModel:
        fields = args.model_dump(exclude_none=True, exclude=_EXCLUDE)
        return await kind.create(ctx.client, args.trip_id, key, **fields)

    async def update(ctx: ToolContext, args: _ItemArgs, key: str | None) -> BaseModel:
        fields = args.model_dump(exclude_none=True, exclude=_EXCLUDE)
        if not fields:
            raise BadArgument("(arguments)", "give at least one field to change")
        return await kind.update(ctx.client, args.trip_id, args.item_id, key, **fields)

    async def delete(ctx: ToolContext, args: _ItemArgs, key: str | None) -> Ok:
        await kind.delete(ctx.client, args.trip_id, args.item_id, key)
        return Ok(ok=True)

    label = kind.label
    short = kind.name.replace("_", " ")
    tools = [
        ToolSpec(
            f"list_{kind.plural}",
            f"List one page of a trip's {kind.plural.replace('_', ' ')}; pass nextCursor "
            "as cursor for the next page.",
            PageArgs,
            list_rows,
            Page[kind.model],  # type: ignore[name-defined]
        ),
        ToolSpec(
            f"create_{kind.name}",
            f"Add a {label} to a trip; needs {kind.create_hint}.",
            create_args,
            create,
            kind.model,
            keys="derived",
        ),
        ToolSpec(
            f"update_{kind.name}",
            f"Change the given fields of a {short} (the others stay as they are).",
            update_args,
            update,
            kind.model,
            keys="fresh",
        ),
        ToolSpec(
            f"delete_{kind.name}",
            f"Delete a {short} from a trip.",
            _ItemArgs,
            delete,
            Ok,
            keys="fresh",
            destructive=True,
        ),
    ]
    if kind.batch is not None:
        batch = kind.batch
        batch_args = _batch_args(kind)

        async def upsert(ctx: ToolContext, args: Any, key: str | None) -> BatchResult:
            items = [item.model_dump(exclude_none=True) for item in args.items]
            return await batch(ctx.client, args.trip_id, items, key)

        tools.insert(
            2,
            ToolSpec(
                f"batch_upsert_{kind.plural}",
                f"Create or merge many {kind.plural.replace('_', ' ')} at once: an item whose "
                "clientRef the trip already has is merged into that row, the others are "
                "created; the answer gives each item's outcome.",
                batch_args,
                upsert,
                BatchResult,
                keys="derived",
            ),
        )
    return tools


def _batch_args(kind: _Kind) -> type[Args]:
    items: Any = list[kind.fields]  # type: ignore[name-defined]
    model = create_model(
        f"BatchUpsert{kind.model.__name__}Args",
        __base__=(TripArgs, WriteArgs),
        __doc__=f"{kind.plural.replace('_', ' ').capitalize()} to create or merge.",
        items=(items, Field(min_length=1, description="The rows; more than 50 are split.")),
    )
    return cast(type[Args], model)


CONTENT_TOOLS = tuple(tool for kind in _KINDS for tool in _tools(kind))
