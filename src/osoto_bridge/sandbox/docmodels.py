"""Response shapes, for the OpenAPI document only.

Handlers return pre-serialised JSON (no response validation on the hot path); these
models describe what they return so that the document, and schemathesis checking
responses against it, tell the truth.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from osoto_bridge.sandbox.models import Category, TripStatus, Urgency

T = TypeVar("T")


class _Doc(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class _Stored(_Doc):
    id: str = Field(alias="_id")
    creationTime: float = Field(alias="_creationTime")


class ErrorDetail(_Doc):
    """One bad field."""

    path: str
    reason: str


class ErrorBody(_Doc):
    """The error object."""

    code: Literal[
        "VALIDATION_ERROR",
        "UNAUTHORIZED",
        "FORBIDDEN",
        "NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "IDEMPOTENCY_CONFLICT",
        "RATE_LIMITED",
        "INTERNAL",
    ]
    message: str
    requestId: str
    details: list[ErrorDetail]


class ErrorEnvelope(_Doc):
    """Every error response."""

    error: ErrorBody


class Page(_Doc, Generic[T]):
    """The list envelope."""

    data: list[T]
    nextCursor: str | None
    hasMore: bool


class MessagePage(_Doc):
    """A page of messages: `nextCursor` is never null."""

    data: list[Message]
    nextCursor: str
    hasMore: bool


class UserRef(_Doc):
    """The caller in `GET /me`."""

    id: str = Field(alias="_id")
    name: str
    email: str | None = None


class GroupRef(_Doc):
    """A group in `GET /me`."""

    id: str = Field(alias="_id")
    name: str


class Me(_Doc):
    """`GET /me`."""

    user: UserRef
    groups: list[GroupRef]
    defaultGroupId: str | None


class Trip(_Stored):
    """A trip."""

    groupId: str
    title: str
    startDate: str
    endDate: str
    status: TripStatus


class Accommodation(_Doc):
    """Accommodation of a leg."""

    name: str
    address: str | None = None
    checkIn: str | None = None
    checkOut: str | None = None
    wifiPassword: str | None = None
    doorCode: str | None = None
    hostPhone: str | None = None
    confirmationNumber: str | None = None
    checkInInstructions: str | None = None


class Stay(Accommodation):
    """A stay of a leg."""

    id: str = Field(alias="_id")
    clientRef: str | None = None


class Flight(_Doc):
    """A flight of a leg."""

    airline: str | None = None
    flightNumber: str
    from_: str = Field(alias="from")
    to: str
    departAt: str
    arriveAt: str | None = None
    confirmationNumber: str | None = None


class RentalCar(_Doc):
    """The rental car of a leg."""

    company: str
    pickupAt: str | None = None
    dropoffAt: str | None = None
    pickupLocation: str | None = None
    confirmationNumber: str | None = None


class Leg(_Stored):
    """A leg of the itinerary."""

    tripId: str
    order: int
    title: str
    destination: str
    startDate: str
    endDate: str
    timezone: str
    accommodation: Accommodation | None = None
    flights: list[Flight]
    rentalCar: RentalCar | None = None
    stays: list[Stay]
    clientRef: str | None = None


class ActionItem(_Stored):
    """A checklist item."""

    tripId: str
    text: str
    urgency: Urgency
    owner: str | None = None
    done: bool
    clientRef: str | None = None


class Commitment(_Stored):
    """A scheduled event."""

    tripId: str
    title: str
    startDate: str
    category: Category
    startTime: str | None = None
    endTime: str | None = None
    isAllDay: bool
    timezone: str | None = None
    legId: str | None = None
    mapPinId: str | None = None
    notes: str | None = None


class MapPin(_Stored):
    """A place on the trip's map."""

    tripId: str
    name: str
    lat: float
    lng: float
    category: str | None = None
    notes: str | None = None
    clientRef: str | None = None


class Member(_Doc):
    """A trip member."""

    userId: str
    name: str
    role: Literal["owner", "editor", "viewer"]
    email: str | None = None
    phone: str | None = None


class PublicMember(_Doc):
    """A trip member as share views show them."""

    name: str
    role: Literal["owner", "editor", "viewer"]


class Channel(_Stored):
    """A message channel."""

    tripId: str
    name: str


class Message(_Stored):
    """A chat message."""

    tripId: str
    channelId: str
    authorId: str
    authorName: str
    content: str
    parentId: str | None = None


class Export(_Doc):
    """`GET /trips/{tripId}/export`."""

    trip: Trip
    legs: list[Leg]
    mapPins: list[MapPin]
    actionItems: list[ActionItem]
    commitments: list[Commitment]
    members: list[Member]


class SharedExport(_Doc):
    """`GET /shared/trips/{token}/export`: the export in the safe projection."""

    trip: Trip
    legs: list[Leg]
    mapPins: list[MapPin]
    actionItems: list[ActionItem]
    commitments: list[Commitment]
    members: list[PublicMember]


class SharedTrip(Trip):
    """`GET /shared/trips/{token}`: the trip and its legs in the safe projection."""

    legs: list[Leg]


class ShareToken(_Doc):
    """`POST /trips/{tripId}/share-token`."""

    token: str
    tripId: str


class Revoked(_Doc):
    """`DELETE /trips/{tripId}/share-token`."""

    tripId: str
    revoked: bool


class Deleted(_Doc):
    """A deleted item."""

    id: str = Field(alias="_id")
    deleted: bool


class ItemError(_Doc):
    """Why one batch or sync item failed."""

    code: str
    message: str
    details: list[ErrorDetail]


class ItemResult(_Doc):
    """The outcome of one batch or sync item."""

    index: int
    status: Literal["created", "updated", "error"]
    id: str | None = None
    error: ItemError | None = None


class BatchResult(_Doc):
    """`POST …:batch`."""

    results: list[ItemResult]


class SyncCategory(_Doc):
    """One category of a sync."""

    created: int
    updated: int
    errors: int
    results: list[ItemResult]


class SyncResult(_Doc):
    """`POST /trips/{tripId}/sync`."""

    dryRun: bool
    legs: SyncCategory
    actionItems: SyncCategory
    mapPins: SyncCategory


def doc(model: type[BaseModel], description: str) -> dict[str, Any]:
    """A FastAPI `responses` entry for a success body."""
    return {"model": model, "description": description}


MessagePage.model_rebuild()
