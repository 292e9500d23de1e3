"""The sandbox's public surface: `__all__` is sorted and every name exists."""

from __future__ import annotations

import osoto_bridge.sandbox as sandbox


def test_all_is_sorted_and_exported() -> None:
    assert sandbox.__all__ == sorted(sandbox.__all__)
    for name in sandbox.__all__:
        assert hasattr(sandbox, name)
