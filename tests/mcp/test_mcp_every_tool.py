"""An agent drives every tool of `osoto-bridge mcp`, over stdio and Streamable HTTP.

Given the sandbox's demo trip and the server started as an agent starts it, when the
agent lists the tools and calls each one (reads and writes, a bad argument, a 404,
a resource), then each answer is Osoto's, and Osoto holds exactly what was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from mcp import ClientSession, types
from mcp_harness import DemoWorld, Served, over_http, over_stdio

from osoto_bridge.mcp import ALL_TOOLS, API_DOCS_URI
from osoto_bridge.osoto import OsotoClient

Transport = Callable[..., AbstractAsyncContextManager[Served]]


class Agent:
    """Calls tools the way a model does, and remembers which it called."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.called: set[str] = set()

    async def result(self, tool: str, /, **arguments: Any) -> types.CallToolResult:
        self.called.add(tool)
        return await self.session.call_tool(tool, arguments)

    async def ok(self, tool: str, /, **arguments: Any) -> Any:
        result = await self.result(tool, **arguments)
        assert not result.isError, f"{tool}: {result.content}"
        if result.structuredContent is None:
            block = result.content[0]
            assert isinstance(block, types.TextContent)
            return block.text
        return result.structuredContent

    async def error(self, tool: str, /, **arguments: Any) -> dict[str, Any]:
        result = await self.result(tool, **arguments)
        assert result.isError, f"{tool} should have failed: {result.content}"
        assert result.structuredContent is not None
        error: dict[str, Any] = result.structuredContent["error"]
        block = result.content[0]
        assert isinstance(block, types.TextContent) and error["code"] in block.text
        return error


async def _trips_and_sharing(agent: Agent, trip: str) -> str:
    me = await agent.ok("me")
    assert me["user"]["name"] == "Alice Martin" and me["defaultGroupId"]
    trips = await agent.ok("list_trips")
    assert [t["_id"] for t in trips["items"]] == [trip]
    assert (await agent.ok("get_trip", tripId=trip))["title"] == "London, Berlin & Istanbul"
    new = await agent.ok(
        "create_trip", title="Lisbon weekend", startDate="2027-03-05", endDate="2027-03-07"
    )
    renamed = await agent.ok("update_trip", tripId=new["_id"], title="Lisbon long weekend")
    assert renamed["title"] == "Lisbon long weekend"
    archived = await agent.ok("archive_trip", tripId=new["_id"])
    assert archived.get("status", "completed") == "completed"
    export = await agent.ok("export_trip", tripId=trip)
    assert len(export["legs"]) == 3 and export["members"]
    members = await agent.ok("list_members", tripId=trip)
    assert {m["name"] for m in members["items"]} >= {"Alice Martin", "Daichi Sato"}
    token = (await agent.ok("create_share_token", tripId=trip))["token"]
    shared = await agent.ok("get_shared_trip", token=token)
    assert shared["_id"] == trip and "wifiPassword" not in str(shared)
    shared_export = await agent.ok("get_shared_export", token=token)
    assert shared_export["legs"] and "tea-and-scones-42" not in str(shared_export)
    assert "tea-and-scones-42" in str(export)  # the key's own export keeps secrets
    assert (await agent.ok("revoke_share_token", tripId=trip)) == {"ok": True}
    revoked = await agent.error("get_shared_trip", token=token)
    assert revoked["code"] in ("NOT_FOUND", "UNAUTHORIZED") and revoked["requestId"]
    return str(new["_id"])


async def _legs(agent: Agent, trip: str) -> None:
    page = await agent.ok("list_legs", tripId=trip, limit=2)
    assert len(page["data"]) == 2 and page["hasMore"] is True
    leg = await agent.ok(
        "create_leg",
        tripId=trip,
        order=3,
        title="Cappadocia",
        destination="Göreme, Türkiye",
        startDate="2027-01-01",
        endDate="2027-01-02",
        timezone="Europe/Istanbul",
        accommodation={"name": "Cave hotel", "doorCode": "4711"},
        stays=[{"name": "Cave hotel", "clientRef": "stay-cave"}],
        clientRef="leg-cappadocia",
    )
    assert leg["accommodation"]["doorCode"] == "4711"
    merged = await agent.ok(
        "batch_upsert_legs",
        tripId=trip,
        items=[
            {
                "order": 3,
                "title": "Cappadocia balloons",
                "destination": "Göreme, Türkiye",
                "startDate": "2027-01-01",
                "endDate": "2027-01-02",
                "timezone": "Europe/Istanbul",
                "clientRef": "leg-cappadocia",
            },
            {
                "order": 4,
                "title": "Izmir",
                "destination": "Izmir",
                "startDate": "2027-01-03",
                "endDate": "2027-01-04",
                "timezone": "Europe/Istanbul",
                "clientRef": "leg-izmir",
            },
        ],
    )
    assert [r["status"] for r in merged["results"]] == ["updated", "created"], merged
    assert merged["results"][0]["id"] == leg["_id"]
    izmir = merged["results"][1]["id"]
    moved = await agent.ok("update_leg", tripId=trip, itemId=izmir, destination="İzmir")
    assert moved["destination"] == "İzmir"
    assert await agent.ok("delete_leg", tripId=trip, itemId=izmir) == {"ok": True}


async def _checklist_pins_events(agent: Agent, trip: str, owner: str) -> None:
    items = await agent.ok("list_action_items", tripId=trip)
    assert len(items["data"]) == 4
    item = await agent.ok(
        "create_action_item", tripId=trip, text="Book the balloon ride", urgency="now", owner=owner
    )
    batch = await agent.ok(
        "batch_upsert_action_items",
        tripId=trip,
        items=[{"text": "Print the e-visa", "urgency": "before_trip", "clientRef": "visa"}],
    )
    assert batch["results"][0]["status"] == "created"
    done = await agent.ok("update_action_item", tripId=trip, itemId=item["_id"], done=True)
    assert done["done"] is True
    assert await agent.ok("delete_action_item", tripId=trip, itemId=batch["results"][0]["id"])

    pins = await agent.ok("list_map_pins", tripId=trip)
    assert pins["data"]
    pin = await agent.ok("create_map_pin", tripId=trip, name="Uchisar Castle", lat=38.63, lng=34.80)
    upserted = await agent.ok(
        "batch_upsert_map_pins",
        tripId=trip,
        items=[{"name": "Love Valley", "lat": 38.66, "lng": 34.83, "clientRef": "love-valley"}],
    )
    assert upserted["results"][0]["status"] == "created"
    noted = await agent.ok(
        "update_map_pin", tripId=trip, itemId=pin["_id"], notes="Sunset", category="viewpoint"
    )
    assert noted["notes"] == "Sunset" and noted["lat"] == 38.63
    assert await agent.ok("delete_map_pin", tripId=trip, itemId=upserted["results"][0]["id"])

    events = await agent.ok("list_commitments", tripId=trip)
    assert len(events["data"]) == 6
    event = await agent.ok(
        "create_commitment",
        tripId=trip,
        title="Balloon ride",
        startDate="2027-01-02",
        category="activity",
        startTime="05:30",
        mapPinId=pin["_id"],
    )
    later = await agent.ok("update_commitment", tripId=trip, itemId=event["_id"], startTime="06:00")
    assert later["startTime"] == "06:00"
    spare = await agent.ok(
        "create_commitment", tripId=trip, title="Spare", startDate="2027-01-02", category="other"
    )
    assert await agent.ok("delete_commitment", tripId=trip, itemId=spare["_id"])


async def _messages_and_sync(agent: Agent, trip: str) -> None:
    channels = await agent.ok("list_channels", tripId=trip)
    logistics = next(c["_id"] for c in channels["items"] if c["name"] == "logistics")
    general = await agent.ok("list_messages", tripId=trip)
    assert general["data"][0]["content"] == "Welcome to the trip chat!"
    post = await agent.ok("post_message", tripId=trip, content="Balloons booked for Jan 2 🎈")
    reply = await agent.ok(
        "reply_to_message", tripId=trip, parentId=post["_id"], content="Wear warm clothes"
    )
    assert reply["parentId"] == post["_id"] and reply["channelId"] == post["channelId"]
    newer = await agent.ok("list_messages", tripId=trip, cursor=general["nextCursor"])
    assert [m["content"] for m in newer["data"]] == [post["content"], "Wear warm clothes"]
    other = await agent.ok("list_messages", tripId=trip, channelId=logistics, limit=1)
    assert other["data"][0]["content"].startswith("Flights are booked")

    preview = await agent.ok(
        "sync_trip",
        tripId=trip,
        dryRun=True,
        mapPins=[{"name": "Pasabag", "lat": 38.67, "lng": 34.86, "clientRef": "pasabag"}],
    )
    assert preview["dryRun"] is True and preview["mapPins"]["created"] == 1
    synced = await agent.ok(
        "sync_trip",
        tripId=trip,
        mapPins=[{"name": "Pasabag", "lat": 38.67, "lng": 34.86, "clientRef": "pasabag"}],
        actionItems=[{"text": "Book the balloon ride", "urgency": "now", "clientRef": "ride"}],
    )
    assert synced["mapPins"]["created"] == 1 and synced["actionItems"]["created"] == 1


async def _answers(agent: Agent, trip: str) -> None:
    where = await agent.ok("where", tripId=trip, day="tomorrow")
    assert "Berlin" in where or "London" in where
    assert "**" in where  # Markdown by default
    plain = await agent.ok("where", tripId=trip, day="tomorrow", format="plain")
    assert "**" not in plain
    assert "spree-2026" not in plain and "tea-and-scones-42" not in plain
    plan = await agent.ok("plan", tripId=trip)
    assert "Istanbul" in plan
    assert "Welcome dinner" in await agent.ok("next", tripId=trip) or "Ferry" in plan
    todo = await agent.ok("todo", tripId=trip)
    assert "Hagia Sophia" in todo and "Buy Oyster cards" not in todo  # done items hidden
    assert "Print the e-visa" not in todo  # deleted above: the snapshot is not stale
    assert "Uchisar" in await agent.ok("pins", tripId=trip)
    assert "Bongani" in await agent.ok("who", tripId=trip)
    assert "London, Berlin & Istanbul" in await agent.ok("trip_summary", tripId=trip, language="ko")


async def _failures(agent: Agent, trip: str) -> None:
    missing = await agent.error("get_trip", tripId="no-such-trip")
    assert missing["code"] == "NOT_FOUND" and missing["status"] == 404
    assert missing["requestId"].startswith("req_")
    bad = await agent.error("create_map_pin", tripId=trip, name="Nowhere", lat="north", lng=1)
    assert bad["code"] == "INVALID_ARGUMENT" and bad["details"][0]["path"] == "lat"
    unknown = await agent.error("list_trips", tripId=trip)  # no such argument
    assert unknown["code"] == "INVALID_ARGUMENT"
    empty = await agent.error("update_map_pin", tripId=trip, itemId="any")
    assert empty["code"] == "INVALID_ARGUMENT" and "at least one field" in empty["message"]
    refused = await agent.error(
        "create_leg",
        tripId=trip,
        order=9,
        title="Bad dates",
        destination="X",
        startDate="2027-01-05",
        endDate="2027-01-01",
        timezone="Mars/Olympus",
    )
    assert refused["code"] == "VALIDATION_ERROR" and refused["requestId"]


@pytest.mark.parametrize("transport", [over_stdio, over_http], ids=["stdio", "http"])
async def test_an_agent_uses_every_tool_and_osoto_holds_what_it_wrote(
    world: DemoWorld, transport: Transport
) -> None:
    async with transport("--base-url", world.base_url, key=world.key) as served:
        listed = await served.session.list_tools()
        assert sorted(t.name for t in listed.tools) == sorted(spec.name for spec in ALL_TOOLS)
        assert all(t.description and t.inputSchema["type"] == "object" for t in listed.tools)
        agent = Agent(served.session)
        trip = world.trip_id
        new_trip = await _trips_and_sharing(agent, trip)
        await _legs(agent, trip)
        await _checklist_pins_events(agent, trip, world.user_id(1))
        await _messages_and_sync(agent, trip)
        await _answers(agent, trip)
        await _failures(agent, trip)

        resources = await served.session.list_resources()
        uris = [str(r.uri) for r in resources.resources]
        assert API_DOCS_URI in uris and f"osoto://trips/{trip}/export" in uris
        guide = await served.session.read_resource(API_DOCS_URI)  # type: ignore[arg-type]
        assert "Idempotency-Key" in guide.contents[0].text  # type: ignore[union-attr]
        read = await served.session.read_resource(f"osoto://trips/{trip}/export")  # type: ignore[arg-type]
        assert "Uchisar Castle" in read.contents[0].text  # type: ignore[union-attr]
        templates = await served.session.list_resource_templates()
        assert templates.resourceTemplates[0].uriTemplate == "osoto://trips/{tripId}/export"

        assert agent.called == {spec.name for spec in ALL_TOOLS}
        assert world.key not in served.stderr()

    async with OsotoClient(world.key, world.base_url) as osoto:
        export = await osoto.export_trip(trip)
        archived = await osoto.get_trip(new_trip)
        general = next(c for c in await osoto.list_channels(trip) if c.name == "general")
        messages = [m async for m in osoto.iterate_messages(trip, general.id)]
    legs = {leg.title: leg for leg in export.legs}
    assert "Cappadocia balloons" in legs and "Izmir" not in legs
    assert legs["Cappadocia balloons"].stays[0].client_ref == "stay-cave"
    assert legs["Cappadocia balloons"].start_date == dt.date(2027, 1, 1)
    texts = [item.text for item in export.action_items]
    assert texts.count("Book the balloon ride") == 2 and "Print the e-visa" not in texts
    assert next(i for i in export.action_items if i.client_ref is None and i.done).owner
    pins = {pin.name: pin for pin in export.map_pins}
    assert pins["Uchisar Castle"].notes == "Sunset" and "Love Valley" not in pins
    assert [p.client_ref for p in export.map_pins].count("pasabag") == 1  # the dry run wrote none
    events = {c.title: c for c in export.commitments}
    assert events["Balloon ride"].start_time == "06:00" and "Spare" not in events
    assert archived.status == "completed" and archived.title == "Lisbon long weekend"
    assert [m.content for m in messages[-2:]] == [
        "Balloons booked for Jan 2 🎈",
        "Wear warm clothes",
    ]
