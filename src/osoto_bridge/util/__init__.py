"""Small tools every room may use: one `Backoff`, one bounded `LRU`, token buckets, `Turns`
(a leaf room)."""

from osoto_bridge.util.backoff import Backoff
from osoto_bridge.util.buckets import (
    SHARED_BURST,
    UNDER_THE_LIMIT,
    RateShare,
    TokenBucket,
    take_all,
    take_from_record,
)
from osoto_bridge.util.lru import LRU
from osoto_bridge.util.turns import Turns

__all__ = [
    "LRU",
    "SHARED_BURST",
    "UNDER_THE_LIMIT",
    "Backoff",
    "RateShare",
    "TokenBucket",
    "Turns",
    "take_all",
    "take_from_record",
]
