"""Each room's public surface: `__all__` is sorted, complete and importable (as
httpx's tests/test_exported_members.py keeps its own honest)."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "osoto_bridge.announce",
    "osoto_bridge.chat",
    "osoto_bridge.commands",
    "osoto_bridge.i18n",
    "osoto_bridge.mcp",
    "osoto_bridge.osoto",
    "osoto_bridge.relay",
    "osoto_bridge.sandbox",
    "osoto_bridge.store",
    "osoto_bridge.text",
    "osoto_bridge.util",
]


def _isort_style(member: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's RUF022 keeps."""
    if member.isupper():
        return (0, member)
    if member[:1].isupper():
        return (1, member)
    return (2, member)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_every_name_exists(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert exported == sorted(exported, key=_isort_style), f"{name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    for member in exported:
        assert hasattr(package, member), f"{name}.__all__ names missing {member}"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_imported_into_the_package_is_exported(name: str) -> None:
    package = importlib.import_module(name)
    public = {
        member
        for member, value in vars(package).items()
        if not member.startswith("_") and getattr(value, "__module__", "").startswith(name + ".")
    }
    assert public <= set(package.__all__), (
        f"{name} exports too little: {public - set(package.__all__)}"
    )
