"""One bounded least-recently-used map for every in-memory cache of the bridge."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar, overload

__all__ = ["LRU"]

_K = TypeVar("_K")
_V = TypeVar("_V")
_D = TypeVar("_D")


class LRU(Generic[_K, _V]):
    """A map that forgets its least recently used entry past ``capacity``.

    Setting an entry, and `get`, make it the most recent; `peek` and ``in`` do not.

    Args:
        capacity: the most entries kept (at least 1).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("an LRU keeps at least one entry")
        self.capacity = capacity
        self._items: OrderedDict[_K, _V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[_K]:
        """Keys, least recent first."""
        return iter(self._items)

    def __setitem__(self, key: _K, value: _V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __delitem__(self, key: _K) -> None:
        del self._items[key]

    @overload
    def get(self, key: _K) -> _V | None: ...

    @overload
    def get(self, key: _K, default: _D) -> _V | _D: ...

    def get(self, key: _K, default: object = None) -> object:
        """The value of ``key`` (now the most recent), or ``default``."""
        if key not in self._items:
            return default
        self._items.move_to_end(key)
        return self._items[key]

    def peek(self, key: _K) -> _V | None:
        """The value of ``key`` without making it more recent."""
        return self._items.get(key)

    def pop(self, key: _K) -> _V | None:
        """Remove ``key``; its value, or None."""
        return self._items.pop(key, None)

    def oldest(self) -> tuple[_K, _V] | None:
        """The least recent entry, or None when empty."""
        for key, value in self._items.items():
            return key, value
        return None
