"""Turning snake_case keyword arguments into the wire's camelCase JSON."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

__all__ = ["camel_key", "to_wire_value"]

_SPECIAL = {"from_": "from"}


def camel_key(key: str) -> str:
    """Return the wire name of a field name: `start_date` -> `startDate`.

    Names without an inner underscore (already camelCase, or one word) and Convex's
    system names (`_id`) pass through unchanged; `from_` becomes `from`.

    Args:
        key: A snake_case (or already wire) field name.
    """
    if key in _SPECIAL:
        return _SPECIAL[key]
    if key.startswith("_") or "_" not in key:
        return key
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_wire_value(value: Any) -> Any:
    """Convert a value for a JSON body: models, mappings, dates, enums, recursively.

    Args:
        value: A field value as a caller passed it.

    Returns:
        A JSON-ready value with camelCase keys.
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {camel_key(str(k)): to_wire_value(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        # The wire's leg date-times are minutes precise: `2026-07-15T15:00`.
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, enum.Enum):
        return to_wire_value(value.value)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [to_wire_value(v) for v in value]
    return value
