"""What the adapter remembers of recent Slack messages: thread roots and quotes.

Slack threads hang off their first message: a reply must name that message's
``ts`` as ``thread_ts``, never another reply's. The relay knows the message a reply
answers, so the adapter maps it to its thread's root here. It also keeps the text
of recent messages for the relay's quote fallback, when a thread began before the
chat was linked. Bounded and in memory: after a restart an unknown ts is taken as
its own root, which Slack accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from osoto_bridge.util import LRU

__all__ = ["RecentSlackMessages", "Remembered"]

DEFAULT_CAPACITY = 5_000


@dataclass(frozen=True)
class Remembered:
    """A recent message: its thread's root, author and plain text."""

    root: str
    author: str
    text: str


class RecentSlackMessages:
    """The latest messages seen or sent, per channel and ts (least recent forgotten)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._items: LRU[tuple[str, str], Remembered] = LRU(capacity)

    def remember(self, channel: str, ts: str, *, root: str, author: str, text: str) -> None:
        key = (channel, ts)
        self._items[key] = Remembered(root, author, text)

    def get(self, channel: str, ts: str) -> Remembered | None:
        return self._items.peek((channel, ts))

    def root_of(self, channel: str, ts: str) -> str:
        """The thread root to reply under when answering message ``ts``."""
        known = self._items.peek((channel, ts))
        return known.root if known is not None else ts
