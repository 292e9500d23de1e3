"""A small memory of recent Osoto messages, for the reply quote fallback.

Osoto has no "get one message" endpoint, so when a reply's parent was never mapped
to a chat message, the quote comes from what the poller saw recently. Bounded, so
thousands of channels cost little; a miss just gives a shorter quote.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class RecentMessage:
    author_name: str
    content: str


class RecentMessages:
    """An LRU of Osoto message id → author and content."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, RecentMessage] = OrderedDict()

    def remember(self, message_id: str, author_name: str, content: str) -> None:
        self._items[message_id] = RecentMessage(author_name, content)
        self._items.move_to_end(message_id)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def get(self, message_id: str) -> RecentMessage | None:
        return self._items.get(message_id)
