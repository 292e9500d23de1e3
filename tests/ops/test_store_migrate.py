"""Upgrades and moves: `migrate`, a version-1 database upgraded with its state intact,
and `migrate-db` copying everything SQLite → SQLite and SQLite → PostgreSQL.

The fixture `tests/fixtures/store-v1.db` was written by `scripts/make_store_fixture.py`
with schema version 1's own migration; its keys are encrypted with FIXTURE_SECRET.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from osoto_bridge.cli.main import main
from osoto_bridge.store import Store, database_version

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store-v1.db"
FIXTURE_SECRET = "-vcO63s26VCLiF-I4OKl_cpmm97Glny4HW8Ds06L_e0="
KEYS = {
    1: "osk_fixture_telegram_0123456789abcdef",
    2: "osk_fixture_slack_fedcba9876543210",
}
PG_ENV = "OSOTO_BRIDGE_TEST_POSTGRES_URL"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    path = tmp_path / "bridge.db"
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.fixture
def bridge_env(monkeypatch: pytest.MonkeyPatch, v1_copy: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("OSOTO_BRIDGE_") and name != PG_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setenv("OSOTO_BRIDGE_DATABASE_URL", sqlite_url(v1_copy))
    monkeypatch.setenv("OSOTO_BRIDGE_SECRET_KEY", FIXTURE_SECRET)
    return v1_copy


async def assert_fixture_state(url: str) -> None:
    """Everything the version-1 fixture holds, read back through today's store."""
    async with Store.open(url, secret_keys=[FIXTURE_SECRET], migrate=False) as store:
        assert await store.schema_version() == Store.CODE_VERSION
        assert await store.verify_secrets() == 2
        links = await store.list_links()
        assert [(link.id, link.platform, link.chat_id, link.thread_id) for link in links] == [
            (1, "telegram", "-1001234", None),
            (2, "telegram", "-1001234", "42"),
            (3, "slack", "C0LISBON", None),
        ]
        first, topic, slack = links
        assert (first.language, first.show_sensitive, first.enabled) == ("ko", True, True)
        assert first.scopes == (
            "messages:read:trip-1",
            "messages:write:trip-1",
            "trips:read:trip-1",
        )
        assert (topic.channel_name, topic.enabled) == ("food", False)
        assert slack.owner_user_id == "user-ben"
        for link in links:
            assert await store.api_key_for(link) == KEYS[link.key_id]
        assert await store.find_link("telegram", "-1001234", "42") == topic
        assert await store.cursor_state("trip-1", "chan-general") == (
            "cur-general-17",
            1_767_225_660.0,
        )
        assert await store.get_cursor("trip-1", "chan-food") == "cur-food-3"
        assert await store.chat_messages_for("msg-osoto-1", "slack", "C0LISBON") == [
            "1700000000.000100"
        ]
        assert await store.chat_messages_for("msg-osoto-3", "slack", "C0LISBON") == [
            "1700000000.000200",
            "1700000000.000201",
        ]
        assert await store.osoto_message_for("telegram", "-1001234", "502") == "msg-osoto-2"
        assert await store.is_bridge_authored("msg-osoto-2")
        assert not await store.is_bridge_authored("msg-osoto-1")
        outbox = await store.list_outbox()
        assert [(e.id, e.status, e.osoto_message_id) for e in outbox] == [
            (1, "sent", "msg-osoto-2"),
            (2, "failed", None),
            (3, "pending", None),
        ]
        assert await store.pending_outbox_count("trip-1", "chan-general") == 1
        assert await store.get_offset("telegram", "update_offset") == "9002"
        assert not await store.mark_event_seen("telegram", "update:9001")
        assert not await store.mark_event_seen("slack", "Ev0001")
        assert await store.link_activity(1) == (1_767_226_000.0, 1_767_226_001.0)
        assert await store.link_activity(3) == (None, 1_767_226_002.0)
        # and the upgraded database takes new state, ids following the old ones
        entry, created = await store.enqueue_outbox(
            idempotency_key="telegram:-1001234:-:700",
            link_id=1,
            trip_id="trip-1",
            channel_id="chan-general",
            content="after the upgrade",
            parent=None,
            source_platform="telegram",
            source_chat_id="-1001234",
            source_thread_id=None,
            source_message_id="700",
        )
        assert created and entry.id == 4
        added = await store.add_link(
            platform="slack",
            chat_id="C0NEW",
            thread_id=None,
            trip_id="trip-1",
            trip_title="Lisbon",
            channel_id="chan-general",
            channel_name="general",
            api_key=KEYS[2],
            owner_user_id="user-ben",
            scopes=["messages:read:trip-1"],
        )
        assert (added.id, added.key_id) == (4, 2)


def test_the_fixture_is_a_version_1_database() -> None:
    assert asyncio.run(database_version(sqlite_url(FIXTURE))) == 1


async def test_a_version_1_database_upgrades_with_its_state_intact(v1_copy: Path) -> None:
    async with Store.open(sqlite_url(v1_copy), secret_keys=[FIXTURE_SECRET]):
        pass  # what `run` does on start
    await assert_fixture_state(sqlite_url(v1_copy))


def test_migrate_checks_then_applies(
    bridge_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("OSOTO_BRIDGE_DATABASE_URL", sqlite_url(fresh))
    assert main(["migrate", "--check"]) == 1
    assert "schema version 0; migrations to" in capsys.readouterr().out
    assert not fresh.exists()  # checking creates nothing
    assert main(["migrate"]) == 0
    assert f"migrated the schema from version 0 to {Store.CODE_VERSION}" in capsys.readouterr().out
    assert main(["migrate", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    monkeypatch.setenv("OSOTO_BRIDGE_DATABASE_URL", sqlite_url(bridge_env))
    assert main(["migrate"]) == 0
    asyncio.run(assert_fixture_state(sqlite_url(bridge_env)))


def test_migrate_db_copies_everything_into_a_new_sqlite_file(
    bridge_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    target = sqlite_url(tmp_path / "moved.db")
    assert main(["migrate-db", "--to", target]) == 0
    out = capsys.readouterr().out
    assert "message_map           5" in out
    assert "outbox                3" in out
    asyncio.run(assert_fixture_state(target))
    # a second copy into the same (now full) database is refused, and changes nothing
    assert main(["migrate-db", "--to", target]) == 1
    assert "already holds bridge state (2 api_keys" in capsys.readouterr().err
    asyncio.run(assert_fixture_state_unchanged(target))


async def assert_fixture_state_unchanged(url: str) -> None:
    async with Store.open(url, secret_keys=[FIXTURE_SECRET], migrate=False) as store:
        counts = await store.row_counts()
    # assert_fixture_state added one link and one outbox entry; the refused copy none
    assert counts["links"] == 4 and counts["outbox"] == 4 and counts["message_map"] == 5


def test_migrate_db_needs_a_current_source_and_another_target(
    bridge_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(sqlite_url(bridge_env).replace("+aiosqlite", ""))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE store_schema_version SET version = 0"))
    engine.dispose()
    assert main(["migrate-db", "--to", sqlite_url(tmp_path / "x.db")]) == 1
    assert "run `osoto-bridge migrate` first" in capsys.readouterr().err
    assert main(["migrate-db", "--to", sqlite_url(bridge_env)]) == 1
    assert "names the configured database itself" in capsys.readouterr().err


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {PG_ENV} is not: the PostgreSQL run is required")
        pytest.skip(f"{PG_ENV} is not set")
    name = f"osoto_migrate_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.mark.postgres
def test_migrate_db_moves_sqlite_to_postgresql(
    bridge_env: Path, postgres_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["migrate-db", "--to", postgres_database]) == 0
    out = capsys.readouterr().out
    assert "link_activity         2" in out
    assert "osoto:osoto@" not in out  # the password is never printed
    # ids were kept and the sequences moved past them: new rows get fresh ids
    asyncio.run(assert_fixture_state(postgres_database))
