"""OsotoClient and SharedTripClient over scripted answers: wire shapes, paging, lifecycle."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from osoto_fakes import FakeClock, Script, error_body, ok

from osoto_bridge.osoto import (
    ClientState,
    Flight,
    NotFound,
    OsotoClient,
    RetryPolicy,
    SharedTripClient,
    TransportError,
    key_fingerprint,
)

BASE = "http://osoto.test/api/v1"
KEY = "osk_live_supersecret_0123456789"


def make_client(script: Script, **kwargs: Any) -> OsotoClient:
    clock = FakeClock()
    return OsotoClient(
        KEY, BASE, transport=script.transport, clock=clock, sleep=clock.sleep, **kwargs
    )


def leg(n: int) -> dict[str, Any]:
    return {
        "_id": f"leg{n}",
        "order": n,
        "title": f"Leg {n}",
        "startDate": "2026-07-15",
        "endDate": "2026-07-16",
    }


async def test_the_key_never_shows_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(httpx.Response(500), httpx.Response(404, json=error_body("NOT_FOUND")))
    client = make_client(script, retry=RetryPolicy(random=lambda: 0.0))
    assert KEY not in repr(client) and KEY not in str(client)
    assert client.key_fingerprint == key_fingerprint(KEY)
    assert client.key_fingerprint in repr(client)
    assert KEY not in repr(vars(client)) and KEY not in repr(vars(client._session))
    with pytest.raises(NotFound) as info:
        await client.get_trip("t1")
    await client.aclose()
    assert caplog.records, "expected the retry to be logged"
    assert KEY not in caplog.text
    assert KEY not in str(info.value)


async def test_lifecycle_closes_only_what_it_made() -> None:
    script = Script(ok({"user": {"_id": "u", "name": "Ana"}, "groups": []}))
    async with httpx.AsyncClient(transport=script.transport) as http:
        async with OsotoClient(KEY, BASE, http=http) as client:
            assert client.state is ClientState.OPENED
            me = await client.me()
        assert client.state.value == ClientState.CLOSED.value
        assert not http.is_closed
        assert me.user.name == "Ana" and me.default_group_id is None
    with pytest.raises(RuntimeError):
        await client.me()
    with pytest.raises(RuntimeError):
        await client.__aenter__()

    owned = make_client(Script())
    async with owned:
        pass
    assert owned._session._http.is_closed
    async with httpx.AsyncClient() as other:
        with pytest.raises(ValueError):
            OsotoClient(KEY, BASE, http=other, transport=script.transport)


async def test_iterators_follow_cursors_and_return_each_item_once() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        assert request.url.params.get("limit") == "2"
        if cursor is None:
            return ok({"data": [leg(0), leg(1)], "nextCursor": "c1", "hasMore": True})
        if cursor == "c1":  # the server shifted its boundary by one: leg1 comes again
            return ok({"data": [leg(1), leg(2)], "nextCursor": "c2", "hasMore": True})
        return ok({"data": [leg(3)], "nextCursor": None, "hasMore": False})

    script = Script(page, page, page)
    async with make_client(script) as client:
        legs = [item.id async for item in client.iterate_legs("t1", limit=2)]
    assert legs == ["leg0", "leg1", "leg2", "leg3"]
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "c1", "c2"]


async def test_messages_come_oldest_first_even_from_a_newest_first_server() -> None:
    def msg(n: int) -> dict[str, Any]:
        return {"_id": f"m{n}", "_creationTime": 1e12 + n, "content": str(n), "authorId": "u"}

    script = Script(
        ok({"page": [msg(2), msg(1)], "continueCursor": "a", "isDone": False}),
        ok({"page": [msg(4), msg(3)], "continueCursor": "b", "isDone": True}),
        ok({"data": [], "nextCursor": "b", "hasMore": False}),
    )
    async with make_client(script) as client:
        messages = [m.content async for m in client.iterate_messages("t1", "c/1")]
        page = await client.list_messages("t1", "c/1", cursor="b")
    assert messages == ["1", "2", "3", "4"]
    assert page.data == [] and page.next_cursor == "b" and not page.has_more
    assert script.requests[0].url.raw_path.endswith(b"/channels/c%2F1/messages")


async def test_fields_go_out_camel_case_and_nested() -> None:
    created = {**leg(0), "accommodation": {"name": "Inn", "wifiPassword": "pw"}}
    script = Script(
        ok(created, 201),
        ok({"_id": "m1", "content": "hi", "parentId": "m0"}, 201),
        ok({"_id": "a1", "text": "Book", "urgency": "now", "done": True}),
    )
    async with make_client(script) as client:
        made = await client.create_leg(
            "t1",
            order=0,
            title="Leg 0",
            destination="Tokyo",
            start_date="2026-07-15",
            end_date="2026-07-16",
            timezone="Asia/Tokyo",
            accommodation={"name": "Inn", "wifi_password": "pw", "check_in": "2026-07-15T15:00"},
            flights=[Flight(from_="LHR", to="HND", flight_number="JL44")],
            client_ref="leg-0",
        )
        reply = await client.post_message("t1", "c1", "hi", parent_id="m0")
        item = await client.update_action_item("t1", "a1", done=True)
    leg_body, message_body, patch_body = script.bodies()
    assert leg_body["accommodation"] == {
        "name": "Inn",
        "wifiPassword": "pw",
        "checkIn": "2026-07-15T15:00",
    }
    assert leg_body["flights"] == [{"from": "LHR", "to": "HND", "flightNumber": "JL44"}]
    assert leg_body["clientRef"] == "leg-0" and "rentalCar" not in leg_body
    assert message_body == {"content": "hi", "parentId": "m0"}
    assert patch_body == {"done": True}
    assert made.accommodation is not None and made.accommodation.wifi_password == "pw"
    assert reply.parent_id == "m0" and item.done


async def test_batches_over_fifty_split_with_stable_keys_and_offset_indices() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)["items"]
        results = [{"index": i, "status": "created", "id": f"p{i}"} for i in range(len(items))]
        if len(items) < 50:
            results[-1] = {"index": len(items) - 1, "status": "error", "error": {"code": "X"}}
            return ok({"results": results}, 207)
        return ok({"results": results})

    script = Script(answer, answer, answer)
    pins = [{"name": f"p{i}", "lat": 1.0, "lng": 2.0, "client_ref": f"r{i}"} for i in range(120)]
    async with make_client(script) as client:
        result = await client.batch_upsert_map_pins("t1", pins, idempotency_key="import-7")
    assert [len(b["items"]) for b in script.bodies()] == [50, 50, 20]
    assert script.bodies()[0]["items"][0] == {
        "name": "p0",
        "lat": 1.0,
        "lng": 2.0,
        "clientRef": "r0",
    }
    keys = [r.headers["Idempotency-Key"] for r in script.requests]
    assert keys == ["import-7:0", "import-7:1", "import-7:2"]
    assert [r.index for r in result.results] == list(range(120))
    assert result.status_code == 207 and [r.index for r in result.failed] == [119]
    assert script.requests[0].url.path.endswith("/trips/t1/map-pins:batch")


async def test_sync_sends_dry_run_and_reads_counts() -> None:
    body = {
        "dryRun": True,
        "legs": {
            "created": 1,
            "updated": 0,
            "errors": 0,
            "results": [{"index": 0, "status": "created"}],
        },
        "mapPins": {"created": 0, "updated": 1, "errors": 0, "results": []},
    }
    script = Script(ok(body))
    async with make_client(script) as client:
        result = await client.sync_trip(
            "t1", legs=[leg(0)], map_pins=[{"name": "x", "lat": 0, "lng": 0}], dry_run=True
        )
    request = script.requests[0]
    assert request.url.params["dryRun"] == "true"
    assert set(json.loads(request.content)) == {"legs", "mapPins"}
    assert result.dry_run and result.legs is not None and result.legs.created == 1
    assert result.action_items is None and result.ok and result.status_code == 200


async def test_shared_client_sends_no_key_and_hides_the_token() -> None:
    token = "shr_secret_token_value"
    trip = {"_id": "t", "title": "x", "startDate": "2026-07-15", "endDate": "2026-07-16"}
    script = Script(
        ok({**trip, "legs": [leg(0)]}),
        ok({"trip": trip, "legs": [], "members": [{"userId": "u", "name": "Ana"}]}),
        *[httpx.ConnectError("down") for _ in range(2)],
    )
    clock = FakeClock()
    shared = SharedTripClient(
        token,
        BASE,
        transport=script.transport,
        clock=clock,
        sleep=clock.sleep,
        retry=RetryPolicy(max_attempts=2),
    )
    async with shared:
        view = await shared.get()
        export = await shared.export()
        with pytest.raises(TransportError) as info:
            await shared.get()
    assert view.legs[0].id == "leg0" and export.members[0].email is None
    assert all("Authorization" not in r.headers for r in script.requests)
    assert script.requests[1].url.path == f"/api/v1/shared/trips/{token}/export"
    assert token not in repr(shared) and token not in str(info.value)
