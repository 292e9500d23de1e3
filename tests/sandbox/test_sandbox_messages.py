"""Seed: Messages (channels, listing oldest first with a resume cursor, posting)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_support import ClientFactory, World, assert_error

from osoto_bridge.sandbox import MESSAGE_MAX_CHARS


def _post(world: World, n: int, channel: str | None = None) -> list[str]:
    return [
        world.sb.post_message(
            world.trip, channel or world.general, author_id=world.bob, content=f"m{i}"
        )["_id"]
        for i in range(n)
    ]


async def test_channels_start_with_general_and_include_new_ones(
    alice: httpx.AsyncClient, world: World
) -> None:
    logistics = world.sb.create_channel(world.trip, "logistics")
    data = (await alice.get(f"/trips/{world.trip}/channels")).json()["data"]
    assert [(c["_id"], c["name"], c["tripId"]) for c in data] == [
        (world.general, "general", world.trip),
        (logistics, "logistics", world.trip),
    ]
    with pytest.raises(ValueError, match="already has a channel"):
        world.sb.create_channel(world.trip, "logistics")


async def test_post_message_and_read_it_back(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    posted = await alice.post(url, json={"content": "Hello 👋"})
    assert posted.status_code == 201
    message = posted.json()
    assert message["authorId"] == world.alice and message["authorName"] == "Alice"
    assert message["channelId"] == world.general and message["tripId"] == world.trip
    assert "parentId" not in message
    reply = (await alice.post(url, json={"content": "re", "parentId": message["_id"]})).json()
    assert reply["parentId"] == message["_id"]
    page = (await alice.get(url)).json()
    assert [m["content"] for m in page["data"]] == ["Hello 👋", "re"]
    assert page["data"][0] == message


async def test_parent_must_be_in_the_channel(alice: httpx.AsyncClient, world: World) -> None:
    other = world.sb.create_channel(world.trip, "other")
    (elsewhere,) = _post(world, 1, other)
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    response = await alice.post(url, json={"content": "x", "parentId": elsewhere})
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"][0]["path"] == "parentId"


async def test_unknown_channel_is_404(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/channels/jx7nochannel/messages"
    assert_error(await alice.get(url), 404, "NOT_FOUND")
    assert_error(await alice.post(url, json={"content": "x"}), 404, "NOT_FOUND")


async def test_content_limits(alice: httpx.AsyncClient, world: World) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    assert (await alice.post(url, json={"content": "x" * MESSAGE_MAX_CHARS})).status_code == 201
    for content in ("", "   ", "x" * (MESSAGE_MAX_CHARS + 1), 5, None):
        response = await alice.post(url, json={"content": content})
        assert assert_error(response, 400, "VALIDATION_ERROR")["details"][0]["path"] == "content"
    with pytest.raises(ValueError, match="content"):
        world.sb.post_message(world.trip, world.general, author_id=world.bob, content=" ")


async def test_pages_oldest_first_default_50_max_100(
    alice: httpx.AsyncClient, world: World
) -> None:
    ids = _post(world, 120)
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    first = (await alice.get(url)).json()
    assert [m["_id"] for m in first["data"]] == ids[:50]
    assert first["hasMore"] is True
    second = (await alice.get(url, params={"cursor": first["nextCursor"], "limit": 100})).json()
    assert [m["_id"] for m in second["data"]] == ids[50:120]
    assert second["hasMore"] is False
    assert second["nextCursor"]
    for limit in (0, 101, -1):
        response = await alice.get(url, params={"limit": limit})
        assert assert_error(response, 400, "VALIDATION_ERROR")["details"][0]["path"] == "limit"


async def test_stored_cursor_later_yields_only_newer_messages(
    alice: httpx.AsyncClient, world: World
) -> None:
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    empty = (await alice.get(url)).json()
    assert empty == {"data": [], "nextCursor": empty["nextCursor"], "hasMore": False}
    assert empty["nextCursor"]  # never null, even for an empty channel
    cursor = empty["nextCursor"]
    seen: list[str] = []
    expected: list[str] = []
    for burst in (3, 0, 7, 1):
        expected += _post(world, burst)
        page = (await alice.get(url, params={"cursor": cursor, "limit": 2})).json()
        while True:
            seen += [m["_id"] for m in page["data"]]
            assert page["nextCursor"]
            cursor = page["nextCursor"]
            if not page["hasMore"]:
                break
            # Messages arriving between pages land after the cursor: no gaps, no repeats.
            expected += _post(world, 1)
            page = (await alice.get(url, params={"cursor": cursor, "limit": 2})).json()
    assert seen == expected
    idle = (await alice.get(url, params={"cursor": cursor})).json()
    assert idle["data"] == [] and idle["nextCursor"] == cursor


async def test_cursor_of_another_channel_or_garbled_is_400(
    alice: httpx.AsyncClient, world: World
) -> None:
    other = world.sb.create_channel(world.trip, "other")
    _post(world, 1, other)
    page = (await alice.get(f"/trips/{world.trip}/channels/{other}/messages")).json()
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    for cursor in (page["nextCursor"], "garbage!", "e30", ""):
        response = await alice.get(url, params={"cursor": cursor})
        assert assert_error(response, 400, "VALIDATION_ERROR")["details"][0]["path"] == "cursor"


async def test_messages_need_message_scopes(make_client: ClientFactory, world: World) -> None:
    reader = make_client(world.key(world.alice, "messages:read"))
    url = f"/trips/{world.trip}/channels/{world.general}/messages"
    assert (await reader.get(url)).status_code == 200
    assert_error(await reader.post(url, json={"content": "x"}), 403, "FORBIDDEN")
    trips_only = make_client(world.key(world.alice, "trips:read", "trips:write"))
    assert_error(await trips_only.get(f"/trips/{world.trip}/channels"), 403, "FORBIDDEN")
