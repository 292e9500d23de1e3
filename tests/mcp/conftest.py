"""Fixtures of the MCP tests: the demo world served on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mcp_harness import DemoWorld, serve_sandbox


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    async with serve_sandbox() as served:
        yield served
