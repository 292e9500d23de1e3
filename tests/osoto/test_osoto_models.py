"""The wire models parse the agreed shapes and tolerate drift."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from osoto_bridge.osoto import (
    ActionItem,
    Leg,
    Member,
    Message,
    Trip,
    TripExport,
    parse_local_datetime,
    safe_projection,
)

LEG_WIRE = {
    "_id": "leg1",
    "_creationTime": 1_700_000_000_000.5,
    "tripId": "trip1",
    "order": 0,
    "title": "Tokyo",
    "destination": "Tokyo",
    "startDate": "2026-07-15",
    "endDate": "2026-07-20",
    "timezone": "Asia/Tokyo",
    "accommodation": {
        "name": "Hotel Gracery",
        "checkIn": "2026-07-15T15:00",
        "wifiPassword": "hunter2",
        "doorCode": "1234",
        "hostPhone": "+81 3 0000",
        "confirmationNumber": "ABC",
        "checkInInstructions": "key under the mat",
        "secretPin": "kept",
    },
    "flights": [
        {
            "airline": "JAL",
            "flightNumber": "JL44",
            "from": "LHR",
            "to": "HND",
            "departAt": "2026-07-14T19:00+01:00",
            "confirmationNumber": "XYZ",
        }
    ],
    "rentalCar": {"company": "Toyota Rent", "confirmationNumber": "CAR1"},
    "stays": [{"_id": "s1", "name": "Ryokan", "doorCode": "9999", "clientRef": "stay-1"}],
    "clientRef": "leg-tok-1",
    "futureField": {"anything": True},
}


def test_leg_parses_with_snake_case_attributes() -> None:
    leg = Leg.model_validate(LEG_WIRE)
    assert leg.id == "leg1"
    assert leg.creation_time == 1_700_000_000_000.5
    assert leg.start_date == dt.date(2026, 7, 15)
    assert leg.accommodation is not None
    assert leg.accommodation.wifi_password == "hunter2"
    assert leg.flights[0].from_ == "LHR"
    assert leg.flights[0].flight_number == "JL44"
    assert leg.rental_car is not None and leg.rental_car.company == "Toyota Rent"
    assert leg.stays[0].id == "s1" and leg.stays[0].client_ref == "stay-1"


def test_leg_round_trips_unknown_fields_to_the_wire() -> None:
    wire = Leg.model_validate(LEG_WIRE).to_wire()
    assert wire["futureField"] == {"anything": True}
    assert wire["accommodation"]["secretPin"] == "kept"
    assert wire["flights"][0]["from"] == "LHR"
    assert wire["_id"] == "leg1"
    assert wire["startDate"] == "2026-07-15"


def test_models_accept_snake_case_names_and_missing_optionals() -> None:
    trip = Trip(id="t1", title="Cotswolds", start_date="2026-07-15", end_date="2026-07-22")
    assert trip.group_id is None and trip.status == "active"
    msg = Message.model_validate({"_id": "m1", "content": "hi"})
    assert msg.parent_id is None and msg.author_name is None


def test_unknown_enum_values_and_timestamps_are_tolerated() -> None:
    item = ActionItem.model_validate({"_id": "a", "text": "Passports", "urgency": "someday"})
    assert item.urgency == "someday" and item.done is False
    trip = Trip.model_validate(
        {
            "_id": "t",
            "title": "x",
            "startDate": "2026-07-15T00:00:00Z",
            "endDate": "2026-07-16",
            "status": "paused",
        }
    )
    assert trip.start_date == dt.date(2026, 7, 15)
    assert trip.status == "paused"


def test_parse_local_datetime_variants() -> None:
    assert parse_local_datetime("2026-07-15T15:00") == dt.datetime(2026, 7, 15, 15, 0)
    aware = parse_local_datetime("2026-07-14T19:00+01:00")
    assert aware is not None and aware.utcoffset() == dt.timedelta(hours=1)
    utc = parse_local_datetime("2026-07-14T18:00:00Z")
    assert utc is not None and utc.utcoffset() == dt.timedelta(0)
    assert parse_local_datetime("2026-07-15") == dt.datetime(2026, 7, 15)
    assert parse_local_datetime("after lunch") is None
    assert parse_local_datetime("") is None
    assert parse_local_datetime(None) is None


def test_safe_projection_strips_every_sensitive_field() -> None:
    export = TripExport.model_validate(
        {
            "trip": {"_id": "t", "title": "x", "startDate": "2026-07-15", "endDate": "2026-07-16"},
            "legs": [LEG_WIRE],
            "members": [
                {"userId": "u", "name": "Ana", "role": "owner", "email": "a@x", "phone": "1"}
            ],
        }
    )
    safe = safe_projection(export)
    wire = safe.to_wire()
    text = repr(wire)
    for secret in ("hunter2", "1234", "+81 3 0000", "ABC", "key under the mat", "9999"):
        assert secret not in text
    for secret in ("XYZ", "CAR1", "a@x"):
        assert secret not in text
    leg = safe.legs[0]
    assert leg.accommodation is not None and leg.accommodation.name == "Hotel Gracery"
    assert leg.accommodation.check_in == "2026-07-15T15:00"
    assert leg.flights[0].flight_number == "JL44"
    assert safe.members[0] == Member(user_id="u", name="Ana", role="owner")
    # the original is untouched (models are frozen values)
    assert export.legs[0].accommodation is not None
    assert export.legs[0].accommodation.door_code == "1234"


def test_models_are_frozen() -> None:
    msg = Message.model_validate({"_id": "m1", "content": "hi"})
    with pytest.raises(ValidationError, match="frozen"):
        msg.content = "changed"  # type: ignore[misc]
