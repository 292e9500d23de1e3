"""Which trip a key is for, when whoever links does not say: the one finder every link
flow uses (`links add`, Telegram's and Slack's /link), through `inspect_key`.

Osoto has no "which trips does this key reach" endpoint, and lists trips only to a key
with trips:read. So the candidates come from everything the key or the bridge can see:

1. the key's own scopes, where `/me` says them (``messages:read:<trip>`` names it);
2. the trips Osoto lists to the key (``GET /trips``, needs trips:read);
3. the trips the bridge already links (a Telegram group linked to the trip, now its
   Slack channel), those of links made with the same Osoto user first.

A candidate counts when the key can list its channels (messages:read, which every link
needs); one such trip is the answer. A key limited to one trip's messages whose trip
no link of this bridge names yet cannot be found: the error says so and asks for the id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from osoto_bridge.errors import BridgeError
from osoto_bridge.osoto.client import OsotoClient
from osoto_bridge.osoto.errors import Forbidden, NotFound
from osoto_bridge.osoto.models import Me
from osoto_bridge.osoto.pacing import Priority

__all__ = ["MAX_KNOWN_PROBES", "KnownTrip", "LinkError", "find_trip", "trips_in_scopes"]

MAX_KNOWN_PROBES = 10
"""The most trips of the bridge's links tried with one key (one request each, from the
key's 60 a minute)."""


class LinkError(BridgeError):
    """The key cannot serve the requested link; the message says why, in one line (here:
    no trip, or more than one, fits a key that names none). Key inspection raises it too."""

    kind: ClassVar[str] = "link"


@dataclass(frozen=True, slots=True)
class KnownTrip:
    """A trip the bridge already links, as a candidate for a key that names none."""

    trip_id: str
    title: str
    owner_user_id: str | None = None


def trips_in_scopes(scopes: Sequence[str]) -> tuple[str, ...]:
    """The trips a key's scopes are limited to (``messages:read:<trip>``), in order; none
    when a messages scope is unlimited (then the scopes do not single a trip out)."""
    if "messages:read" in scopes:
        return ()
    found: list[str] = []
    for scope in scopes:
        base, _, trip = scope.partition(":")
        name, _, trip_id = trip.partition(":")
        if f"{base}:{name}" == "messages:read" and trip_id and trip_id not in found:
            found.append(trip_id)
    return tuple(found)


async def find_trip(
    client: OsotoClient, me: Me, *, known: Sequence[KnownTrip] = ()
) -> tuple[str, str]:
    """The id and title of the one trip ``client``'s key is for.

    Raises:
        LinkError: none, or several, fit; the message lists them or says why.
    """
    titles: dict[str, str] = {trip.trip_id: trip.title for trip in known}
    scoped = trips_in_scopes(me.scopes)
    if len(scoped) == 1:
        return scoped[0], await _title(client, scoped[0], titles)
    try:
        listed = await client.list_trips(priority=Priority.INTERACTIVE)
    except Forbidden:
        listed = []
    titles.update({trip.id: trip.title for trip in listed})
    candidates = list(scoped) or [trip.id for trip in listed]
    if len(candidates) == 1:
        return candidates[0], await _title(client, candidates[0], titles)
    if candidates:
        # A key may read many trips but reach the messages of only one (trips:read
        # everywhere, messages:*:<trip>): the trip to link is the one whose channels
        # it can list.
        reachable = [trip for trip in candidates if await _lists_channels(client, trip)]
        return await _one(client, reachable or candidates, titles)
    tried = _known_order(known, me.user.id)[:MAX_KNOWN_PROBES]
    reachable = [trip for trip in tried if await _lists_channels(client, trip)]
    if not reachable:
        raise LinkError(_not_found(len(tried)))
    return await _one(client, reachable, titles)


def _known_order(known: Sequence[KnownTrip], user_id: str) -> list[str]:
    """Distinct trip ids, those of links made with ``user_id``'s keys first."""
    ordered = sorted(known, key=lambda trip: trip.owner_user_id != user_id)
    return list(dict.fromkeys(trip.trip_id for trip in ordered))


async def _one(client: OsotoClient, trips: list[str], titles: dict[str, str]) -> tuple[str, str]:
    if len(trips) > 1:
        listing = ", ".join(f"{trip} ({titles.get(trip, '?')})" for trip in trips[:10])
        raise LinkError(
            f"the key reaches {len(trips)} trips; say which one with --trip ID: {listing}"
        )
    return trips[0], await _title(client, trips[0], titles)


async def _title(client: OsotoClient, trip_id: str, titles: dict[str, str]) -> str:
    """The trip's title: Osoto's where the key may read the trip, else the bridge's, else
    the id."""
    try:
        return (await client.get_trip(trip_id, priority=Priority.INTERACTIVE)).title
    except (Forbidden, NotFound):
        return titles.get(trip_id, trip_id)


async def _lists_channels(client: OsotoClient, trip_id: str) -> bool:
    try:
        await client.list_channels(trip_id, priority=Priority.INTERACTIVE)
    except (Forbidden, NotFound):
        return False
    return True


def _not_found(tried: int) -> str:
    bridge = (
        f", and it reaches none of the {tried} trip(s) this bridge links already"
        if tried
        else ", and this bridge links no trip yet to try it on"
    )
    return (
        "the key does not say which trip it is for: Osoto lists trips only to a key with "
        f"trips:read, and this one has none (a key limited to one trip's messages){bridge}; "
        "pass the trip id, the id in the trip's Osoto address (`links add --trip ID`; in "
        "Telegram after the key; in Slack's Trip ID field)"
    )
