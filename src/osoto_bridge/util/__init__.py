"""Small tools every room may use: one `Backoff`, one bounded `LRU` (a leaf room)."""

from osoto_bridge.util.backoff import Backoff
from osoto_bridge.util.lru import LRU

__all__ = ["LRU", "Backoff"]
