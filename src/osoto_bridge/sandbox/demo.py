"""The demo world: a group of four and a week-long, three-country trip around today."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from osoto_bridge.sandbox import content
from osoto_bridge.sandbox.auth import SCOPE_BASES

if TYPE_CHECKING:
    from osoto_bridge.sandbox.core import Sandbox

_PEOPLE = (
    ("Alice Martin", "alice@example.com", "+44 7700 900001"),
    ("Bongani Dlamini", "bongani@example.com", "+27 82 555 0102"),
    ("Chloé Dubois", "chloe@example.com", None),
    ("Daichi Sato", None, None),
)


def _legs(day: list[str]) -> list[dict[str, Any]]:
    # A leg's accommodation is recorded again as its first stay (the demo fills both
    # wire fields); one dict per place keeps the two copies from drifting apart.
    london = {
        "name": "Holborn Townhouse",
        "address": "12 Lamb's Conduit St, London WC1N 3LE",
        "checkIn": f"{day[0]}T15:00",
        "checkOut": f"{day[2]}T11:00",
        "wifiPassword": "tea-and-scones-42",
        "doorCode": "4711#",
        "hostPhone": "+44 20 7946 0011",
        "confirmationNumber": "HT-883201",
        "checkInInstructions": "Key safe left of the blue door; code above.",
    }
    berlin = {
        "name": "Kreuzberg loft",
        "address": "Oranienstraße 25, 10999 Berlin",
        "checkIn": f"{day[2]}T16:00",
        "checkOut": f"{day[5]}T10:00",
        "wifiPassword": "spree-2026",
        "doorCode": "2580",
        "hostPhone": "+49 30 901820",
        "confirmationNumber": "ABNB-55120",
        "checkInInstructions": "Third floor; the code opens the courtyard gate too.",
    }
    return [
        {
            "order": 0,
            "title": "London",
            "destination": "London, United Kingdom",
            "startDate": day[0],
            "endDate": day[2],
            "timezone": "Europe/London",
            "clientRef": "leg-london",
            "accommodation": london,
            "stays": [{"clientRef": "stay-london-1", **london}],
        },
        {
            "order": 1,
            "title": "Berlin",
            "destination": "Berlin, Germany",
            "startDate": day[2],
            "endDate": day[5],
            "timezone": "Europe/Berlin",
            "clientRef": "leg-berlin",
            "flights": [
                {
                    "airline": "British Airways",
                    "flightNumber": "BA 982",
                    "from": "LHR",
                    "to": "BER",
                    "departAt": f"{day[2]}T12:35",
                    "arriveAt": f"{day[2]}T15:20",
                    "confirmationNumber": "BA7QX2",
                }
            ],
            "accommodation": berlin,
            "stays": [{"clientRef": "stay-berlin-1", **berlin}],
        },
        {
            "order": 2,
            "title": "Istanbul",
            "destination": "Istanbul, Türkiye",
            "startDate": day[5],
            "endDate": day[7],
            "timezone": "Europe/Istanbul",
            "clientRef": "leg-istanbul",
            "flights": [
                {
                    "airline": "Turkish Airlines",
                    "flightNumber": "TK 1724",
                    "from": "BER",
                    "to": "IST",
                    "departAt": f"{day[5]}T13:10",
                    "arriveAt": f"{day[5]}T17:05",
                    "confirmationNumber": "TK9PLM",
                }
            ],
            "rentalCar": {
                "company": "Anadolu Rent",
                "pickupAt": f"{day[5]}T18:00",
                "dropoffAt": f"{day[7]}T09:00",
                "pickupLocation": "Istanbul Airport, arrivals hall",
                "confirmationNumber": "AR-30417",
            },
            "stays": [
                {
                    "clientRef": "stay-istanbul-1",
                    "name": "Galata House",
                    "address": "Şahkulu Mah., Galata Kulesi Sk. 15, Beyoğlu",
                    "checkIn": f"{day[5]}T19:00",
                    "checkOut": f"{day[7]}T11:00",
                    "wifiPassword": "bosphorus!",
                    "doorCode": "1453",
                    "hostPhone": "+90 212 555 0144",
                    "confirmationNumber": "GH-2210",
                    "checkInInstructions": "Ring the bell marked Galata; the host meets you.",
                }
            ],
        },
    ]


_PINS = (
    {"name": "British Museum", "lat": 51.5194, "lng": -0.127, "category": "museum"},
    {"name": "Dishoom Covent Garden", "lat": 51.5125, "lng": -0.1269, "category": "restaurant"},
    {"name": "East Side Gallery", "lat": 52.5051, "lng": 13.4397, "category": "sight"},
    {"name": "Hagia Sophia", "lat": 41.0086, "lng": 28.98, "category": "sight"},
)


def seed_demo(sb: Sandbox, today: datetime.date) -> dict[str, Any]:
    """Create the demo world in `sb` (inside the caller's transaction)."""
    ctx = sb.context
    start = today - datetime.timedelta(days=1)
    day = [(start + datetime.timedelta(days=n)).isoformat() for n in range(8)]
    users = [sb.create_user(name, email=email, phone=phone) for name, email, phone in _PEOPLE]
    alice, bongani, chloe, daichi = users
    group = sb.create_group("Summer crew", owner_id=alice, member_ids=users[1:])
    trip = sb.create_trip(
        group_id=group,
        title="London, Berlin & Istanbul",
        start_date=day[0],
        end_date=day[7],
        created_by=alice,
    )
    sb.add_trip_member(trip, daichi, "viewer")

    def put(kind_name: str, item: dict[str, Any]) -> str:
        kind = content.KINDS[kind_name]
        body = kind.adapter().validate_python(item)
        _, document = content.upsert(
            ctx, kind, trip, body.model_dump(by_alias=True, exclude_unset=True)
        )
        return str(document["_id"])

    legs = [put("leg", leg) for leg in _legs(day)]
    pins = [put("mapPin", {**pin, "clientRef": f"pin-{n}"}) for n, pin in enumerate(_PINS)]
    for item in (
        {"text": "Book the Hagia Sophia tickets", "urgency": "now", "owner": bongani},
        {"text": "Buy Oyster cards", "urgency": "before_trip", "owner": alice, "done": True},
        {"text": "Pack adapters (UK and EU)", "urgency": "before_trip", "owner": chloe},
        {"text": "Find a hammam for the last evening", "urgency": "nice_to_have"},
    ):
        put("actionItem", item)
    for commitment in (
        {"title": "Welcome dinner", "startDate": day[0], "category": "dinner",
         "startTime": "19:30", "endTime": "22:00", "timezone": "Europe/London",
         "legId": legs[0], "mapPinId": pins[1], "notes": "Table for four under Alice."},
        {"title": "British Museum morning", "startDate": day[1], "category": "activity",
         "startTime": "10:00", "endTime": "13:00", "timezone": "Europe/London",
         "legId": legs[0], "mapPinId": pins[0]},
        {"title": "Chloé's birthday", "startDate": day[3], "category": "birthday",
         "isAllDay": True, "legId": legs[1]},
        {"title": "Street-art walk", "startDate": day[3], "category": "activity",
         "startTime": "14:00", "timezone": "Europe/Berlin", "legId": legs[1],
         "mapPinId": pins[2]},
        {"title": "Call with the Istanbul host", "startDate": day[5], "category": "meeting",
         "startTime": "09:00", "endTime": "09:30", "timezone": "Europe/Berlin"},
        {"title": "Ferry across the Bosphorus", "startDate": day[6], "category": "other",
         "startTime": "11:00", "timezone": "Europe/Istanbul", "legId": legs[2]},
    ):  # fmt: skip
        put("commitment", commitment)

    general = _channel_id(sb, trip, "general")
    logistics = sb.create_channel(trip, "logistics")
    first = sb.post_message(trip, general, author_id=alice, content="Welcome to the trip chat!")
    sb.post_message(
        trip,
        general,
        author_id=bongani,
        content="Can't wait. Who is in for the museum on day two?",
    )
    sb.post_message(trip, general, author_id=chloe, content="Me! 🙋", parent_id=str(first["_id"]))
    sb.post_message(
        trip,
        logistics,
        author_id=alice,
        content="Flights are booked; confirmations are in the trip.",
    )

    keys = [sb.create_key(user, list(SCOPE_BASES)) for user in users]
    return {
        "users": [
            {"id": user, "name": person[0], "apiKey": key}
            for user, person, key in zip(users, _PEOPLE, keys, strict=True)
        ],
        "trips": [
            {
                "id": trip,
                "title": "London, Berlin & Istanbul",
                "channels": [
                    {"id": general, "name": "general"},
                    {"id": logistics, "name": "logistics"},
                ],
            }
        ],
    }


def _channel_id(sb: Sandbox, trip_id: str, name: str) -> str:
    row = sb.context.conn.execute(
        "SELECT id FROM channels WHERE trip_id = ? AND name = ?", (trip_id, name)
    ).fetchone()
    return str(row[0])
