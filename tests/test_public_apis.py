"""Public APIs only: no private member of a library is read, set or overridden.

Two checks over ``src/osoto_bridge``:

- an AST grep for ``<something>._name`` (the ``\\._[a-z]`` of an attribute access)
  on anything but ``self``/``cls``: each hit is either listed in `ALLOWED` with the
  reason it is no library's private member, or a failure;
- every class of the bridge that defines a ``_name`` its library base class also has
  (overriding a library's private method, as `store/sqlite_inline.py` once did with
  aiosqlite's ``Connection._execute``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import osoto_bridge

SOURCE = Path(__file__).resolve().parents[1] / "src" / "osoto_bridge"

ALLOWED: dict[tuple[str, str], str] = {
    # (file under src/osoto_bridge, expression): why it is allowed.
    ("store/_links.py", "row._mapping"): (
        "SQLAlchemy's documented public Row API (the underscore keeps it apart from columns)"
    ),
    ("store/_outbox_rows.py", "row._mapping"): "as above",
    ("osoto/keys.py", "other._value"): "the bridge's own class, comparing two of its values",
    ("store/_ops.py", "target._tx"): "the bridge's own Store, copying into another Store",
    ("store/store.py", "store._start"): "the bridge's own Store, from its own factory",
    ("cli/run_cmd.py", "os._exit"): (
        "the standard library's documented os._exit (leave without the interpreter's teardown)"
    ),
}

# Names Python itself puts on every ABC / Protocol class: no override of ours.
_LANGUAGE_MACHINERY = frozenset({"_abc_impl", "_is_protocol", "_is_runtime_protocol"})


def private_accesses(root: Path) -> list[tuple[str, str, int]]:
    """Every ``x._name`` under ``root`` whose ``x`` is not ``self`` or ``cls``."""
    found: list[tuple[str, str, int]] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            if not node.attr.startswith("_") or node.attr.startswith("__"):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            found.append((path.relative_to(root).as_posix(), ast.unparse(node), node.lineno))
    return found


def test_no_private_member_of_a_library_is_used() -> None:
    unexplained = [
        f"{file}:{line}: {expr}"
        for file, expr, line in private_accesses(SOURCE)
        if (file, expr) not in ALLOWED
    ]
    assert not unexplained, "private members used:\n" + "\n".join(unexplained)


def test_every_allowed_case_still_exists() -> None:
    present = {(file, expr) for file, expr, _ in private_accesses(SOURCE)}
    assert not (set(ALLOWED) - present), f"stale ALLOWED entries: {set(ALLOWED) - present}"


def test_no_class_overrides_a_librarys_private_member() -> None:
    overrides: list[str] = []
    for info in pkgutil.walk_packages(osoto_bridge.__path__, "osoto_bridge."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            for name in vars(cls):
                private = name.startswith("_") and not name.startswith("__")
                if not private or name.endswith("_") or name in _LANGUAGE_MACHINERY:
                    continue  # sunder names (_missing_) are Enum's public API
                overrides.extend(
                    f"{module.__name__}.{cls.__name__}.{name} overrides {base.__module__}"
                    f".{base.__name__}.{name}"
                    for base in cls.__mro__[1:]
                    if base.__module__.split(".")[0] != "osoto_bridge" and name in vars(base)
                )
    assert not overrides, "\n".join(overrides)


def test_the_grep_catches_a_private_read(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "def f(exc):\n    return exc._retry_after\n\nclass A:\n    def g(self):\n"
        "        return self._mine, super()._execute()\n",
        encoding="utf-8",
    )
    found = {expr for _, expr, _ in private_accesses(tmp_path)}
    assert found == {"exc._retry_after", "super()._execute"}
