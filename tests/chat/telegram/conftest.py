"""Fixtures for the Telegram scenarios (the world itself is in telegram_world.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram_world import TelegramWorld, make_world

from fakes.telegram_api import FakeTelegram


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    # python-telegram-bot 22 warns on every int time period unless told to use
    # timedeltas; warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def world(tmp_path: Path, fake: FakeTelegram) -> AsyncIterator[TelegramWorld]:
    w = make_world(tmp_path, fake)
    await w.open()
    try:
        yield w
    finally:
        await w.close()
        w.sandbox.close()
