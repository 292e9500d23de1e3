"""Checking a key before linking: it reports exactly the scopes that work."""

from __future__ import annotations

import pytest
from relay_world import ALL_SCOPES, World

from osoto_bridge.osoto.key_inspection import LinkError, inspect_key


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
