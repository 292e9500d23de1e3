"""Checking a key before linking: it reports exactly the scopes that work."""

from __future__ import annotations

import json

import httpx
import pytest
from relay_world import ALL_SCOPES, BASE_URL, World

from osoto_bridge.osoto import OsotoClient
from osoto_bridge.osoto.key_inspection import LinkError, inspect_key
from osoto_bridge.osoto.trip_finder import trips_in_scopes
from osoto_bridge.relay.link_service import LinkService


async def test_a_full_key_can_do_everything(world: World) -> None:
    report = await inspect_key(world.client, trip_id=world.trip_id)
    assert report.channel.name == "general"
    assert {s.rsplit(":", 1)[0] for s in report.scopes} == {
        "messages:read",
        "messages:write",
        "trips:read",
        "trips:write",
    }
    assert report.warnings == ()
    assert await world.osoto_messages() == []  # the write probes wrote nothing


async def test_a_read_only_key_is_told_what_it_cannot_do(world: World) -> None:
    assert world.pool is not None
    key = world.sandbox.create_key(world.owner_id, [f"messages:read:{world.trip_id}"])
    report = await inspect_key(world.pool.client_for_key(key), trip_id=world.trip_id)
    assert report.scopes == (f"messages:read:{world.trip_id}",)
    assert not report.can("messages:write") and not report.can("trips:write")
    assert any("messages:write" in w for w in report.warnings)
    assert any("trips:read" in w for w in report.warnings)


async def test_a_key_without_message_access_is_refused_with_the_scope_to_add(
    world: World,
) -> None:
    assert world.pool is not None
    key = world.sandbox.create_key(world.owner_id, ["trips:read"])
    with pytest.raises(LinkError, match=f"messages:read:{world.trip_id}"):
        await inspect_key(world.pool.client_for_key(key), trip_id=world.trip_id)


async def test_an_unknown_channel_lists_the_real_ones(world: World) -> None:
    with pytest.raises(LinkError, match="#general"):
        await inspect_key(world.client, trip_id=world.trip_id, channel="nope")


async def test_a_viewers_key_is_not_reported_able_to_change_the_trip(world: World) -> None:
    # Osoto checks trips:write before the body (the probe's 400) but the role after it:
    # a viewer's key passes the probe and is still refused every change.
    assert world.pool is not None
    world.sandbox.add_trip_member(world.trip_id, world.companion_id, "viewer")
    key = world.sandbox.create_key(world.companion_id, list(ALL_SCOPES))
    report = await inspect_key(world.pool.client_for_key(key), trip_id=world.trip_id)
    assert report.role == "viewer"
    assert report.has_scope("trips:write")
    assert not report.can("trips:write")
    assert report.can("messages:write")  # viewers may still talk
    assert any("viewer" in w and "/todo add" in w for w in report.warnings)


async def test_an_editors_key_can_change_the_trip(world: World) -> None:
    assert world.pool is not None
    world.sandbox.add_trip_member(world.trip_id, world.companion_id, "editor")
    key = world.sandbox.create_key(world.companion_id, list(ALL_SCOPES))
    report = await inspect_key(world.pool.client_for_key(key), trip_id=world.trip_id)
    assert report.role == "editor" and report.can("trips:write")
    assert report.warnings == ()


async def test_write_access_is_not_claimed_when_the_role_cannot_be_read(world: World) -> None:
    assert world.pool is not None
    scopes = [f"{s}:{world.trip_id}" for s in ("messages:read", "trips:write")]
    key = world.sandbox.create_key(world.owner_id, scopes)
    report = await inspect_key(world.pool.client_for_key(key), trip_id=world.trip_id)
    assert report.role is None and not report.can("trips:write")
    assert any("role" in w and "trips:read" in w for w in report.warnings)


async def test_the_trip_is_found_from_the_channels_the_key_can_list(world: World) -> None:
    # trips:read everywhere, messages only for one trip: the trip to link is that one.
    assert world.pool is not None
    group = world.sandbox.create_group("Other", owner_id=world.owner_id)
    world.sandbox.create_trip(
        group_id=group, title="Porto", start_date="2027-01-01", end_date="2027-01-03"
    )
    scopes = ["trips:read", f"messages:read:{world.trip_id}", f"messages:write:{world.trip_id}"]
    key = world.sandbox.create_key(world.owner_id, scopes)
    report = await inspect_key(world.pool.client_for_key(key))
    assert report.trip_id == world.trip_id and report.trip_title == "Lisbon"


async def test_a_messages_only_key_is_told_to_pass_the_trip_and_why(world: World) -> None:
    assert world.pool is not None
    scopes = [f"messages:read:{world.trip_id}", f"messages:write:{world.trip_id}"]
    key = world.sandbox.create_key(world.owner_id, scopes)
    with pytest.raises(LinkError, match=r"--trip ID.*") as caught:
        await inspect_key(world.pool.client_for_key(key))
    assert "trips:read" in str(caught.value)
    report = await inspect_key(world.pool.client_for_key(key), trip_id=world.trip_id)
    assert report.can("messages:read") and report.can("messages:write")


def _messages_only(world: World) -> str:
    scopes = [f"messages:read:{world.trip_id}", f"messages:write:{world.trip_id}"]
    return world.sandbox.create_key(world.owner_id, scopes)


async def test_a_messages_only_key_links_without_the_trip_once_a_chat_links_it(
    world: World,
) -> None:
    # The recommended per-trip key: Osoto lists it no trip, but the bridge links the
    # trip already (a Telegram group), so its Slack channel links without --trip.
    assert world.store is not None and world.pool is not None
    await world.link(world.telegram, "-100")
    links = LinkService(store=world.store, pool=world.pool)
    report = await links.verify(_messages_only(world))
    assert report.trip_id == world.trip_id and report.trip_title == "Lisbon"
    assert report.can("messages:read") and report.can("messages:write")


async def test_a_linked_trip_the_key_cannot_reach_is_not_taken(world: World) -> None:
    assert world.store is not None and world.pool is not None
    await world.link(world.telegram, "-100")
    group = world.sandbox.create_group("Other", owner_id=world.owner_id)
    other = world.sandbox.create_trip(
        group_id=group, title="Porto", start_date="2027-01-01", end_date="2027-01-03"
    )
    key = world.sandbox.create_key(world.owner_id, [f"messages:read:{other}"])
    links = LinkService(store=world.store, pool=world.pool)
    with pytest.raises(LinkError) as caught:
        await links.verify(key)
    message = str(caught.value)
    assert "--trip ID" in message and "trips:read" in message
    assert "none of the 1 trip(s) this bridge links" in message
    assert "\n" not in message
    report = await links.verify(key, trip_id=other)  # named, it links
    assert report.trip_id == other


class _MeSaysTheScopes(httpx.AsyncBaseTransport):
    """An Osoto whose /me also describes the key, as a real deployment may."""

    def __init__(self, inner: httpx.AsyncBaseTransport, scopes: list[str]) -> None:
        self._inner = inner
        self._scopes = scopes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.url.path.endswith("/me") and response.status_code == 200:
            body = json.loads(await response.aread())
            body["key"] = {"scopes": self._scopes}
            return httpx.Response(200, json=body, headers={"X-Request-Id": "req-me"})
        return response


async def test_a_messages_only_key_whose_scopes_osoto_shows_names_its_trip(
    world: World,
) -> None:
    scopes = [f"messages:read:{world.trip_id}", f"messages:write:{world.trip_id}"]
    key = world.sandbox.create_key(world.owner_id, scopes)
    transport = _MeSaysTheScopes(world.transport, scopes)
    async with OsotoClient(key, BASE_URL, transport=transport) as client:
        report = await inspect_key(client)
    assert report.trip_id == world.trip_id
    assert report.trip_title == world.trip_id  # no trips:read, no link: only the id


def test_the_trips_a_keys_scopes_name() -> None:
    assert trips_in_scopes(["messages:read:t1", "messages:write:t1", "trips:read:t2"]) == ("t1",)
    assert trips_in_scopes(["messages:read", "messages:read:t1"]) == ()
    assert trips_in_scopes(["messages:read:t1", "messages:read:t2"]) == ("t1", "t2")
    assert trips_in_scopes(["messages:reader:t1", "messages:read:", "trips:read"]) == ()
