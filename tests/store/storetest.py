"""Shared helpers of the store contract suite (imported by conftest and the tests)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from osoto_bridge.store import Link, Store, StoreOpener, generate_secret_key

__all__ = ["API_KEY", "PG_ENV", "AddLink", "Backend", "FakeClock", "postgres_url"]

API_KEY = "osk_live_0123456789abcdefTOPSECRET"
PG_ENV = "OSOTO_BRIDGE_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The PostgreSQL URL of the contract run; skip without one (fail under CI)."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {PG_ENV} is not: the PostgreSQL contract run is required")
        pytest.skip(f"{PG_ENV} is not set")
    return url


AddLink = Callable[..., Awaitable[Link]]


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Backend:
    """Where a test's store lives; `open()` can be called again to reopen it."""

    name: str
    url: str
    persistent: bool
    schema: str | None = None
    clock: FakeClock = field(default_factory=FakeClock)
    secret_keys: list[str] = field(default_factory=lambda: [generate_secret_key()])
    memory_store: Store | None = None

    def open(self, *, secret_keys: Sequence[str] | None = None, **kwargs: Any) -> StoreOpener:
        kwargs.setdefault("clock", self.clock)
        if self.schema is not None:
            kwargs.setdefault("schema", self.schema)
        keys = self.secret_keys if secret_keys is None else secret_keys
        return Store.open(self.url, secret_keys=keys, **kwargs)

    def attach(self, store: Store) -> None:
        """Remember the store an in-memory database lives in (for `raw`)."""
        if not self.persistent:
            self.memory_store = store

    async def raw(self, sql: str, **params: Any) -> list[sa.Row[Any]]:
        """Run SQL outside the store (to read what is really on disk).

        An in-memory database exists only inside its store: then the store's engine
        is used (still raw SQL, past every store method).
        """
        if not self.persistent:
            assert self.memory_store is not None, "open the store before reading it raw"
            async with self.memory_store.engine.begin() as conn:
                result = await conn.execute(sa.text(sql), params)
                return list(result.all()) if result.returns_rows else []
        connect_args = {}
        if self.schema is not None:
            connect_args = {"server_settings": {"search_path": self.schema}}
        engine = create_async_engine(self.url, connect_args=connect_args)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(sa.text(sql), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()
