"""The relay benchmark's world: N trips in Osoto, each linked to a group and a channel.

Osoto is seeded through the sandbox's Python API in its SQLite file before it serves
(one transaction): per trip an owner who links it, with a key scoped to that trip
(what the bridge uses), and a companion who writes in the Osoto app, with a key of
their own (what the harness posts with). The bridge's store is then filled through
its Python API: two links per trip (Telegram group, Slack channel) under the owner's
key, and each channel's cursor at its present end (`relay.seek_end`, over HTTP).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from osoto_bridge.osoto import OsotoClient
from osoto_bridge.relay import seek_end
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store


@dataclass(frozen=True)
class BenchTrip:
    """One linked trip: its Osoto side, its two chats and the keys involved."""

    index: int
    trip_id: str
    channel_id: str
    owner_id: str
    owner_key: str
    companion_key: str
    telegram_chat: str = ""
    slack_channel: str = ""


def seed_osoto(db_path: str, trips: int) -> list[BenchTrip]:
    """Create ``trips`` trips, each with an owner, a companion and their two keys."""
    made: list[BenchTrip] = []
    with Sandbox(db_path) as sandbox:
        conn = sandbox.context.conn
        conn.execute("BEGIN")
        for index in range(trips):
            owner = sandbox.create_user(f"Olive {index}")
            companion = sandbox.create_user(f"Carl {index}")
            group = sandbox.create_group(f"Group {index}", owner_id=owner, member_ids=[companion])
            trip_id = sandbox.create_trip(
                group_id=group,
                title=f"Trip {index}",
                start_date="2026-07-01",
                end_date="2026-07-08",
                created_by=owner,
            )
            sandbox.add_trip_member(trip_id, companion, "editor")
            row = conn.execute("SELECT id FROM channels WHERE trip_id = ?", (trip_id,)).fetchone()
            owner_key = sandbox.create_key(
                owner, [f"trips:read:{trip_id}", f"messages:read:{trip_id}",
                        f"messages:write:{trip_id}"],
            )  # fmt: skip
            companion_key = sandbox.create_key(companion, [f"messages:write:{trip_id}"])
            made.append(BenchTrip(index, trip_id, str(row[0]), owner, owner_key, companion_key))
        conn.execute("COMMIT")
    return made


def with_chats(
    trips: Sequence[BenchTrip], telegram: Sequence[str], slack: Sequence[str]
) -> list[BenchTrip]:
    """The trips with their Telegram group and Slack channel filled in."""
    return [
        BenchTrip(
            t.index,
            t.trip_id,
            t.channel_id,
            t.owner_id,
            t.owner_key,
            t.companion_key,
            telegram[t.index],
            slack[t.index],
        )
        for t in trips
    ]


async def link_trips(
    database_url: str,
    secret_key: str,
    osoto_url: str,
    trips: Sequence[BenchTrip],
    *,
    schema: str | None = None,
) -> None:
    """Write both links of every trip and its cursor into the bridge's store."""
    scopes_of = ("trips:read:{}", "messages:read:{}", "messages:write:{}")
    limit = asyncio.Semaphore(16)
    async with (
        Store.open(database_url, secret_keys=[secret_key], schema=schema) as store,
        httpx.AsyncClient(timeout=30.0) as http,
    ):

        async def cursor_of(trip: BenchTrip) -> str:
            async with limit:
                client = OsotoClient(trip.owner_key, osoto_url, http=http)
                return await seek_end(client, trip.trip_id, trip.channel_id)

        cursors = await asyncio.gather(*(cursor_of(trip) for trip in trips))
        for trip, cursor in zip(trips, cursors, strict=True):
            scopes = [scope.format(trip.trip_id) for scope in scopes_of]
            for platform, chat in (("telegram", trip.telegram_chat), ("slack", trip.slack_channel)):
                await store.add_link(
                    platform=platform,
                    chat_id=chat,
                    thread_id=None,
                    trip_id=trip.trip_id,
                    trip_title=f"Trip {trip.index}",
                    channel_id=trip.channel_id,
                    channel_name="general",
                    api_key=trip.owner_key,
                    owner_user_id=trip.owner_id,
                    scopes=scopes,
                )
            await store.set_cursor(trip.trip_id, trip.channel_id, cursor)
