"""Typed models of the Osoto wire objects (see `docs/wire-format.md`).

Attributes are snake_case; the wire's camelCase names are aliases (`tripId` ->
`trip_id`), and Convex's underscore fields map to plain names (`_id` -> `id`,
`_creationTime` -> `creation_time`, milliseconds since the epoch). Both names are
accepted when building a model by hand.

The models are deliberately forgiving, because the real service cannot be reached
from here and may drift from the sandbox: unknown fields are ignored (kept on the
leg objects, which a caller may read, change and send back), optional fields may be
missing, and enum-like strings accept values we do not know yet.

Dates (`startDate`, `endDate`) parse to `datetime.date`. The date-times inside a leg
(`checkIn`, `departAt`, ...) are local to the leg's time zone and stay strings;
`parse_local_datetime` turns them into `datetime` objects when needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AliasChoices, AliasPath, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "Accommodation",
    "ActionItem",
    "BatchResult",
    "Channel",
    "Commitment",
    "ErrorDetail",
    "Flight",
    "Group",
    "ItemError",
    "ItemResult",
    "Leg",
    "MapPin",
    "Me",
    "Member",
    "Message",
    "Page",
    "RentalCar",
    "ShareToken",
    "SharedTrip",
    "Stay",
    "SyncCategoryResult",
    "SyncResult",
    "Trip",
    "TripExport",
    "User",
    "WireModel",
    "parse_local_datetime",
]

T = TypeVar("T")


def _lenient_date(value: Any) -> Any:
    """Cut a full timestamp (`2026-07-15T00:00:00Z`) down to its date part."""
    if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
        return value[:10]
    return value


WireDate = Annotated[dt.date, BeforeValidator(_lenient_date)]
"""A `YYYY-MM-DD` date; a full ISO timestamp is cut to its date."""

Urgency = Literal["now", "before_trip", "nice_to_have"] | str
"""Action-item urgency; unknown values are kept as plain strings."""

TripStatus = Literal["draft", "active", "completed"] | str
"""Trip status; unknown values are kept as plain strings."""


def parse_local_datetime(value: str | None) -> dt.datetime | None:
    """Parse a leg date-time such as `2026-07-15T15:00`.

    The wire format is a local ISO 8601 date-time in the leg's time zone; an explicit
    offset (`+09:00` or `Z`) is also accepted and kept. A bare date means midnight.
    Anything unparsable yields None rather than an error, because these fields are
    typed by people and only ever displayed.

    Args:
        value: The wire string, or None.

    Returns:
        A naive datetime (local to the leg) or an aware one (when the string had an
        offset), or None.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


class WireModel(BaseModel):
    """Base of every wire object: frozen, camelCase aliases, unknown fields ignored."""

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        alias_generator=to_camel,
        populate_by_name=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """Return the camelCase JSON-ready dict, leaving out unset optional fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class _RoundTripModel(WireModel):
    """A wire object that keeps unknown fields, so reading and re-sending loses nothing."""

    model_config = ConfigDict(extra="allow")


class User(WireModel):
    """The user an API key belongs to."""

    id: str = Field(alias="_id")
    name: str
    email: str | None = None


class Group(WireModel):
    """A travel group; trips are created in a group."""

    id: str = Field(alias="_id")
    name: str


class Me(WireModel):
    """`GET /me`: the key's user, their groups and the default group id."""

    user: User
    groups: list[Group] = []
    default_group_id: str | None = None
    scopes: tuple[str, ...] = Field(
        default=(),
        validation_alias=AliasChoices(
            "scopes", AliasPath("key", "scopes"), AliasPath("apiKey", "scopes")
        ),
    )
    """The key's own scopes, where Osoto says them (the documented body does not;
    a key's description beside the user is read when present)."""


class Trip(WireModel):
    """A trip's metadata."""

    id: str = Field(alias="_id")
    creation_time: float | None = Field(default=None, alias="_creationTime")
    group_id: str | None = None
    title: str
    start_date: WireDate
    end_date: WireDate
    status: TripStatus = "active"


class Accommodation(_RoundTripModel):
    """Where a leg sleeps. Everything but the name is optional; several fields are secret."""

    name: str
    address: str | None = None
    check_in: str | None = None
    check_out: str | None = None
    wifi_password: str | None = None
    door_code: str | None = None
    host_phone: str | None = None
    confirmation_number: str | None = None
    check_in_instructions: str | None = None


class Stay(Accommodation):
    """One of a leg's stays: an accommodation with its own id and per-leg clientRef."""

    id: str | None = Field(default=None, alias="_id")
    client_ref: str | None = None


class Flight(_RoundTripModel):
    """A flight of a leg. `from` is a Python keyword, hence `from_`."""

    airline: str | None = None
    flight_number: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    depart_at: str | None = None
    arrive_at: str | None = None
    confirmation_number: str | None = None


class RentalCar(_RoundTripModel):
    """A leg's rental car."""

    company: str | None = None
    pickup_at: str | None = None
    dropoff_at: str | None = None
    pickup_location: str | None = None
    confirmation_number: str | None = None


class Leg(_RoundTripModel):
    """One stretch of a trip: a destination between two dates, in one time zone."""

    id: str = Field(alias="_id")
    creation_time: float | None = Field(default=None, alias="_creationTime")
    trip_id: str | None = None
    order: float = 0
    title: str
    destination: str | None = None
    start_date: WireDate
    end_date: WireDate
    timezone: str | None = None
    accommodation: Accommodation | None = None
    flights: list[Flight] = []
    rental_car: RentalCar | None = None
    stays: list[Stay] = []
    client_ref: str | None = None


class ActionItem(WireModel):
    """A checklist entry."""

    id: str = Field(alias="_id")
    creation_time: float | None = Field(default=None, alias="_creationTime")
    trip_id: str | None = None
    text: str
    urgency: Urgency = "nice_to_have"
    owner: str | None = None
    done: bool = False
    client_ref: str | None = None


class Commitment(WireModel):
    """A scheduled event: dinner, activity, birthday, meeting or other."""

    id: str = Field(alias="_id")
    creation_time: float | None = Field(default=None, alias="_creationTime")
    trip_id: str | None = None
    title: str
    start_date: WireDate
    category: str = "other"
    start_time: str | None = None
    end_time: str | None = None
    is_all_day: bool = False
    timezone: str | None = None
    leg_id: str | None = None
    map_pin_id: str | None = None
    notes: str | None = None


class MapPin(WireModel):
    """A place pinned on the trip's map."""

    id: str = Field(alias="_id")
    creation_time: float | None = Field(default=None, alias="_creationTime")
    trip_id: str | None = None
    name: str
    lat: float
    lng: float
    category: str | None = None
    notes: str | None = None
    client_ref: str | None = None


class Member(WireModel):
    """A trip member with their role and (outside share views) contact details.

    Share views leave out the user id as well as the contact details.
    """

    user_id: str | None = None
    name: str
    role: str = "viewer"
    email: str | None = None
    phone: str | None = None


class Channel(WireModel):
    """A trip's message channel; every trip has a `general` one."""

    id: str = Field(alias="_id")
    creation_time: float | None = Field(default=None, alias="_creationTime")
    trip_id: str | None = None
    name: str


class Message(WireModel):
    """A message in a trip channel; `parent_id` marks a reply."""

    id: str = Field(alias="_id")
    creation_time: float = Field(default=0.0, alias="_creationTime")
    trip_id: str | None = None
    channel_id: str | None = None
    author_id: str | None = None
    author_name: str | None = None
    content: str
    parent_id: str | None = None


class TripExport(WireModel):
    """The canonical trip snapshot (`GET /trips/{id}/export` and the share export)."""

    trip: Trip
    legs: list[Leg] = []
    map_pins: list[MapPin] = []
    action_items: list[ActionItem] = []
    commitments: list[Commitment] = []
    members: list[Member] = []


class SharedTrip(Trip):
    """`GET /shared/trips/{token}`: the trip with its legs, in the safe projection."""

    legs: list[Leg] = []


class ShareToken(WireModel):
    """A share token granting unauthenticated read access to a trip's safe view."""

    token: str
    trip_id: str | None = None


class Page(WireModel, Generic[T]):
    """One page of a list, normalised whatever envelope the server used."""

    data: list[T]
    next_cursor: str | None = None
    has_more: bool = False


class ErrorDetail(WireModel):
    """One problem with one field of a request."""

    path: str | None = None
    reason: str | None = None


class ItemError(WireModel):
    """Why one item of a batch or sync failed."""

    code: str | None = None
    message: str | None = None
    details: list[ErrorDetail] = []


class ItemResult(WireModel):
    """The outcome of one item of a batch or sync."""

    index: int
    status: Literal["created", "updated", "error"] | str
    id: str | None = None
    error: ItemError | None = None

    @property
    def ok(self) -> bool:
        """True unless the item failed."""
        return self.status != "error"


class BatchResult(WireModel):
    """A batch upsert's per-item results and the HTTP status (200 all ok, 207 partial)."""

    results: list[ItemResult] = []
    status_code: int = 200

    @property
    def failed(self) -> list[ItemResult]:
        """The items that did not go through."""
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        """True when every item succeeded."""
        return not self.failed


class SyncCategoryResult(WireModel):
    """Counts and per-item outcomes of one category of a sync."""

    created: int = 0
    updated: int = 0
    errors: int = 0
    results: list[ItemResult] = []


class SyncResult(WireModel):
    """`POST /trips/{id}/sync`: what was (or, on a dry run, would be) created and updated."""

    dry_run: bool = False
    legs: SyncCategoryResult | None = None
    action_items: SyncCategoryResult | None = None
    map_pins: SyncCategoryResult | None = None
    status_code: int = 200

    @property
    def ok(self) -> bool:
        """True when no item of any category failed."""
        return all(
            c is None or c.errors == 0 for c in (self.legs, self.action_items, self.map_pins)
        )
