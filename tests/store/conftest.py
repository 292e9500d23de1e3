"""One store contract, every backend (the idea of aiogram's storage tests).

`backend` is parametrised over SQLite in memory, SQLite in a temporary file and
PostgreSQL (when `OSOTO_BRIDGE_TEST_POSTGRES_URL` is set; under `CI` its absence is a
failure, not a skip). Each PostgreSQL test gets its own schema, dropped afterwards,
so tests and parallel runs never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from storetest import API_KEY, AddLink, Backend, FakeClock, postgres_url

from osoto_bridge.store import Link, Store


async def _drop_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


BACKENDS = [
    pytest.param("memory", id="sqlite-memory"),
    pytest.param("file", id="sqlite-file"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
PERSISTENT_BACKENDS = BACKENDS[1:]


async def _make_backend(kind: str, tmp_path: Path) -> AsyncIterator[Backend]:
    if kind == "memory":
        yield Backend("memory", "sqlite+aiosqlite://", persistent=False)
    elif kind == "file":
        yield Backend("file", f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}", persistent=True)
    else:
        url = postgres_url()
        schema = f"store_test_{uuid.uuid4().hex[:12]}"
        try:
            yield Backend("postgres", url, persistent=True, schema=schema)
        finally:
            await _drop_schema(url, schema)


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    async for made in _make_backend(request.param, tmp_path):
        yield made


@pytest.fixture(params=PERSISTENT_BACKENDS)
async def persistent_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Backend]:
    async for made in _make_backend(request.param, tmp_path):
        yield made


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[Backend]:
    """PostgreSQL alone (what only it has: leases, shared paces), its own schema."""
    async for made in _make_backend("postgres", tmp_path):
        yield made


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    async with backend.open() as opened:
        backend.attach(opened)
        yield opened


@pytest.fixture
def clock(backend: Backend) -> FakeClock:
    return backend.clock


@pytest.fixture
def add_link(store: Store) -> AddLink:
    """`await add_link(**overrides)`: a Telegram link to trip t1 / channel c1 by default."""

    async def add(**overrides: Any) -> Link:
        kwargs: dict[str, Any] = {
            "platform": "telegram",
            "chat_id": "-100123",
            "thread_id": None,
            "trip_id": "t1",
            "trip_title": "Lisbon",
            "channel_id": "c1",
            "channel_name": "general",
            "api_key": API_KEY,
            "owner_user_id": "u1",
            "scopes": ("messages:read:t1", "messages:write:t1"),
        }
        kwargs.update(overrides)
        return await store.add_link(**kwargs)

    return add
