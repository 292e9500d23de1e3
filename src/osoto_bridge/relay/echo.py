"""The echo guard: for each polled Osoto message, whose it is, decided in one place.

A message the poll meets is one of four things (DESIGN invariant 3, no echo):

- `Verdict.HANDED_OVER`: this worker posted it and every chat already has it: skip;
- `Verdict.OWN`: the bridge posted it (this worker before a restart, or another
  process, or a chat's lane has not delivered it yet): the source chat has it; the
  other chats get it through their lanes unless the map says they have it
  (`Route.CATCH_UP`), never the source chat;
- `Verdict.HOLD`: the outbox could not drain and a link owner's account wrote it: it
  may be one of ours whose post response was lost, so the page stops here until the
  outbox drains (an echo is worse than a wait);
- `Verdict.FOREIGN`: written in Osoto: every chat gets it.
"""

from __future__ import annotations

import enum
from collections.abc import Set

from osoto_bridge.osoto.models import Message
from osoto_bridge.store import Store
from osoto_bridge.util import LRU

HANDED_OVER_KEPT = 128
"""Own posts a worker remembers as fully handed over (more than a poll page's worth
is never needed: the poll that follows a drain meets them)."""


class Verdict(enum.Enum):
    """What the poll does with one message (see the module docstring)."""

    HANDED_OVER = "handed_over"
    OWN = "own"
    HOLD = "hold"
    FOREIGN = "foreign"


class Route(enum.Enum):
    """The ways a chat line reaches the channel's other chats (each named once).

    The map makes them exclusive: whichever delivers to a chat first records it,
    and the other finds it there and sends nothing.
    """

    AHEAD = "ahead"
    """At once, named by its outbox entry, into the other chats' lanes (`AheadFeed`)."""
    CATCH_UP = "catch_up"
    """From the poll, for a post some chat does not have yet (`Verdict.OWN`)."""


class RecentIds:
    """The last ``size`` ids added, for membership tests (oldest forgotten first)."""

    def __init__(self, size: int) -> None:
        self._ids: LRU[str, None] = LRU(size)

    def add(self, item: str) -> None:
        self._ids[item] = None

    def __contains__(self, item: object) -> bool:
        return item in self._ids


class EchoGuard:
    """Decides, for a polled message of one channel, own / foreign / hold back."""

    def __init__(self, store: Store) -> None:
        self._store = store
        # Messages this worker posted and handed to every chat, newest last: the
        # poll that meets them next skips them without asking the store.
        self._handed_over = RecentIds(HANDED_OVER_KEPT)

    def handed_over(self, message_id: str) -> None:
        """Every chat of the channel has this message the bridge posted."""
        self._handed_over.add(message_id)

    async def judge(self, message: Message, *, owners: Set[str], outbox_clear: bool) -> Verdict:
        """What to do with ``message``.

        Args:
            message: a message the poll met.
            owners: the Osoto accounts whose keys the channel's links use.
            outbox_clear: whether the outbox drained (every post's id recorded).
        """
        if message.id in self._handed_over:
            return Verdict.HANDED_OVER
        if await self._store.is_bridge_authored(message.id):
            return Verdict.OWN
        if not outbox_clear and message.author_id in owners:
            return Verdict.HOLD
        return Verdict.FOREIGN
