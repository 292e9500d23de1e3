"""The package's public surface is deliberate: `__all__` is sorted and complete."""

from __future__ import annotations

import osoto_bridge.commands as commands


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_sorted_and_exported() -> None:
    assert list(commands.__all__) == sorted(commands.__all__, key=_isort_key)
    for name in commands.__all__:
        assert hasattr(commands, name), name


def test_every_public_name_imported_into_the_package_is_listed() -> None:
    public = {
        name
        for name, value in vars(commands).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith(commands.__name__)
    }
    assert public <= set(commands.__all__)
