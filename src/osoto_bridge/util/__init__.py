"""Small tools every room may use: one `Backoff`, one bounded `LRU`, token buckets, `Turns`,
`Wakeup` (a leaf room)."""

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
from osoto_bridge.util.wakeup import Flag, Wait, Wakeup

__all__ = [
    "LRU",
    "SHARED_BURST",
    "UNDER_THE_LIMIT",
    "Backoff",
    "Flag",
    "RateShare",
    "TokenBucket",
    "Turns",
    "Wait",
    "Wakeup",
    "take_all",
    "take_from_record",
]
