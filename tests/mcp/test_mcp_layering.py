"""The mcp room sits at the top beside cli: it may use the client, the commands and
the text rooms, never the relay, the chat adapters, the web app, the store or the
sandbox (which the CLI alone starts for `--demo`)."""

from __future__ import annotations

import ast
from pathlib import Path

import osoto_bridge.mcp

ROOM = Path(osoto_bridge.mcp.__file__).parent
ALLOWED = {"osoto_bridge", "osoto_bridge.osoto", "osoto_bridge.commands", "osoto_bridge.text"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_mcp_room_imports_only_the_rooms_below_it() -> None:
    modules = sorted(ROOM.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        for name in _imports(module):
            if not name.startswith("osoto_bridge") or name.startswith("osoto_bridge.mcp"):
                continue
            room = ".".join(name.split(".")[:2])
            assert room in ALLOWED, f"{module.name} imports {name}"
