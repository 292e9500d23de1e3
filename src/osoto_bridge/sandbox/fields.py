"""Field types for request bodies: strict JSON types plus the checks the contract needs.

Every type here refuses coercion (`"5"` is not a number) and says in its error
message what a good value looks like, because those messages go straight into
the error envelope's `details[].reason`.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, Strict, WithJsonSchema

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_LOCAL_DT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?")


@functools.cache
def _time_zones() -> frozenset[str]:
    # Membership in the tz database's list, rather than trying ZoneInfo(name), so that
    # odd names ("../x", "America/") are refused without touching the filesystem.
    return frozenset(zoneinfo.available_timezones())


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def check_date(value: str) -> str:
    """Accept a real calendar date written `YYYY-MM-DD`."""
    if not _DATE_RE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real calendar date") from None
    return value


def check_time(value: str) -> str:
    """Accept a 24-hour local time `HH:mm`."""
    if not _TIME_RE.fullmatch(value):
        raise ValueError("must be a 24-hour time written HH:mm")
    return value


def check_local_datetime(value: str) -> str:
    """Accept `YYYY-MM-DDTHH:mm` (seconds and an offset are allowed)."""
    if not _LOCAL_DT_RE.fullmatch(value):
        raise ValueError("must be a local date-time written YYYY-MM-DDTHH:mm")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real date-time") from None
    return value


def check_time_zone(value: str) -> str:
    """Accept an IANA time zone name known to the tz database."""
    if value not in _time_zones():
        raise ValueError(f"{value!r} is not a known IANA time zone (e.g. Europe/London)")
    return value


MESSAGE_MAX_CHARS = 8000
"""Longest message content accepted, in characters (documented in the wire format)."""

ShortText = Annotated[
    str, Strict(), Field(min_length=1, max_length=200), AfterValidator(_not_blank)
]
MediumText = Annotated[
    str, Strict(), Field(min_length=1, max_length=1000), AfterValidator(_not_blank)
]
LongText = Annotated[str, Strict(), Field(max_length=4000)]
FreeText = Annotated[str, Strict(), Field(max_length=500)]
Ref = Annotated[str, Strict(), Field(min_length=1, max_length=200)]
MessageText = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=MESSAGE_MAX_CHARS),
    AfterValidator(_not_blank),
]
DateStr = Annotated[
    str,
    Strict(),
    AfterValidator(check_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
TimeOfDay = Annotated[
    str,
    Strict(),
    AfterValidator(check_time),
    WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
]
LocalDateTime = Annotated[
    str,
    Strict(),
    AfterValidator(check_local_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}",
            "description": "Local date-time YYYY-MM-DDTHH:mm (seconds and an offset allowed)",
        }
    ),
]
TimeZoneName = Annotated[
    str,
    Strict(),
    AfterValidator(check_time_zone),
    WithJsonSchema(
        {"type": "string", "description": "IANA time zone name", "examples": ["Europe/London"]}
    ),
]
Latitude = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)]
Order = Annotated[int, Strict(), Field(ge=0, le=1_000_000)]
Flag = Annotated[bool, Strict()]
