"""Migration 6: version 5's stand-in ids (``outbox:N``) become the typed `outbox_entry_id`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from storetest import Backend

from osoto_bridge.store import PendingPost, Store
from osoto_bridge.store.engine import build_engine
from osoto_bridge.store.migrations import MIGRATIONS, migrate


def _copy(row_id: int, osoto_message_id: str, chat_message_id: str) -> sa.TextClause:
    return sa.text(
        "INSERT INTO message_map (id, osoto_message_id, trip_id, channel_id, platform, "
        "chat_id, thread_id, chat_message_id, part, origin, created_at) VALUES "
        f"({row_id}, '{osoto_message_id}', 't1', 'c1', 'slack', 'C1', NULL, "
        f"'{chat_message_id}', 0, 'osoto', 0)"
    )


async def _at_version_5(backend: Backend) -> None:
    engine = build_engine(backend.url, schema=backend.schema)
    try:
        if backend.schema is not None:
            async with engine.begin() as conn:
                await conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{backend.schema}"'))
        assert await migrate(engine, MIGRATIONS[:5]) == 5
        async with engine.begin() as conn:
            await conn.execute(_copy(1, "outbox:7", "111.1"))  # a line on its way
            await conn.execute(_copy(2, "osoto-1", "222.2"))
            await conn.execute(_copy(3, "outbox:x9", "333.3"))  # no stand-in: an Osoto id
    finally:
        await engine.dispose()


async def test_version_5_stand_ins_come_back_as_pending_posts(
    persistent_backend: Backend,
) -> None:
    await _at_version_5(persistent_backend)
    async with persistent_backend.open() as store:
        assert await store.schema_version() == Store.CODE_VERSION
        assert await store.osoto_message_for("slack", "C1", "111.1") == PendingPost(7)
        assert await store.chat_messages_for(PendingPost(7), "slack", "C1") == ["111.1"]
        assert await store.osoto_message_for("slack", "C1", "222.2") == "osoto-1"
        assert await store.osoto_message_for("slack", "C1", "333.3") == "outbox:x9"
    rows = await persistent_backend.raw(
        "SELECT id, osoto_message_id, outbox_entry_id FROM message_map ORDER BY id"
    )
    assert [tuple(row) for row in rows] == [
        (1, None, 7),
        (2, "osoto-1", None),
        (3, "outbox:x9", None),
    ]


async def test_a_map_row_names_exactly_one_side(persistent_backend: Backend) -> None:
    async with persistent_backend.open():
        pass
    for ids in ("NULL, NULL", "'osoto-1', 7"):
        with pytest.raises(IntegrityError):
            await persistent_backend.raw(
                "INSERT INTO message_map (osoto_message_id, outbox_entry_id, trip_id, "
                "channel_id, platform, chat_id, chat_message_id, part, origin, created_at) "
                f"VALUES ({ids}, 't1', 'c1', 'slack', 'C1', '1.1', 0, 'osoto', 0)"
            )
