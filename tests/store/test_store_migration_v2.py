"""Migration 2: version 1's prefixed `parent_id` strings become typed parent columns."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from osoto_bridge.store import ChatParent, OsotoParent, Store, generate_secret_key
from osoto_bridge.store.migrations import MIGRATIONS, migrate

_LINK = (
    "INSERT INTO links (id, platform, chat_id, thread_id, trip_id, trip_title, channel_id, "
    "channel_name, key_id, owner_user_id, scopes, language, show_sensitive, enabled, "
    "created_at, created_by) VALUES (1, 'slack', 'C1', '', 't1', 'Trip', 'c1', 'general', "
    "1, 'u1', 'messages:read', 'en', 0, 1, 0, NULL)"
)


def _entry(key: str, parent: str | None) -> sa.TextClause:
    value = "NULL" if parent is None else f"'{parent}'"
    return sa.text(
        "INSERT INTO outbox (idempotency_key, link_id, trip_id, channel_id, content, "
        "parent_id, source_platform, source_chat_id, source_thread_id, source_message_id, "
        "status, attempts, next_attempt_at, last_error, osoto_message_id, created_at, "
        f"updated_at) VALUES ('{key}', 1, 't1', 'c1', 'hi', {value}, 'slack', 'C1', NULL, "
        f"'{key}', 'pending', 0, 0, NULL, NULL, 0, 0)"
    )


async def test_version_1_parents_come_back_typed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'v1.db'}"
    engine = create_async_engine(url)
    try:
        assert await migrate(engine, MIGRATIONS[:1]) == 1
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO api_keys (id, digest, fingerprint, ciphertext, created_at) "
                    "VALUES (1, 'd', 'f', 'c', 0)"
                )
            )
            await conn.execute(sa.text(_LINK))
            await conn.execute(_entry("a", "m1"))
            await conn.execute(_entry("b", "chat-message:1700.1"))
            await conn.execute(_entry("c", None))
    finally:
        await engine.dispose()
    async with Store.open(url, secret_keys=[generate_secret_key()]) as store:
        assert await store.schema_version() == Store.CODE_VERSION
        entries = await store.list_outbox()
        assert [entry.parent for entry in entries] == [
            OsotoParent("m1"),
            ChatParent("1700.1"),
            None,
        ]
