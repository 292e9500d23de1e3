"""Fixtures for the relay scenarios (the world itself is in relay_world.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from relay_world import World, make_world, opened


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with opened(make_world(tmp_path)) as w:
        yield w
