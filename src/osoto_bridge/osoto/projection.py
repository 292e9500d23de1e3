"""The share view's allowlist, applied on our side.

Osoto's share views strip the sensitive fields server-side; `safe_projection` does
the same to a full export, for the places where a snapshot fetched with a key is
shown to people who should not see door codes (a group chat, a log line).
"""

from __future__ import annotations

from osoto_bridge.osoto.models import (
    Accommodation,
    Flight,
    Leg,
    Member,
    RentalCar,
    Stay,
    TripExport,
)

__all__ = ["SENSITIVE_FIELDS", "safe_projection"]

SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {"wifi_password", "door_code", "host_phone", "confirmation_number", "check_in_instructions"}
)
"""Snake-case names of the fields the share view strips wherever they occur."""

_SENSITIVE_WIRE = frozenset(
    {"wifiPassword", "doorCode", "hostPhone", "confirmationNumber", "checkInInstructions"}
)


def _strip_extras(model: Accommodation | Flight | RentalCar | Leg) -> dict[str, object]:
    """Blank the sensitive names among fields a round-trip model kept but did not know."""
    extra = model.model_extra or {}
    return {k: None for k in extra if k in _SENSITIVE_WIRE}


def _safe_accommodation(acc: Accommodation) -> Accommodation:
    return acc.model_copy(
        update={
            **dict.fromkeys(SENSITIVE_FIELDS & set(type(acc).model_fields)),
            **_strip_extras(acc),
        }
    )


def _safe_stay(stay: Stay) -> Stay:
    result = _safe_accommodation(stay)
    assert isinstance(result, Stay)
    return result


def _safe_flight(flight: Flight) -> Flight:
    return flight.model_copy(update={"confirmation_number": None, **_strip_extras(flight)})


def _safe_rental_car(car: RentalCar) -> RentalCar:
    return car.model_copy(update={"confirmation_number": None, **_strip_extras(car)})


def _safe_leg(leg: Leg) -> Leg:
    return leg.model_copy(
        update={
            "accommodation": _safe_accommodation(leg.accommodation) if leg.accommodation else None,
            "stays": [_safe_stay(s) for s in leg.stays],
            "flights": [_safe_flight(f) for f in leg.flights],
            "rental_car": _safe_rental_car(leg.rental_car) if leg.rental_car else None,
            **_strip_extras(leg),
        }
    )


def _safe_member(member: Member) -> Member:
    return member.model_copy(update={"email": None, "phone": None})


def safe_projection(export: TripExport) -> TripExport:
    """Return a copy of an export with every sensitive field removed.

    Strips `wifi_password`, `door_code`, `host_phone`, `confirmation_number` and
    `check_in_instructions` from accommodations, stays, flights and rental cars, and
    members' email and phone, as Osoto's share view does.

    Args:
        export: A full trip export.

    Returns:
        The same snapshot with the sensitive fields set to None.
    """
    return export.model_copy(
        update={
            "legs": [_safe_leg(leg) for leg in export.legs],
            "members": [_safe_member(m) for m in export.members],
        }
    )
