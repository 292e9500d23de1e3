"""The client against the real sandbox app (through ASGI), with injected faults and time."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from osoto_fakes import SANDBOX_BASE as BASE
from osoto_fakes import FaultyTransport, World

from osoto_bridge.osoto import (
    ApiError,
    Forbidden,
    IdempotencyConflict,
    LimiterRegistry,
    NotFound,
    OsotoClient,
    Priority,
    RateLimited,
    RetryPolicy,
    SharedTripClient,
    Unauthorized,
    ValidationError,
    safe_projection,
)


def client_for(world: World, transport: httpx.AsyncBaseTransport, **kwargs: object) -> OsotoClient:
    return OsotoClient(
        world.key,
        BASE,
        transport=transport,
        clock=world.clock,
        sleep=world.clock.sleep,
        **kwargs,  # type: ignore[arg-type]
    )


def asgi(world: World) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=world.sandbox.app)


async def test_the_quick_tour_of_the_typescript_example(world: World) -> None:
    async with client_for(world, asgi(world)) as client:
        me = await client.me()
        assert me.default_group_id == world.group_id
        trip = await client.create_trip(
            group_id=me.default_group_id,
            title="Cotswolds",
            start_date="2026-07-15",
            end_date="2026-07-22",
        )
        for n in range(5):
            await client.create_leg(
                trip.id,
                order=n,
                title=f"Day {n}",
                destination="Bibury",
                start_date="2026-07-15",
                end_date="2026-07-16",
                timezone="Europe/London",
            )
        titles = [leg.title async for leg in client.iterate_legs(trip.id, limit=2)]
        trips = await client.list_trips()
    assert titles == [f"Day {n}" for n in range(5)]
    assert {t.id for t in trips} == {world.trip_id, trip.id}


@pytest.mark.parametrize(
    "faults",
    [["timeout", "500", "lost"], ["lost"], ["lost", "lost", "500"]],
    ids=["timeout-500-lost", "lost", "lost-lost-500"],
)
async def test_a_retried_post_makes_exactly_one_row(world: World, faults: list[str]) -> None:
    transport = FaultyTransport(asgi(world), faults)
    retry = RetryPolicy(random=lambda: 0.5)
    async with client_for(world, transport, retry=retry) as client:
        posted = await client.post_message(world.trip_id, world.channel_id, "Bring umbrellas")
        page = await client.list_messages(world.trip_id, world.channel_id)
    assert [m.content for m in page.data] == ["Bring umbrellas"]
    assert page.data[0].id == posted.id
    posts = [r for r in transport.requests if r.method == "POST"]
    assert len(posts) == len(faults) + 1
    assert len({r.headers["Idempotency-Key"] for r in posts}) == 1
    if "lost" in faults:
        assert transport.responses[0].headers.get("Idempotent-Replayed") == "true"


async def test_a_retried_create_without_client_ref_makes_one_row(world: World) -> None:
    transport = FaultyTransport(asgi(world), ["lost", "500"])
    async with client_for(world, transport, retry=RetryPolicy(random=lambda: 0.1)) as client:
        pin = await client.create_map_pin(world.trip_id, name="Sensoji", lat=35.71, lng=139.79)
        pins = [p async for p in client.iterate_map_pins(world.trip_id)]
    assert [p.id for p in pins] == [pin.id]


async def spend_the_window_behind_our_back(world: World) -> None:
    """Another process using the same key spends its whole window."""
    headers = {"Authorization": f"Bearer {world.key}"}
    async with httpx.AsyncClient(transport=asgi(world), base_url=BASE) as rogue:
        while (await rogue.get("/me", headers=headers)).status_code != 429:
            pass


async def test_a_429_waits_the_advised_time_on_the_fake_clock(world: World) -> None:
    await spend_the_window_behind_our_back(world)
    transport = FaultyTransport(asgi(world), [])
    async with client_for(world, transport) as client:
        start = world.clock.now
        me = await client.me()
    assert me.user.id == world.user_id
    first, second = transport.statuses[0], transport.statuses[-1]
    assert (first, second, len(transport.statuses)) == (429, 200, 2)
    advised = float(transport.responses[0].headers["Retry-After"])
    assert world.clock.now - start == pytest.approx(advised)
    assert world.clock.sleeps == [advised]


async def test_a_burst_of_200_calls_on_one_key_meets_no_429(world: World) -> None:
    registry = LimiterRegistry(clock=world.clock, sleep=world.clock.sleep)
    transport = FaultyTransport(asgi(world), [])
    # two clients of one key share the key's limiter through the registry
    first = client_for(world, transport, limiters=registry)
    second = client_for(world, transport, limiters=registry)
    assert first.limiter is second.limiter
    start = world.clock.now
    async with first, second, asyncio.TaskGroup() as tg:
        tasks = [
            tg.create_task(
                (first if n % 2 else second).get_trip(
                    world.trip_id,
                    priority=Priority.BACKGROUND if n % 3 else Priority.INTERACTIVE,
                )
            )
            for n in range(200)
        ]
    assert all(t.result().id == world.trip_id for t in tasks)
    assert transport.statuses.count(429) == 0 and len(transport.statuses) == 200
    # Background calls leave 12 of each 61 s window to interactive ones: 60 go at once
    # (interactive first), then 48 a window, so the last of the 200 starts in window four.
    elapsed = world.clock.now - start
    assert elapsed == pytest.approx(4 * 61.0)
    assert first.limiter.snapshot().rate_limited == 0


async def test_iterators_return_every_message_once_and_the_cursor_resumes(world: World) -> None:
    for n in range(7):
        world.sandbox.post_message(
            world.trip_id, world.channel_id, author_id=world.user_id, content=f"m{n}"
        )
        world.clock.now += 1
    async with client_for(world, asgi(world)) as client:
        seen = [
            m.content
            async for m in client.iterate_messages(world.trip_id, world.channel_id, limit=3)
        ]
        page = await client.list_messages(world.trip_id, world.channel_id, limit=100)
        assert page.next_cursor is not None
        world.sandbox.post_message(
            world.trip_id, world.channel_id, author_id=world.user_id, content="later"
        )
        newer = await client.list_messages(world.trip_id, world.channel_id, cursor=page.next_cursor)
    assert seen == [f"m{n}" for n in range(7)]
    assert [m.content for m in newer.data] == ["later"]


async def test_each_error_code_maps_to_its_class_with_the_request_id(world: World) -> None:
    transport = FaultyTransport(asgi(world), [])
    other_group = world.sandbox.create_group("Others", owner_id=world.sandbox.create_user("Bo"))
    foreign_trip = world.sandbox.create_trip(
        group_id=other_group, title="Not ours", start_date="2026-01-01", end_date="2026-01-02"
    )
    cases: list[tuple[type[ApiError], int]] = []
    async with client_for(world, transport, retry=RetryPolicy(max_rate_limited=0)) as client:
        with pytest.raises(NotFound) as not_found:
            await client.get_trip("jx7doesnotexist")
        cases.append((NotFound, 404))
        with pytest.raises(Forbidden) as forbidden:
            await client.get_trip(foreign_trip)
        cases.append((Forbidden, 403))
        with pytest.raises(ValidationError) as invalid:
            await client.create_trip(
                group_id=world.group_id, title="Bad", start_date="2026-07-22", end_date="2026-07-15"
            )
        cases.append((ValidationError, 400))
        await client.post_message(world.trip_id, world.channel_id, "one", idempotency_key="k1")
        with pytest.raises(IdempotencyConflict) as conflict:
            await client.post_message(world.trip_id, world.channel_id, "two", idempotency_key="k1")
        cases.append((IdempotencyConflict, 409))
        await spend_the_window_behind_our_back(world)
        with pytest.raises(RateLimited) as limited:
            await client.me()
        cases.append((RateLimited, 429))
    async with OsotoClient("osk_wrong", BASE, transport=transport) as stranger:
        with pytest.raises(Unauthorized) as unauthorized:
            await stranger.me()
        cases.append((Unauthorized, 401))
    errors = [not_found, forbidden, invalid, conflict, limited, unauthorized]
    answered = [r for r in transport.responses if r.status_code >= 400]
    assert len(answered) == len(errors)
    for info, (cls, status), response in zip(errors, cases, answered, strict=True):
        error = info.value
        assert type(error) is cls and error.status == status
        assert error.request_id is not None
        assert error.request_id == response.headers["X-Request-Id"]
    assert any(d.path for d in invalid.value.details)
    assert limited.value.retry_after is not None and limited.value.retry_after >= 1


async def test_share_view_matches_our_safe_projection(world: World) -> None:
    async with client_for(world, asgi(world)) as client:
        await client.create_leg(
            world.trip_id,
            order=0,
            title="Bibury",
            destination="Bibury",
            start_date="2026-07-15",
            end_date="2026-07-17",
            timezone="Europe/London",
            accommodation={
                "name": "Swan Hotel",
                "check_in": "2026-07-15T15:00",
                "wifi_password": "trout",
                "door_code": "1234",
                "host_phone": "+44 1285 000",
                "confirmation_number": "SW-1",
                "check_in_instructions": "Ring the bell",
            },
            flights=[
                {
                    "flight_number": "BA1",
                    "from_": "LHR",
                    "to": "EDI",
                    "depart_at": "2026-07-17T09:00",
                    "confirmation_number": "BA-X",
                }
            ],
            rental_car={"company": "Hertz", "confirmation_number": "HZ-9"},
        )
        export = await client.export_trip(world.trip_id)
        share = await client.create_share_token(world.trip_id)
        async with SharedTripClient(share.token, BASE, transport=asgi(world)) as shared:
            view = await shared.get()
            shared_export = await shared.export()
        await client.revoke_share_token(world.trip_id)
        async with SharedTripClient(share.token, BASE, transport=asgi(world)) as shared:
            with pytest.raises(NotFound):
                await shared.get()
    acc = export.legs[0].accommodation
    assert acc is not None and acc.wifi_password == "trout"
    assert export.members[0].email == "ana@example.com"
    mine = safe_projection(export)
    assert [leg.to_wire() for leg in shared_export.legs] == [leg.to_wire() for leg in mine.legs]
    assert [leg.to_wire() for leg in view.legs] == [leg.to_wire() for leg in mine.legs]
    assert shared_export.members[0].email is None and shared_export.members[0].phone is None
    assert "trout" not in shared_export.model_dump_json()


async def test_batches_and_sync_against_the_sandbox(world: World) -> None:
    items = [
        {"text": f"Task {n}", "urgency": "before_trip", "client_ref": f"t{n}"} for n in range(60)
    ]
    items.append({"text": "Bad urgency", "urgency": "yesterday"})
    async with client_for(world, asgi(world)) as client:
        created = await client.batch_upsert_action_items(world.trip_id, items)
        again = await client.batch_upsert_action_items(world.trip_id, items[:3])
        all_items = [i async for i in client.iterate_action_items(world.trip_id)]
        legs = [
            {
                "order": 0,
                "title": "Tokyo",
                "destination": "Tokyo",
                "start_date": "2026-07-15",
                "end_date": "2026-07-20",
                "timezone": "Asia/Tokyo",
                "client_ref": "leg-tok-1",
            }
        ]
        pins = [{"name": "Sensoji", "lat": 35.7148, "lng": 139.7967, "client_ref": "pin-sensoji"}]
        dry = await client.sync_trip(world.trip_id, legs=legs, map_pins=pins, dry_run=True)
        assert [p async for p in client.iterate_map_pins(world.trip_id)] == []
        real = await client.sync_trip(world.trip_id, legs=legs, map_pins=pins)
        repeat = await client.sync_trip(world.trip_id, legs=legs, map_pins=pins)
    assert created.status_code == 207 and [r.index for r in created.failed] == [60]
    assert sum(r.status == "created" for r in created.results) == 60
    assert [r.status for r in again.results] == ["updated"] * 3
    assert len(all_items) == 60
    assert dry.dry_run and not real.dry_run
    assert dry.legs is not None and real.legs is not None
    assert (dry.legs.created, dry.legs.updated) == (real.legs.created, real.legs.updated) == (1, 0)
    assert repeat.map_pins is not None and repeat.map_pins.updated == 1
