"""What a key may do on one trip: the one place a scope question is answered.

Osoto grants a scope either on every trip the user reaches (``trips:write``) or on
one trip (``trips:write:<tripId>``). Every part of the bridge that asks "may this
link read messages / change the checklist?" asks a `Scopes` value, so the two forms
mean the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MESSAGES_READ", "MESSAGES_WRITE", "SCOPE_NAMES", "TRIPS_READ", "TRIPS_WRITE", "Scopes"]

MESSAGES_READ = "messages:read"
MESSAGES_WRITE = "messages:write"
TRIPS_READ = "trips:read"
TRIPS_WRITE = "trips:write"
SCOPE_NAMES: tuple[str, ...] = (MESSAGES_READ, MESSAGES_WRITE, TRIPS_READ, TRIPS_WRITE)
"""The four scopes of the Osoto API, in the order the bridge shows them."""


@dataclass(frozen=True, slots=True)
class Scopes:
    """The scopes a key was granted, as they apply to one trip.

    Attributes:
        trip_id: the trip the questions are about.
        granted: the key's scopes as stored (either form).
    """

    trip_id: str
    granted: tuple[str, ...]

    def allows(self, scope: str) -> bool:
        """Whether ``scope`` (a bare name, ``trips:write``) is granted on the trip."""
        return scope in self.granted or f"{scope}:{self.trip_id}" in self.granted

    def missing(self, needed: Iterable[str]) -> tuple[str, ...]:
        """The scopes of ``needed`` not granted on the trip, in their order."""
        return tuple(scope for scope in needed if not self.allows(scope))

    @property
    def names(self) -> tuple[str, ...]:
        """The bare names granted on the trip, in `SCOPE_NAMES` order then the rest."""
        known = [name for name in SCOPE_NAMES if self.allows(name)]
        other = [
            scope
            for scope in self.granted
            if scope.removesuffix(f":{self.trip_id}") not in SCOPE_NAMES
        ]
        return tuple(known + other)
