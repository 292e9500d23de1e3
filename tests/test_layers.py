"""The dependency order of the rooms (docs/architecture.md), kept by an AST walk.

Every ``import`` of ``osoto_bridge`` anywhere under ``src/osoto_bridge`` (including
those under ``if TYPE_CHECKING:`` and inside functions: a lazy import is still a
dependency) is checked against `LAYERS`: a module may import its own room and the
rooms of lower layers, never a room of its own layer or a higher one. `FORBIDDEN`
adds the walls the order alone does not draw (the adapters sit above the relay and
the commands, yet may import neither), and `STANDALONE` rooms import nothing of the
bridge but themselves.

A new room is one more entry in `LAYERS`; a module the table does not place fails
the test, so nothing joins the code unplaced.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "osoto_bridge"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

LAYERS: tuple[tuple[str, ...], ...] = (
    # Bottom first. A room is a dotted module prefix under osoto_bridge; the longest
    # prefix that matches a module names its room.
    # "": the package's own __init__ (its version); errors: the root of the bridge's
    # errors; util: small tools (backoff, LRU); finding: a health check's outcome
    # (the doctor's rows, said by each room of itself); the sandbox stands alone.
    ("", "errors", "finding", "util", "sandbox"),
    ("text",),  # the neutral rich-text model and its renderers
    ("osoto",),  # the client, its transport, key inspection and detection
    ("store",),
    ("i18n",),
    ("chat.base",),  # the port: what an adapter is and what it may call back
    ("commands", "metrics"),
    ("relay", "announce"),  # announce: a service beside the relay
    ("chat.telegram", "chat.slack", "chat.console", "chat.recording"),  # the adapters
    ("chat",),  # the package re-exporting the port and the small adapters
    ("web",),
    ("config", "logs"),  # Settings and logging: read by the CLI alone
    ("mcp",),  # the MCP server over the client; `osoto-bridge mcp` (cli) wires it
    ("cli",),
    ("__main__",),
)

FORBIDDEN: dict[str, tuple[str, ...]] = {
    # Adapters reach the relay and the commands only through the port (chat.base).
    "chat": ("relay", "commands", "announce", "config"),
    # Metrics count what happened; they know no platform.
    "metrics": ("chat",),
    # The MCP server is the client, the commands and the text for agents: no relay,
    # chat, store or web; the sandbox of `--demo` is started by the CLI.
    "mcp": ("relay", "announce", "chat", "store", "web", "sandbox", "config", "logs"),
}

STANDALONE = ("sandbox",)

PENDING: frozenset[tuple[str, str]] = frozenset()
"""Imports that break the order but are allowed for now, each as (importing module,
imported module); a stale entry fails `test_the_pending_list_is_not_stale`."""


@dataclass(frozen=True)
class Violation:
    """One import that breaks the order."""

    importer: str
    imported: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}: {self.reason}"


def module_name(path: Path, root: Path) -> str:
    """The dotted name under the package of the file ``path`` ("" for the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, package: str) -> Iterator[tuple[str, int]]:
    """Every module of ``package`` that ``path`` imports, relative to the package."""
    name = module_name(path, root)
    current = name.split(".") if name else []
    if path.name != "__init__.py":
        current = current[:-1]  # a relative import starts at the module's package
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current[: len(current) - (node.level - 1)] if node.level > 1 else current
                absolute = ".".join([package, *base, *([node.module] if node.module else [])])
            else:
                absolute = node.module or ""
            targets = [absolute]
            if absolute == package:
                # "from osoto_bridge import relay" imports the room relay, while
                # "from osoto_bridge import __version__" imports the package itself.
                targets = [
                    f"{package}.{alias.name}"
                    if (root / alias.name).is_dir() or (root / f"{alias.name}.py").is_file()
                    else package
                    for alias in node.names
                ]
        for target in targets:
            if target == package:
                yield "", node.lineno
            elif target.startswith(package + "."):
                yield target[len(package) + 1 :], node.lineno


def room_of(module: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> tuple[str, int] | None:
    """The room a module belongs to and its layer's index, or None if unplaced."""
    best: tuple[str, int] | None = None
    for level, rooms in enumerate(layers):
        for room in rooms:
            inside = room == "" or module == room or module.startswith(room + ".")
            if inside and (best is None or len(room) > len(best[0])):
                best = (room, level)
    if best is not None and best[0] == "" and module != "":
        return None  # only the package's own __init__ is the "" room
    return best


def _within(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def check(
    root: Path,
    *,
    package: str = PACKAGE,
    layers: tuple[tuple[str, ...], ...] = LAYERS,
    forbidden: dict[str, tuple[str, ...]] = FORBIDDEN,
    standalone: tuple[str, ...] = STANDALONE,
    pending: frozenset[tuple[str, str]] = PENDING,
) -> list[Violation]:
    """Every import under ``root`` (the package's directory) that breaks the order."""
    found: list[Violation] = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        placed = room_of(importer, layers)
        if placed is None:
            found.append(Violation(importer, "-", 0, "the module is in no room of LAYERS"))
            continue
        room, level = placed
        for imported, line in imports_of(path, root, package):
            if (importer, imported) in pending:
                continue
            target = room_of(imported, layers)
            if target is None:
                found.append(Violation(importer, imported, line, "imports a module in no room"))
                continue
            other, other_level = target
            if other == room:
                continue
            if any(_within(room, alone) for alone in standalone):
                found.append(Violation(importer, imported, line, f"{room} stands alone"))
            elif other_level >= level:
                found.append(
                    Violation(importer, imported, line, f"{room} is not above {other} in LAYERS")
                )
            elif any(
                _within(importer, source) and any(_within(imported, wall) for wall in walls)
                for source, walls in forbidden.items()
            ):
                found.append(Violation(importer, imported, line, "forbidden by FORBIDDEN"))
    return found


def test_the_bridge_keeps_its_dependency_order() -> None:
    violations = check(SOURCE)
    assert not violations, "\n".join(map(str, violations))


def test_the_pending_list_is_not_stale() -> None:
    present = {
        (module_name(path, SOURCE), imported)
        for path in SOURCE.rglob("*.py")
        for imported, _ in imports_of(path, SOURCE, PACKAGE)
    }
    assert not (PENDING - present), "drop these from PENDING: " + repr(PENDING - present)


# The test of the test: a small package in tmp_path, clean, then with one bad import.


def _tree(root: Path, files: dict[str, str]) -> Path:
    package = root / PACKAGE
    for name, body in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return package


_CLEAN = {
    "__init__.py": "",
    "text/__init__.py": "",
    "osoto/__init__.py": "from osoto_bridge.text import x\n",
    "chat/__init__.py": "from .base import Port\nfrom .telegram import Chat\n",
    "chat/base.py": "from osoto_bridge.osoto import Client\n",
    "chat/telegram/__init__.py": "from ..base import Port\nfrom osoto_bridge.text import y\n",
    "relay/__init__.py": "from osoto_bridge.chat.base import Port\n",
    "cli/__init__.py": "from osoto_bridge import relay\nfrom osoto_bridge.chat import telegram\n",
    "sandbox/__init__.py": "from . import app\n",
    "sandbox/app.py": "import json\n",
}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert check(_tree(tmp_path, _CLEAN)) == []


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        # The wall this issue draws: the port must not know the relay...
        ("chat/base.py", "from osoto_bridge.relay import LinkService\n", "not above"),
        # ... nor an adapter, though the adapters sit above the relay.
        ("chat/telegram/__init__.py", "from osoto_bridge.relay import x\n", "FORBIDDEN"),
        ("chat/telegram/__init__.py", "from osoto_bridge.config import Settings\n", "not above"),
        ("chat/telegram/__init__.py", "from ...commands import parse_command\n", "FORBIDDEN"),
        # Under TYPE_CHECKING and inside functions counts too.
        (
            "chat/base.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import osoto_bridge.relay\n",
            "not above",
        ),
        ("osoto/__init__.py", "def f():\n    from osoto_bridge.store import Store\n", "not above"),
        ("text/__init__.py", "from osoto_bridge import osoto\n", "not above"),
        ("sandbox/app.py", "from osoto_bridge.text import doc\n", "stands alone"),
        ("metrics.py", "from osoto_bridge.chat.base import ChatGone\n", "FORBIDDEN"),
        ("relay/__init__.py", "from osoto_bridge.announce import a\n", "not above"),
        ("newroom/__init__.py", "", "in no room"),
    ],
)
def test_a_forbidden_import_fails(tmp_path: Path, name: str, body: str, reason: str) -> None:
    files = {**_CLEAN, name: body}
    if name == "relay/__init__.py":
        files["announce/__init__.py"] = ""
    violations = check(_tree(tmp_path, files))
    assert violations, f"{name}: {body!r} passed"
    assert any(reason in str(v) for v in violations), violations


def test_a_pending_import_is_let_through_only_while_listed(tmp_path: Path) -> None:
    files = {**_CLEAN, "chat/base.py": "from osoto_bridge.relay.linking import KeyReport\n"}
    root = _tree(tmp_path, files)
    assert check(root, pending=frozenset())
    assert check(root, pending=frozenset({("chat.base", "relay.linking")})) == []


def test_rooms_of_other_branches_have_their_place() -> None:
    # mcp sits at the top just under the CLI (whose `mcp` command wires it); announce
    # beside the relay; share pages in web.
    assert room_of("mcp.server") == ("mcp", room_of("cli")[1] - 1)  # type: ignore[index]
    assert room_of("announce.digest") == ("announce", room_of("relay")[1])  # type: ignore[index]
    assert room_of("web.share")[0] == "web"  # type: ignore[index]
