"""Opening, closing, migrations and the version table, on every backend."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from storetest import API_KEY, Backend

from osoto_bridge.store import (
    OsotoParent,
    SchemaVersionError,
    Store,
    StoreError,
    generate_secret_key,
)
from osoto_bridge.store.migrations import MIGRATIONS, Migration, migrate, read_version
from osoto_bridge.store.tables import metadata


async def test_open_awaited_and_closed_twice(backend: Backend) -> None:
    store = await backend.open()
    assert await store.schema_version() == Store.CODE_VERSION
    await store.close()
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.get_link(1)


async def test_open_as_context_manager_closes(backend: Backend) -> None:
    async with backend.open() as store:
        assert await store.list_links() == []
    with pytest.raises(StoreError, match="closed"):
        await store.list_links()


async def test_migrates_an_empty_database_and_records_the_version(store: Store) -> None:
    assert Store.CODE_VERSION == len(MIGRATIONS) >= 1
    async with store.engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT version FROM store_schema_version"))).all()
    assert [row.version for row in rows] == [Store.CODE_VERSION]


async def test_migrated_schema_matches_the_table_definitions(store: Store) -> None:
    def describe(sync_conn: sa.Connection) -> dict[str, set[str]]:
        inspector = sa.inspect(sync_conn)
        return {
            name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names()
        }

    async with store.engine.connect() as conn:
        actual = await conn.run_sync(describe)
    expected = {table.name: {c.name for c in table.columns} for table in metadata.sorted_tables}
    assert actual == expected


async def test_migrate_again_is_a_no_op(store: Store) -> None:
    assert await migrate(store.engine) == Store.CODE_VERSION
    assert await store.schema_version() == Store.CODE_VERSION


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


async def test_a_failing_migration_rolls_back_and_keeps_the_last_version(
    store: Store,
) -> None:
    async def create_then_fail(conn: AsyncConnection) -> None:
        await conn.execute(sa.text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("boom")

    broken = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "breaks", create_then_fail))
    with pytest.raises(RuntimeError, match="boom"):
        await migrate(store.engine, broken)
    assert await store.schema_version() == Store.CODE_VERSION
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert "half_done" not in tables


async def test_a_later_migration_runs_once(store: Store) -> None:
    calls: list[int] = []

    async def add_table(conn: AsyncConnection) -> None:
        calls.append(1)
        await conn.execute(sa.text("CREATE TABLE extra (x INTEGER)"))

    extended = (*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "extra", add_table))
    assert await migrate(store.engine, extended) == Store.CODE_VERSION + 1
    assert await migrate(store.engine, extended) == Store.CODE_VERSION + 1
    assert calls == [1]


async def test_misnumbered_migrations_are_refused(store: Store) -> None:
    async def noop(conn: AsyncConnection) -> None:
        return None

    with pytest.raises(ValueError, match="numbered"):
        await migrate(store.engine, (*MIGRATIONS, Migration(len(MIGRATIONS) + 2, "gap", noop)))
    assert await store.schema_version() == Store.CODE_VERSION


async def _set_version(backend: Backend, version: int) -> None:
    await backend.raw("UPDATE store_schema_version SET version = :v", v=version)


async def test_a_newer_database_is_refused(persistent_backend: Backend) -> None:
    async with persistent_backend.open():
        pass
    await _set_version(persistent_backend, Store.CODE_VERSION + 1)
    with pytest.raises(SchemaVersionError, match="newer than this code"):
        await persistent_backend.open()
    with pytest.raises(SchemaVersionError, match="newer"):
        await persistent_backend.open(migrate=False)


async def test_migrate_refuses_a_newer_database_and_leaves_it_alone(store: Store) -> None:
    async with store.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE store_schema_version SET version = 999"))
    with pytest.raises(SchemaVersionError):
        await migrate(store.engine)
    async with store.engine.connect() as conn:
        assert await read_version(conn) == 999


async def test_migrate_false_refuses_an_unmigrated_database(persistent_backend: Backend) -> None:
    with pytest.raises(SchemaVersionError, match="older"):
        await persistent_backend.open(migrate=False)
    async with persistent_backend.open():
        pass
    async with persistent_backend.open(migrate=False) as store:
        assert await store.schema_version() == Store.CODE_VERSION


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql+aiomysql://u:p@localhost/db", "unsupported database"),
        ("sqlite:///x.db", "aiosqlite"),
        ("postgresql+psycopg2://u:p@localhost/db", "asyncpg"),
        ("::not a url::", "cannot be parsed"),
    ],
)
async def test_unsupported_urls_are_a_store_error(url: str, message: str) -> None:

    with pytest.raises(StoreError, match=message):
        await Store.open(url, secret_keys=[generate_secret_key()])


async def test_an_unreachable_database_is_a_store_error_without_the_password() -> None:

    # Port 9 (discard) on loopback: nothing listens there.
    url = "postgresql+asyncpg://osoto:hunter2pass@127.0.0.1:9/nothing"
    with pytest.raises(StoreError) as caught:
        await Store.open(url, secret_keys=[generate_secret_key()])
    assert "hunter2pass" not in str(caught.value)


async def test_repr_hides_the_database_password() -> None:

    opener = Store.open(
        "postgresql+asyncpg://osoto:hunter2pass@127.0.0.1:9/nothing",
        secret_keys=[generate_secret_key()],
    )
    assert "hunter2pass" not in repr(opener)


async def test_file_reopen_keeps_everything(persistent_backend: Backend) -> None:

    async with persistent_backend.open() as store:
        link = await store.add_link(
            platform="slack",
            chat_id="C1",
            thread_id="1700.1",
            trip_id="t1",
            trip_title="Lisbon",
            channel_id="c1",
            channel_name="general",
            api_key=API_KEY,
            owner_user_id="u1",
            scopes=("messages:read",),
            created_by="U9",
            language="de",
        )
        await store.update_link(link.id, show_sensitive=True)
        await store.set_cursor("t1", "c1", "cur-9")
        await store.set_offset("telegram", "updates", "42")
        await store.mark_event_seen("slack", "Ev1")
        await store.record_chat_messages(
            osoto_message_id="m1",
            trip_id="t1",
            channel_id="c1",
            platform="slack",
            chat_id="C1",
            thread_id="1700.1",
            chat_message_ids=["1700.2", "1700.3"],
            origin="osoto",
        )
        entry, _ = await store.enqueue_outbox(
            idempotency_key="slack:C1:1700.4",
            link_id=link.id,
            trip_id="t1",
            channel_id="c1",
            content="hello",
            parent=OsotoParent("m1"),
            source_platform="slack",
            source_chat_id="C1",
            source_thread_id="1700.1",
            source_message_id="1700.4",
        )
        await store.touch_link_activity(link.id, "in")
        before = (await store.get_link(link.id), entry)

    async with persistent_backend.open() as store:
        assert (await store.get_link(link.id), await store.outbox_entry(entry.id)) == before
        assert await store.api_key_for(link.id) == API_KEY
        assert await store.get_cursor("t1", "c1") == "cur-9"
        assert await store.get_offset("telegram", "updates") == "42"
        assert await store.mark_event_seen("slack", "Ev1") is False
        assert await store.chat_messages_for("m1", "slack", "C1") == ["1700.2", "1700.3"]
        assert await store.link_activity(link.id) == (persistent_backend.clock.now, None)


async def test_two_stores_on_one_database_share_state(persistent_backend: Backend) -> None:
    async with persistent_backend.open() as first, persistent_backend.open() as second:
        await first.set_offset("telegram", "updates", "7")
        assert await second.get_offset("telegram", "updates") == "7"


async def test_close_finishes_operations_whose_callers_were_cancelled(
    persistent_backend: Backend,
) -> None:
    store = await persistent_backend.open()
    caller = asyncio.create_task(store.set_offset("telegram", "updates", "99"))
    await asyncio.sleep(0)  # the call is accepted and its work scheduled
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await store.close()
    async with persistent_backend.open() as reopened:
        assert await reopened.get_offset("telegram", "updates") == "99"


async def test_database_errors_surface_as_store_errors(store: Store) -> None:
    # Break the schema behind the store's back: the driver's error must come out
    # as a StoreError naming the operation, not as a SQLAlchemy exception.
    async with store.engine.begin() as conn:
        await conn.execute(sa.text("DROP TABLE offsets"))
    with pytest.raises(StoreError, match="set_offset failed") as caught:
        await store.set_offset("telegram", "updates", "1")
    assert isinstance(caught.value.__cause__, sa.exc.SQLAlchemyError)
