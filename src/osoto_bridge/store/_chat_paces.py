"""Chats' per-chat pacing shared by PostgreSQL replicas (`relay/shared_pacing.py`).

One row per chat (`chat_paces`): the tokens of the chat's buckets and the time they
were counted. A replica about to send into a chat takes the send's tokens in one
short transaction: ``SELECT … FOR UPDATE`` locks the chat's row (replicas sending
into one chat at the same moment take turns; other chats never wait), the buckets
are refilled to the sender's time and one token taken from each, or nothing taken
and the wait until there is one returned (`util.take_from_record`, the same step
as the pacers' own buckets). The row is a few numbers, whatever the traffic.

Times are the replicas' wall clocks (the pacers sleep on their own clock for the
wait returned); a clock behind the record's time earns no tokens until it passes
it. Only PostgreSQL runs these: with SQLite one process paces every chat itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store.errors import StoreError
from osoto_bridge.util import take_from_record

__all__ = ["ChatPacesMixin"]

_LOCK = sa.text("SELECT tokens, counted_at FROM chat_paces WHERE chat_key = :chat FOR UPDATE")
_CREATE = sa.text(
    "INSERT INTO chat_paces (chat_key, tokens, counted_at) VALUES (:chat, '{}', 0) "
    "ON CONFLICT (chat_key) DO NOTHING"
)
_WRITE = sa.text(
    "UPDATE chat_paces SET tokens = CAST(:tokens AS double precision[]), counted_at = :at "
    "WHERE chat_key = :chat"
)


class ChatPacesMixin(StoreBase):
    """Chats' shared buckets; PostgreSQL only."""

    @atomic
    async def take_chat_send(
        self, chat: str, *, at: float, rates: Sequence[tuple[float, float]]
    ) -> float:
        """Take one send into ``chat`` at ``at`` from each of its buckets, if all have one.

        Args:
            chat: the chat's record name (``telegram:<chat id>``, ``slack:<channel>``).
            at: the send's time (epoch seconds, the caller's wall clock).
            rates: each of the chat's buckets, (per second, burst); a record of
                another shape is counted anew.

        Returns:
            0 when the send was taken, else the seconds to wait (nothing taken).
        """
        if self.dialect != "postgresql":
            raise StoreError("shared chat paces need PostgreSQL: with SQLite one process paces")
        async with self._tx() as conn:
            row = (await conn.execute(_LOCK, {"chat": chat})).first()
            if row is None:
                # A chat's first send: its row, then the lock (a replica creating it
                # at the same moment makes the insert a no-op; both then queue).
                await conn.execute(_CREATE, {"chat": chat})
                row = (await conn.execute(_LOCK, {"chat": chat})).first()
            stored = list(row[0] or []) if row is not None else []
            counted = float(row[1]) if row is not None and stored else None
            tokens, counted_at, wait = take_from_record(stored or None, counted, rates, at)
            if wait <= 0 or not stored:
                await conn.execute(_WRITE, {"chat": chat, "tokens": tokens, "at": counted_at})
        return wait
