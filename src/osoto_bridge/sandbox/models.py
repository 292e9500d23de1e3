"""Request bodies, as pydantic models.

Create models carry the seed's required fields; `*Patch` models make every field
optional, and `null` clears an optional field. Unknown fields are refused so that a
client's typo is a 400 naming the field rather than a silent no-op. The stored form
of a body is `model_dump(by_alias=True, exclude_unset=True)`: only what the caller
sent, which is what the diff-merge needs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from osoto_bridge.sandbox.fields import (
    DateStr,
    Flag,
    FreeText,
    Latitude,
    LocalDateTime,
    Longitude,
    LongText,
    MediumText,
    MessageText,
    Order,
    Ref,
    ShortText,
    TimeOfDay,
    TimeZoneName,
)

TripStatus = Literal["draft", "active", "completed"]
Urgency = Literal["now", "before_trip", "nice_to_have"]
Category = Literal["dinner", "activity", "birthday", "meeting", "other"]

MAX_BATCH_ITEMS = 50
MAX_SYNC_ITEMS = 200


def _refuse_null(value: object) -> object:
    # Validators do not run for omitted fields, so this only refuses an explicit null.
    if value is None:
        raise ValueError("may be omitted but not null")
    return value


def _not_null(*names: str) -> Any:
    """A validator refusing `null` for fields that are required on create."""
    return field_validator(*names, mode="after")(_refuse_null)


class RequestBody(BaseModel):
    """Base of every request body: unknown fields refused."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def supplied(self) -> dict[str, Any]:
        """Return only the fields the caller sent, in wire spelling."""
        return self.model_dump(by_alias=True, exclude_unset=True)


class TripCreate(RequestBody):
    """`POST /trips`."""

    groupId: Ref
    title: ShortText
    startDate: DateStr
    endDate: DateStr


class TripPatch(RequestBody):
    """`PATCH /trips/{tripId}`."""

    _no_null = _not_null("title", "startDate", "endDate", "status")
    title: ShortText | None = None
    startDate: DateStr | None = None
    endDate: DateStr | None = None
    status: TripStatus | None = None


class Accommodation(RequestBody):
    """A leg's accommodation; `name` is required once merged."""

    name: ShortText | None = None
    address: FreeText | None = None
    checkIn: LocalDateTime | None = None
    checkOut: LocalDateTime | None = None
    wifiPassword: FreeText | None = None
    doorCode: FreeText | None = None
    hostPhone: FreeText | None = None
    confirmationNumber: FreeText | None = None
    checkInInstructions: LongText | None = None


class Stay(Accommodation):
    """One of `leg.stays[]`, matched by `_id` or by `clientRef` (unique per leg)."""

    id: Ref | None = Field(default=None, alias="_id")
    clientRef: Ref | None = None


class Flight(RequestBody):
    """One flight of a leg (the list is replaced whole)."""

    airline: FreeText | None = None
    flightNumber: ShortText
    from_: ShortText = Field(alias="from")
    to: ShortText
    departAt: LocalDateTime
    arriveAt: LocalDateTime | None = None
    confirmationNumber: FreeText | None = None


class RentalCar(RequestBody):
    """A leg's rental car; `company` is required once merged."""

    company: ShortText | None = None
    pickupAt: LocalDateTime | None = None
    dropoffAt: LocalDateTime | None = None
    pickupLocation: FreeText | None = None
    confirmationNumber: FreeText | None = None


class LegCreate(RequestBody):
    """`POST /trips/{tripId}/legs` and one item of `legs:batch` / sync `legs`."""

    order: Order
    title: ShortText
    destination: ShortText
    startDate: DateStr
    endDate: DateStr
    timezone: TimeZoneName
    accommodation: Accommodation | None = None
    flights: list[Flight] | None = Field(default=None, max_length=50)
    rentalCar: RentalCar | None = None
    stays: list[Stay] | None = Field(default=None, max_length=50)
    clientRef: Ref | None = None


class LegPatch(RequestBody):
    """`PATCH /trips/{tripId}/legs/{legId}`."""

    _no_null = _not_null("order", "title", "destination", "startDate", "endDate", "timezone")
    order: Order | None = None
    title: ShortText | None = None
    destination: ShortText | None = None
    startDate: DateStr | None = None
    endDate: DateStr | None = None
    timezone: TimeZoneName | None = None
    accommodation: Accommodation | None = None
    flights: list[Flight] | None = Field(default=None, max_length=50)
    rentalCar: RentalCar | None = None
    stays: list[Stay] | None = Field(default=None, max_length=50)


class ActionItemCreate(RequestBody):
    """`POST /trips/{tripId}/action-items` and one batch item."""

    text: MediumText
    urgency: Urgency
    owner: Ref | None = None
    done: Flag | None = None
    clientRef: Ref | None = None


class ActionItemPatch(RequestBody):
    """`PATCH /trips/{tripId}/action-items/{itemId}` (`{"done": true}` toggles)."""

    _no_null = _not_null("text", "urgency", "done")
    text: MediumText | None = None
    urgency: Urgency | None = None
    owner: Ref | None = None
    done: Flag | None = None


class CommitmentCreate(RequestBody):
    """`POST /trips/{tripId}/commitments`."""

    title: ShortText
    startDate: DateStr
    category: Category
    startTime: TimeOfDay | None = None
    endTime: TimeOfDay | None = None
    isAllDay: Flag | None = None
    timezone: TimeZoneName | None = None
    legId: Ref | None = None
    mapPinId: Ref | None = None
    notes: LongText | None = None


class CommitmentPatch(RequestBody):
    """`PATCH /trips/{tripId}/commitments/{commitmentId}`."""

    _no_null = _not_null("title", "startDate", "category", "isAllDay")
    title: ShortText | None = None
    startDate: DateStr | None = None
    category: Category | None = None
    startTime: TimeOfDay | None = None
    endTime: TimeOfDay | None = None
    isAllDay: Flag | None = None
    timezone: TimeZoneName | None = None
    legId: Ref | None = None
    mapPinId: Ref | None = None
    notes: LongText | None = None


class MapPinCreate(RequestBody):
    """`POST /trips/{tripId}/map-pins` and one batch item."""

    name: ShortText
    lat: Latitude
    lng: Longitude
    category: FreeText | None = None
    notes: LongText | None = None
    clientRef: Ref | None = None


class MapPinPatch(RequestBody):
    """`PATCH /trips/{tripId}/map-pins/{pinId}`."""

    _no_null = _not_null("name", "lat", "lng")
    name: ShortText | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    category: FreeText | None = None
    notes: LongText | None = None


class MessageCreate(RequestBody):
    """`POST /trips/{tripId}/channels/{channelId}/messages`."""

    content: MessageText
    parentId: Ref | None = None


class BatchBody(RequestBody):
    """`POST …:batch`: items are checked one by one so that one bad item is a 207."""

    items: list[dict[str, Any]] = Field(max_length=MAX_BATCH_ITEMS)


class SyncBody(RequestBody):
    """`POST /trips/{tripId}/sync`."""

    legs: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_SYNC_ITEMS)
    actionItems: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_SYNC_ITEMS)
    mapPins: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_SYNC_ITEMS)
