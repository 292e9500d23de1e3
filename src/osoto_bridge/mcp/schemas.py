"""Tool argument models, derived from the client's wire models.

Every tool takes one pydantic model of arguments; its JSON schema (camelCase
property names, like the Osoto API itself) is the tool's `inputSchema`, and the same
model validates what an agent sends. The content models (`LegFields`,
`ActionItemFields`, ...) are made from the client's `Leg`, `ActionItem`, `MapPin`
and `Commitment` by dropping the fields the server sets (`_id`, `_creationTime`,
`tripId`), so a field the client learns is a field the agent may send.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.alias_generators import to_camel

from osoto_bridge.osoto import ActionItem, Commitment, Leg, MapPin

__all__ = [
    "ActionItemFields",
    "Args",
    "CommitmentFields",
    "LegFields",
    "MapPinFields",
    "NoArgs",
    "TripArgs",
    "WriteArgs",
    "derive_fields",
]

_SERVER_SET = frozenset({"id", "creation_time", "trip_id"})

# What the API documentation says of each field, for the agent reading the schema.
_DESCRIPTIONS = {
    "order": "Sort position of the leg, starting at 0.",
    "title": "Title.",
    "destination": "Destination name.",
    "start_date": "Start date, YYYY-MM-DD.",
    "end_date": "End date, YYYY-MM-DD.",
    "timezone": "IANA time zone, e.g. Europe/London.",
    "accommodation": "Where the leg sleeps (name, address, checkIn, checkOut, ...).",
    "flights": "The leg's flights.",
    "rental_car": "The leg's rental car.",
    "stays": "The leg's stays; each stay's clientRef is unique within the leg.",
    "client_ref": (
        "Your own unique reference for the row (per trip): sending it again merges into "
        "that row instead of adding a duplicate."
    ),
    "text": "What has to be done.",
    "urgency": "now, before_trip or nice_to_have.",
    "owner": "User id of the person who takes it on.",
    "done": "Whether it is done.",
    "category": "For a commitment: dinner, activity, birthday, meeting or other; "
    "for a map pin: free text such as restaurant or hotel.",
    "start_time": "Local start time, HH:mm (24-hour).",
    "end_time": "Local end time, HH:mm (24-hour).",
    "is_all_day": "True for an all-day event (the times are then ignored).",
    "leg_id": "Id of the leg the event belongs to.",
    "map_pin_id": "Id of the map pin where the event happens.",
    "notes": "Free-form notes.",
    "name": "Name of the place.",
    "lat": "Latitude.",
    "lng": "Longitude.",
}


# The wire models read any number as a float; an agent's `3` must go out as `3`, not
# `3.0`, which a strict server refuses as an order.
_ANNOTATIONS: dict[str, Any] = {"order": int | float}


class Args(BaseModel):
    """Base of every tool's arguments: camelCase names, nothing unknown accepted."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
    )


class NoArgs(Args):
    """This tool takes no arguments."""


class TripArgs(Args):
    """Arguments naming one trip."""

    trip_id: str = Field(min_length=1, description="The trip's id (see list_trips).")


class WriteArgs(Args):
    """Arguments of a tool that changes something in Osoto."""

    idempotency_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description=(
            "Optional. The same key on a retry replays the first answer instead of writing "
            "twice; a different key writes again."
        ),
    )


def derive_fields(
    model: type[BaseModel],
    name: str,
    *,
    required: frozenset[str] = frozenset(),
    base: type[Args] | tuple[type[Args], ...] = Args,
    doc: str | None = None,
) -> type[Args]:
    """Make an argument model from a wire model, minus the fields the server sets.

    Args:
        model: The client's wire model (`Leg`, `MapPin`, ...).
        name: The new model's name (it names the schema's definition).
        required: Fields the agent must give; every other one becomes optional.
        base: The argument model(s) to extend (a trip id, an idempotency key, ...).
        doc: The model's docstring (the schema's description).

    Returns:
        The argument model.
    """
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in _SERVER_SET:
            continue
        description = _DESCRIPTIONS.get(field_name)
        annotation: Any = _ANNOTATIONS.get(field_name, info.annotation)
        if field_name in required:
            fields[field_name] = (annotation, Field(description=description))
        else:
            fields[field_name] = (annotation | None, Field(None, description=description))
    text = doc or f"The fields of a {model.__name__} an agent may send."
    return cast(type[Args], create_model(name, __base__=base, __doc__=text, **fields))


LegFields = derive_fields(Leg, "LegFields")
"""Any fields of a leg (batch upserts, sync and updates)."""

ActionItemFields = derive_fields(ActionItem, "ActionItemFields")
"""Any fields of a checklist item."""

MapPinFields = derive_fields(MapPin, "MapPinFields")
"""Any fields of a map pin."""

CommitmentFields = derive_fields(Commitment, "CommitmentFields")
"""Any fields of a commitment (scheduled event)."""

AnswerFormat = Literal["markdown", "plain"]
"""How the answer tools render their text."""
