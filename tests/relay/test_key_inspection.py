"""Checking a key before linking: it reports exactly the scopes that work."""

from __future__ import annotations

import pytest
from relay_world import World

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
