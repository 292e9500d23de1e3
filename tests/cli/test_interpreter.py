"""`run`'s process-wide settings: the start's objects frozen out of the collector."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator

import pytest

from osoto_bridge.cli.interpreter import freeze_what_start_made
from osoto_bridge.config import Settings


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process keeps its collector as it was


def test_serving_freezes_what_the_start_made_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="osoto_bridge.cli.run")
    long_lived = [{"worker": n} for n in range(1000)]
    freeze_what_start_made(Settings())
    assert gc.get_freeze_count() >= len(long_lived)
    said = re.search(r"froze (\d+) objects", caplog.text)
    assert said is not None and int(said.group(1)) >= len(long_lived)
    assert "OSOTO_BRIDGE_GC_FREEZE=false" in caplog.text


def test_false_leaves_the_collector_as_it_is() -> None:
    freeze_what_start_made(Settings(gc_freeze=False))
    assert gc.get_freeze_count() == 0
