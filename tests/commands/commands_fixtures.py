"""Trip snapshots for the command tests, built from wire-shaped dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from osoto_bridge.osoto import TripExport

SECRETS = (
    "hunter2",
    "4711#",
    "+81 3 5555 0101",
    "CONF-HOTEL-1",
    "Key under the mat",
    "FLIGHT-CONF-9",
    "CAR-CONF-7",
    "beach-wifi",
    "alice@example.com",
    "+44 7700 900001",
)
"""Every sensitive value in `japan_hawaii()`; none may reach a group unasked."""


def leg(
    leg_id: str,
    order: int,
    title: str,
    start: str,
    end: str,
    tz: str,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "_id": leg_id,
        "order": order,
        "title": title,
        "destination": title,
        "startDate": start,
        "endDate": end,
        "timezone": tz,
        **extra,
    }


def trip_export(start: str, end: str, legs: list[dict[str, Any]], **extra: Any) -> TripExport:
    return TripExport.model_validate(
        {
            "trip": {"_id": "trip1", "title": "Test trip", "startDate": start, "endDate": end},
            "legs": legs,
            **extra,
        }
    )


def japan_hawaii() -> TripExport:
    """Tokyo then Honolulu: crosses the date line eastward (July 18 happens twice)."""
    return TripExport.model_validate(
        {
            "trip": {
                "_id": "trip1",
                "title": "Japan & Hawaii",
                "startDate": "2026-07-14",
                "endDate": "2026-07-22",
                "status": "active",
            },
            "legs": [
                leg(
                    "l1",
                    0,
                    "Tokyo",
                    "2026-07-14",
                    "2026-07-18",
                    "Asia/Tokyo",
                    accommodation={
                        "name": "Hotel Gracery",
                        "address": "1-19-1 Kabukicho, Shinjuku, Tokyo",
                        "checkIn": "2026-07-14T15:00",
                        "checkOut": "2026-07-18T11:00",
                        "wifiPassword": "hunter2",
                        "doorCode": "4711#",
                        "hostPhone": "+81 3 5555 0101",
                        "confirmationNumber": "CONF-HOTEL-1",
                        "checkInInstructions": "Key under the mat",
                    },
                    flights=[
                        {
                            "airline": "JAL",
                            "flightNumber": "JL44",
                            "from": "LHR",
                            "to": "HND",
                            "departAt": "2026-07-13T19:00+01:00",
                            "arriveAt": "2026-07-14T15:00",
                            "confirmationNumber": "FLIGHT-CONF-9",
                        }
                    ],
                ),
                leg(
                    "l2",
                    1,
                    "Honolulu",
                    "2026-07-18",
                    "2026-07-22",
                    "Pacific/Honolulu",
                    stays=[
                        {
                            "_id": "s1",
                            "name": "Beach House",
                            "address": "2500 Kalakaua Ave, Honolulu",
                            "checkIn": "2026-07-18T16:00",
                            "checkOut": "2026-07-22T10:00",
                            "wifiPassword": "beach-wifi",
                        }
                    ],
                    flights=[
                        {
                            "airline": "HA",
                            "flightNumber": "HA458",
                            "from": "HND",
                            "to": "HNL",
                            "departAt": "2026-07-18T21:00+09:00",
                            "arriveAt": "2026-07-18T09:30",
                        }
                    ],
                    rentalCar={
                        "company": "Hertz",
                        "pickupAt": "2026-07-18T11:00",
                        "dropoffAt": "2026-07-22T08:00",
                        "pickupLocation": "HNL airport",
                        "confirmationNumber": "CAR-CONF-7",
                    },
                ),
            ],
            "mapPins": [
                {"_id": "p1", "name": "Sensoji", "lat": 35.7148, "lng": 139.7967,
                 "category": "sight"},
                {"_id": "p2", "name": "Ichiran Shibuya", "lat": 35.6604, "lng": 139.7017,
                 "category": "food", "notes": "ramen, cash only"},
                {"_id": "p3", "name": "Leonard's Bakery", "lat": 21.2847, "lng": -157.8130,
                 "category": "food"},
            ],
            "actionItems": [
                {"_id": "a1", "text": "Book the ferry", "urgency": "now", "owner": "u1"},
                {"_id": "a2", "text": "Buy plug adapters", "urgency": "before_trip"},
                {"_id": "a3", "text": "Learn the hula", "urgency": "nice_to_have",
                 "owner": "u2"},
                {"_id": "a4", "text": "Renew passports", "urgency": "now", "done": True},
                {"_id": "a5", "text": "Book the ferry back", "urgency": "before_trip"},
            ],
            "commitments": [
                {"_id": "c1", "title": "Sushi dinner", "startDate": "2026-07-15",
                 "category": "dinner", "startTime": "19:00", "endTime": "21:00",
                 "legId": "l1", "mapPinId": "p1", "notes": "bring cash"},
                {"_id": "c2", "title": "Anna's birthday", "startDate": "2026-07-16",
                 "category": "birthday", "isAllDay": True},
                {"_id": "c3", "title": "Surf lesson", "startDate": "2026-07-19",
                 "category": "activity", "startTime": "08:00", "timezone": "Pacific/Honolulu"},
            ],
            "members": [
                {"userId": "u1", "name": "Alice", "role": "owner",
                 "email": "alice@example.com", "phone": "+44 7700 900001"},
                {"userId": "u2", "name": "Bob", "role": "editor"},
                {"userId": "u3", "name": "Chloé", "role": "viewer"},
            ],
        }
    )  # fmt: skip


def at(value: str) -> dt.datetime:
    """An aware instant from ISO text with an offset (`2026-07-15T01:00+00:00`)."""
    moment = dt.datetime.fromisoformat(value)
    assert moment.tzinfo is not None
    return moment
