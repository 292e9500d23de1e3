"""A leg's places to sleep, each place once however many copies the snapshot holds.

Planners (and importers) often record a leg's main accommodation again as one of its
stays, and the copies drift: one carries the dates, the other only the address. Two
records of one leg are the same stay when their names match (case, spacing and
Unicode form aside), their addresses do not contradict each other and their nights
overlap or are unknown; the merged place keeps, field by field, the richest value.
Two visits to one hotel with separate dates in one leg stay two places.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from osoto_bridge.commands.tripclock import LegSpan, localize
from osoto_bridge.osoto import Accommodation

__all__ = ["merge_places", "stays_of"]

_TEXT_FIELDS = (
    "address",
    "check_in",
    "check_out",
    "wifi_password",
    "door_code",
    "host_phone",
    "confirmation_number",
    "check_in_instructions",
)


def _norm(value: str | None) -> str:
    """Compare-form of a name or address: NFKC, casefolded, single spaces, no commas."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value).casefold().replace(",", " ")
    return " ".join(text.split())


def _addresses_agree(a: str | None, b: str | None) -> bool:
    left, right = _norm(a), _norm(b)
    # "Oranienstraße 25" and "Oranienstraße 25, 10999 Berlin" are one address.
    return not left or not right or left in right or right in left


def _nights(place: Accommodation, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
    check_in, check_out = localize(place.check_in, tz), localize(place.check_out, tz)
    if check_in is None or check_out is None:
        return None
    return (check_in, check_out) if check_in <= check_out else (check_out, check_in)


def _nights_agree(a: Accommodation, b: Accommodation, tz: dt.tzinfo) -> bool:
    left, right = _nights(a, tz), _nights(b, tz)
    if left is None or right is None:
        return True  # a copy without dates says nothing against the other
    # Check-out day = next check-in day is two visits back to back, not one stay.
    return (left[0] < right[1] and right[0] < left[1]) or left == right


def _same_stay(a: Accommodation, b: Accommodation, tz: dt.tzinfo) -> bool:
    name = _norm(a.name)
    if not name or name != _norm(b.name):
        return False  # unnamed places are told apart by nothing we can trust
    return _addresses_agree(a.address, b.address) and _nights_agree(a, b, tz)


def _richer(kept: str | None, other: str | None) -> str | None:
    """The fuller of two values of one field; the earlier record wins a tie or a clash."""
    if not kept or not kept.strip():
        return other if other and other.strip() else kept
    if other and _norm(kept) != _norm(other) and _norm(kept) in _norm(other):
        return other  # the other copy says the same and more
    return kept


def merge_places(kept: Accommodation, other: Accommodation) -> Accommodation:
    """One record of a stay from two copies of it.

    Args:
        kept: The earlier copy (the leg's accommodation before its stays); its type,
            id and unknown fields are kept, and its value wins when two values clash.
        other: The later copy.

    Returns:
        `kept` with every field it lacks (or holds in a shorter form) from `other`.
    """
    update: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        value = _richer(getattr(kept, field), getattr(other, field))
        if value != getattr(kept, field):
            update[field] = value
    return kept.model_copy(update=update) if update else kept


def stays_of(span: LegSpan) -> list[Accommodation]:
    """A leg's accommodation and stays, in that order, each place once.

    Args:
        span: The leg.

    Returns:
        The places, copies of one stay merged into the first of them.
    """
    places: list[Accommodation] = []
    for place in [span.leg.accommodation, *span.leg.stays]:
        if place is None:
            continue
        for index, known in enumerate(places):
            if _same_stay(known, place, span.tz):
                places[index] = merge_places(known, place)
                break
        else:
            places.append(place)
    return places
