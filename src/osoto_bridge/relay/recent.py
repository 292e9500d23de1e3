"""A small memory of recent Osoto messages, for the reply quote fallback.

Osoto has no "get one message" endpoint, so when a reply's parent was never mapped
to a chat message, the quote comes from what the poller saw recently. Bounded, so
thousands of channels cost little; a miss just gives a shorter quote.
"""

from __future__ import annotations

from dataclasses import dataclass

from osoto_bridge.util import LRU


@dataclass(frozen=True)
class RecentMessage:
    author_name: str
    content: str


class RecentMessages:
    """An LRU of Osoto message id → author and content."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._items: LRU[str, RecentMessage] = LRU(capacity)

    def remember(self, message_id: str, author_name: str, content: str) -> None:
        self._items[message_id] = RecentMessage(author_name, content)

    def get(self, message_id: str) -> RecentMessage | None:
        return self._items.peek(message_id)
