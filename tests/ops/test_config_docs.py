"""docs/configuration.md is what scripts/gen_config_docs.py makes of the Settings model."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from osoto_bridge.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_config_docs", ROOT / "scripts" / "gen_config_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_page_matches_the_generator() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == generator().render(), (
        "docs/configuration.md is stale: run .venv/bin/python scripts/gen_config_docs.py"
    )


def test_every_setting_is_on_the_page_with_a_description() -> None:
    page = generator().render()
    for name, info in Settings.model_fields.items():
        assert f"`OSOTO_BRIDGE_{name.upper()}`" in page
        assert info.description, f"Settings.{name} has no description for the docs"
    assert "`OSOTO_BRIDGE_SECRET_KEY` 🔒" in page
    assert "`OSOTO_BRIDGE_HTTP_PORT` | `http_port` | integer (≥ 0, ≤ 65535) | `8080` |" in page
