"""Trip plans for the announcement tests: London, then Tokyo, as wire-shaped dicts."""

from __future__ import annotations

import copy
from typing import Any

from osoto_bridge.osoto import TripExport

SECRET = "door-4711"


def base_plan() -> dict[str, Any]:
    """London (Europe/London, across the end of BST) then Tokyo (Asia/Tokyo)."""
    return {
        "trip": {
            "_id": "trip1",
            "title": "London & Tokyo",
            "startDate": "2026-10-22",
            "endDate": "2026-11-02",
        },
        "legs": [
            {
                "_id": "lon",
                "order": 0,
                "title": "London",
                "startDate": "2026-10-22",
                "endDate": "2026-10-27",
                "timezone": "Europe/London",
                "accommodation": {
                    "name": "The Hoxton",
                    "address": "81 Great Eastern St",
                    "checkIn": "2026-10-22T15:00",
                    "checkOut": "2026-10-27T11:00",
                    "doorCode": SECRET,
                },
                "flights": [
                    {
                        "airline": "JL",
                        "flightNumber": "42",
                        "from": "LHR",
                        "to": "HND",
                        "departAt": "2026-10-27T19:00",
                        "arriveAt": "2026-10-28T16:00",
                        "confirmationNumber": "CONF-JL",
                    }
                ],
            },
            {
                "_id": "tyo",
                "order": 1,
                "title": "Tokyo",
                "startDate": "2026-10-28",
                "endDate": "2026-11-02",
                "timezone": "Asia/Tokyo",
            },
        ],
        "commitments": [
            {
                "_id": "c-dinner",
                "title": "Dinner at Dishoom",
                "startDate": "2026-10-24",
                "startTime": "19:30",
                "legId": "lon",
            },
            {
                "_id": "c-sushi",
                "title": "Sushi",
                "startDate": "2026-10-29",
                "startTime": "20:00",
                "legId": "tyo",
            },
        ],
        "actionItems": [
            {"_id": "t-rail", "text": "Buy rail passes", "owner": "u-bo", "done": False},
            {"_id": "t-yen", "text": "Get yen", "done": False},
        ],
        "mapPins": [{"_id": "p1", "name": "Borough Market", "lat": 51.5, "lng": -0.09}],
        "members": [
            {"userId": "u-ann", "name": "Ann", "role": "owner"},
            {"userId": "u-bo", "name": "Bo", "role": "editor"},
        ],
    }


def plan(mutate: Any = None) -> TripExport:
    """The base plan, optionally changed in place by `mutate(dict)` first."""
    data = copy.deepcopy(base_plan())
    if mutate is not None:
        mutate(data)
    return TripExport.model_validate(data)
