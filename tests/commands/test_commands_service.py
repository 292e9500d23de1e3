"""The command service end to end: the real client against the real sandbox (ASGI).

Given the sandbox's demo trip (London, Berlin, Istanbul; it started yesterday), when
someone in the linked chat types a command, then the bridge answers from the trip,
writes when the key allows it, and apologises (with the request id) when Osoto fails.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from osoto_bridge.commands import (
    DONE_ACTION,
    CommandContext,
    CommandService,
    LinkStatus,
    ShareLinks,
    SnapshotCache,
)
from osoto_bridge.osoto import OsotoClient, RetryPolicy, ShareToken
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import NotifySettings
from osoto_bridge.text import render_plain

BASE = "http://sandbox.test/api/v1"
TODAY = dt.date(2026, 7, 15)
NOW = dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC)  # 10:00 in London, day 2


class FakeClock:
    """Monotonic time for the client's pacing and backoff; sleeping only moves it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class Counting(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox app, counting them by method and path."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    def count(self, method: str, suffix: str) -> int:
        return sum(1 for m, p in self.seen if m == method and p.endswith(suffix))


class Unreachable(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


@dataclass
class World:
    sandbox: Sandbox
    trip_id: str
    alice: str
    full_key: str
    transport: Counting
    clock: FakeClock

    def client(self, key: str | None = None, **kwargs: Any) -> OsotoClient:
        return OsotoClient(
            key or self.full_key,
            BASE,
            transport=kwargs.pop("transport", self.transport),
            clock=self.clock,
            sleep=self.clock.sleep,
            **kwargs,
        )

    def key(self, *scopes: str) -> str:
        return self.sandbox.create_key(self.alice, list(scopes))

    def ctx(self, **changes: Any) -> CommandContext:
        base = CommandContext(
            trip_id=self.trip_id,
            language="en",
            show_sensitive=False,
            scopes=("trips:read", "trips:write", "messages:read", "messages:write"),
            is_admin=False,
            is_group=True,
            now=NOW,
            platform="telegram",
        )
        return replace(base, **changes)


@pytest.fixture
def world() -> Iterator[World]:
    with Sandbox(":memory:") as sandbox:
        seeded = sandbox.seed_demo(today=TODAY)
        alice = seeded["users"][0]
        yield World(
            sandbox,
            seeded["trips"][0]["id"],
            alice["id"],
            alice["apiKey"],
            Counting(httpx.ASGITransport(app=sandbox.app)),
            FakeClock(),
        )


@pytest.fixture
async def client(world: World) -> AsyncIterator[OsotoClient]:
    async with world.client() as opened:
        yield opened


@pytest.fixture
def service() -> CommandService:
    return CommandService(cache=SnapshotCache(ttl=30))


async def ask(
    service: CommandService, text: str, ctx: CommandContext, client: OsotoClient, **kw: Any
) -> str:
    reply = await service.handle(text, ctx, client, **kw)
    assert reply is not None
    return render_plain(reply.document)


async def test_where_today_answers_from_the_demo_trip(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    text = await ask(service, "/where", world.ctx(), client)
    assert "London" in text
    assert "Holborn Townhouse" in text
    assert "day 2 of 8" in text
    assert "4711#" not in text  # the door code stays out of the group


async def test_an_opted_in_chat_sees_the_door_code(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    text = await ask(service, "/where", world.ctx(show_sensitive=True), client)
    assert "4711#" in text
    assert "tea-and-scones-42" in text


async def test_where_tomorrow_in_korean_moves_to_berlin(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    text = await ask(service, "/where 내일", world.ctx(language="ko"), client)
    assert "Berlin" in text
    assert "BA 982" in text
    assert "체크인" in text


async def test_ten_concurrent_commands_fetch_the_snapshot_once(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    commands = ["/where", "/todo", "/next", "/plan", "/pins", "/who", "/trip", "/where tue"]
    replies = await asyncio.gather(
        *(service.handle(commands[n % len(commands)], world.ctx(), client) for n in range(10))
    )
    assert all(reply is not None for reply in replies)
    assert world.transport.count("GET", "/export") == 1


async def test_todo_lists_open_items_with_done_buttons(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    reply = await service.handle("/todo", world.ctx(), client)
    assert reply is not None
    text = render_plain(reply.document)
    assert "1. Book the Hagia Sophia tickets · Bongani Dlamini" in text
    assert "Buy Oyster cards" not in text  # done already
    buttons = [b for row in reply.document.buttons for b in row]
    assert [b.label for b in buttons] == ["✓ 1", "✓ 2", "✓ 3"]
    assert {b.action_id for b in buttons} == {DONE_ACTION}


async def test_todo_add_writes_and_the_next_answer_sees_it(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    await ask(service, "/todo", world.ctx(), client)  # warm the cache
    added = await ask(service, "/todo add Buy SIM cards --now", world.ctx(), client)
    assert "Buy SIM cards" in added
    listed = await ask(service, "/todo", world.ctx(), client)
    assert "Buy SIM cards" in listed
    export = await client.export_trip(world.trip_id)
    assert [i.urgency for i in export.action_items if i.text == "Buy SIM cards"] == ["now"]


async def test_todo_add_defaults_to_now_during_the_trip(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    await ask(service, "/todo add 환전하기", world.ctx(), client)
    export = await client.export_trip(world.trip_id)
    assert [i.urgency for i in export.action_items if i.text == "환전하기"] == ["now"]


async def test_a_redelivered_command_message_writes_once(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    ctx = world.ctx(message_id="tg:-1001:42")
    await ask(service, "/todo add Book a taxi", ctx, client)
    await ask(service, "/todo add Book a taxi", ctx, client)
    export = await client.export_trip(world.trip_id)
    assert [i.text for i in export.action_items].count("Book a taxi") == 1


async def test_done_by_number_and_by_button(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    done = await ask(service, "/done 1", world.ctx(), client)
    assert "Book the Hagia Sophia tickets" in done
    reply = await service.handle("/todo", world.ctx(), client)
    assert reply is not None
    assert "Hagia Sophia" not in render_plain(reply.document)
    first = reply.document.buttons[0][0]
    pressed = await service.handle_action(first.action_id, first.value, world.ctx(), client)
    assert "Pack adapters" in render_plain(pressed.document)
    export = await client.export_trip(world.trip_id)
    assert sum(1 for i in export.action_items if not i.done) == 1


async def test_done_by_words(world: World, service: CommandService, client: OsotoClient) -> None:
    assert "Pack adapters" in await ask(service, "/done adapters", world.ctx(), client)
    missing = await ask(service, "/done unicorn", world.ctx(), client)
    assert "No open item matches" in missing


async def test_writes_without_the_scope_say_which_one_to_add(
    world: World, service: CommandService
) -> None:
    read_only = ("trips:read", "messages:read", "messages:write")
    async with world.client(world.key(*read_only)) as client:
        for command in ("/todo add Buy SIM cards", "/done 1", "/share"):
            reply = await service.handle(
                command, world.ctx(scopes=read_only, is_admin=True), client
            )
            assert reply is not None and reply.ephemeral
            text = render_plain(reply.document)
            assert "trips:write" in text
            assert f"trips:write:{world.trip_id}" in text
        pressed = await service.handle_action(
            DONE_ACTION, "anything", world.ctx(scopes=read_only), client
        )
        assert "trips:write" in render_plain(pressed.document)
    assert world.transport.count("POST", "/action-items") == 0
    assert world.transport.count("PATCH", "") == 0


async def test_reads_without_the_scope_say_which_one_to_add(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    await ask(service, "/trip", world.ctx(), client)  # another chat's snapshot is cached
    no_read = ("messages:read", "messages:write")
    for command in ("/where", "/todo", "/trip", "/done 1"):
        reply = await service.handle(command, world.ctx(scopes=(*no_read, "trips:write")), client)
        assert reply is not None and reply.ephemeral
        text = render_plain(reply.document)
        assert "trips:read" in text
        assert "Japan" not in text and "London" not in text
    assert world.transport.count("GET", "/export") == 1


async def test_a_trip_limited_write_scope_is_enough(world: World, service: CommandService) -> None:
    scopes = (f"trips:read:{world.trip_id}", f"trips:write:{world.trip_id}")
    async with world.client(world.key(*scopes)) as client:
        text = await ask(service, "/todo add Buy SIM cards", world.ctx(scopes=scopes), client)
    assert "Added to the list" in text


async def test_share_is_for_admins_and_off_revokes(world: World, client: OsotoClient) -> None:
    made: list[str] = []

    def links(token: ShareToken) -> ShareLinks:
        made.append(token.token)
        return ShareLinks(f"https://bridge.test/share/{token.token}", "https://bridge.test/f.ics")

    service = CommandService(cache=SnapshotCache(ttl=30), share_url=links)
    refused = await service.handle("/share", world.ctx(is_admin=False), client)
    assert refused is not None and refused.ephemeral
    assert "only a chat admin" in render_plain(refused.document)
    assert world.transport.count("POST", "/share-token") == 0

    reply = await service.handle("/share", world.ctx(is_admin=True), client)
    assert reply is not None
    urls = [
        span.url
        for block in reply.document.blocks
        for span in getattr(block, "spans", ())
        if hasattr(span, "url")
    ]
    (token,) = made
    assert urls == [f"https://bridge.test/share/{token}", "https://bridge.test/f.ics"]
    async with httpx.AsyncClient(transport=world.transport) as http:
        shared = await http.get(f"{client.base_url}/shared/trips/{token}/export")
        assert shared.status_code == 200
        assert "4711#" not in shared.text
        await ask(service, "/share off", world.ctx(is_admin=True), client)
        assert (await http.get(f"{client.base_url}/shared/trips/{token}")).status_code == 404


async def test_share_without_a_public_url_says_what_to_set_and_makes_no_token(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    for language in ("en", "ko"):
        text = await ask(service, "/share", world.ctx(is_admin=True, language=language), client)
        assert "OSOTO_BRIDGE_PUBLIC_URL" in text
    assert world.transport.count("POST", "/share-token") == 0
    assert "운영자" in await ask(service, "/share", world.ctx(is_admin=True, language="ko"), client)


async def test_lang_sets_the_language_for_the_caller_to_keep(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    reply = await service.handle("/lang ko", world.ctx(), client)
    assert reply is not None
    assert reply.set_language == "ko"
    assert "한국어" in render_plain(reply.document)
    unknown = await service.handle("/lang klingon", world.ctx(), client)
    assert unknown is not None and unknown.set_language is None


async def test_status_and_help_need_no_snapshot(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    status = LinkStatus("London, Berlin & Istanbul", "general", ("trips:read",), NOW, None, 0, "fp")
    text = await ask(service, "/status", world.ctx(status=status), client)
    assert "messages:read" in text  # named as missing
    assert "/where" in await ask(service, "/help", world.ctx(), client)
    assert world.transport.seen == []


async def test_what_is_not_a_command_for_us(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    ctx = world.ctx()
    assert await service.handle("hello there", ctx, client) is None
    assert await service.handle("/where@OtherBot", ctx, client, bot_username="MyBot") is None
    unknown = await service.handle("/frobnicate", ctx, client, bot_username="MyBot")
    assert unknown is not None and unknown.ephemeral
    assert "/frobnicate" in render_plain(unknown.document)
    assert world.transport.seen == []


async def test_slacks_single_slash_command(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    ctx = world.ctx(platform="slack")
    text = await ask(service, "where tomorrow", ctx, client, slashless=True)
    assert "Berlin" in text
    assert "/osoto where" in await ask(service, "", ctx, client, slashless=True)
    unknown = await ask(service, "frobnicate", ctx, client, slashless=True)
    assert "/osoto frobnicate" in unknown


async def test_a_forbidden_read_names_the_scope(world: World, service: CommandService) -> None:
    async with world.client(world.key("messages:read")) as client:
        reply = await service.handle("/where", world.ctx(), client)
    assert reply is not None
    text = render_plain(reply.document)
    assert "trips:read" in text
    assert "Request id: req_" in text


async def test_an_unknown_trip_gets_an_apology_with_the_request_id(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    reply = await service.handle("/trip", world.ctx(trip_id="jx7nope"), client)
    assert reply is not None and reply.ephemeral
    assert "Request id: req_" in render_plain(reply.document)


async def test_an_unreachable_osoto_gets_a_short_apology(
    world: World, service: CommandService
) -> None:
    async with world.client(transport=Unreachable(), retry=RetryPolicy(max_attempts=2)) as client:
        for command in ("/where", "/todo add x"):
            reply = await service.handle(command, world.ctx(), client)
            assert reply is not None
            assert "couldn't reach Osoto" in render_plain(reply.document)
        pressed = await service.handle_action(DONE_ACTION, "a1", world.ctx(), client)
        assert "couldn't reach Osoto" in render_plain(pressed.document)


async def test_an_unknown_button_is_answered_politely(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    reply = await service.handle_action("mystery", "x", world.ctx(), client)
    assert reply.ephemeral
    assert world.transport.seen == []


class MemorySettings:
    """A `NotifySettingsPort` holding one chat's settings."""

    def __init__(self) -> None:
        self.settings = NotifySettings()
        self.saves = 0

    async def load(self, ctx: CommandContext) -> NotifySettings | None:
        return self.settings

    async def save(self, ctx: CommandContext, settings: NotifySettings) -> None:
        self.settings = settings
        self.saves += 1


async def test_remind_brief_notify_show_for_all_and_change_for_admins(
    world: World, client: OsotoClient
) -> None:
    port = MemorySettings()
    writes: list[tuple[str, str]] = []
    service = CommandService(cache=SnapshotCache(ttl=30))
    service.attach_notifications(port, lambda trip, entity: writes.append((trip, entity)))
    shown = await ask(service, "/remind", world.ctx(), client)
    assert "Reminders before commitments: 1 h" in shown and "Morning briefing: off" in shown
    refused = await ask(service, "/remind 30m", world.ctx(), client)
    assert "admin" in refused and port.saves == 0
    assert "30 min" in await ask(service, "/remind 30m", world.ctx(is_admin=True), client)
    assert "4 h" in await ask(service, "/remind flights 4h", world.ctx(is_admin=True), client)
    assert "08:00" in await ask(service, "/brief 8am", world.ctx(is_admin=True), client)
    assert "Plan changes: off" in await ask(
        service, "/notify changes off", world.ctx(is_admin=True), client
    )
    assert port.settings == NotifySettings(
        changes=False, commitment_lead=1800, flight_lead=14400, brief_at="08:00"
    )
    usage = await ask(service, "/remind someday", world.ctx(is_admin=True), client)
    assert "/remind [flights] 30m|4h|off" in usage
    korean = await ask(service, "/알림", world.ctx(language="ko"), client)
    assert "아침 브리핑: 08:00" in korean and "일정 변경 알림: 꺼짐" in korean
    # a write from a command is reported (the watch fetches at once, and skips this chat)
    await ask(service, "/done 1", world.ctx(), client)
    assert len(writes) == 1 and writes[0][0] == world.trip_id


async def test_settings_commands_without_a_watch_say_so(
    world: World, service: CommandService, client: OsotoClient
) -> None:
    assert "does not post notifications" in await ask(service, "/notify", world.ctx(), client)
