"""The safe projection used by share views: sensitive fields removed everywhere."""

from __future__ import annotations

from typing import Any

SENSITIVE_FIELDS = frozenset(
    {"wifiPassword", "doorCode", "hostPhone", "confirmationNumber", "checkInInstructions"}
)


def strip_sensitive(value: Any) -> Any:
    """Return a copy of `value` with every sensitive field removed at any depth."""
    if isinstance(value, dict):
        return {k: strip_sensitive(v) for k, v in value.items() if k not in SENSITIVE_FIELDS}
    if isinstance(value, list):
        return [strip_sensitive(v) for v in value]
    return value


def public_member(member: dict[str, Any]) -> dict[str, Any]:
    """A member as the share view shows them: name and role only."""
    return {"name": member["name"], "role": member["role"]}
