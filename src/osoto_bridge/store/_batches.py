"""Coalesced lines: outbox batches (one Osoto post of several lines) and merged chat messages.

A batch is cut (`cut_outbox_batch`) before its post, so that a retry after a crash
replays exactly the same post; its outcome is recorded for every line at once, in
one transaction. A chat message that carries several lines maps to each of them
(`record_chat_lines`), in one write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from osoto_bridge.store._base import StoreBase, atomic, map_rows_insert
from osoto_bridge.store._messages import drop_seen_copies
from osoto_bridge.store._outbox_rows import entry_columns, entry_from_row
from osoto_bridge.store._refs import ref_columns, sent_posts
from osoto_bridge.store.models import MessageRef, OutboxEntry
from osoto_bridge.store.tables import outbox

__all__ = ["PART_SPAN", "BatchesMixin"]

PART_SPAN = 1000
"""Map parts per line of a merged post: line ``i``'s chat copies take parts
``i * PART_SPAN + p``, so the lines of one post never collide on a part."""


class BatchesMixin(StoreBase):
    """Batches of outbox entries and chat messages of several lines."""

    @atomic
    async def cut_outbox_batch(self, entry_ids: Sequence[int]) -> int:
        """Cut these pending entries into one post (led by the first); its batch id.

        Entries already cut keep their batch: a cut is never redrawn.
        """
        lead = min(entry_ids)
        async with self._tx() as conn:
            await conn.execute(
                sa.update(outbox)
                .where(
                    outbox.c.id.in_(entry_ids),
                    outbox.c.status == "pending",
                    outbox.c.batch_id.is_(None),
                )
                .values(batch_id=lead, updated_at=self._now())
            )
        return lead

    @atomic
    async def outbox_batch(self, batch_id: int) -> list[OutboxEntry]:
        """The entries of one batch, in order."""
        async with self._tx(read_only=True) as conn:
            rows = (
                await conn.execute(
                    sa.select(*entry_columns())
                    .where(outbox.c.batch_id == batch_id)
                    .order_by(outbox.c.id)
                )
            ).all()
        return [entry_from_row(row) for row in rows]

    @atomic
    async def lines_of_post(
        self, osoto_message_id: str, *, merged_only: bool = True
    ) -> list[OutboxEntry]:
        """The lines a post of ours carries, in order.

        ``merged_only``: none unless the post is a merged one (several lines); else
        the line of a post of one too.
        """
        conditions = [outbox.c.osoto_message_id == osoto_message_id, outbox.c.status == "sent"]
        if merged_only:
            conditions.append(outbox.c.batch_id.is_not(None))
        async with self._tx(read_only=True) as conn:
            rows = (
                await conn.execute(
                    sa.select(*entry_columns()).where(*conditions).order_by(outbox.c.id)
                )
            ).all()
        return [entry_from_row(row) for row in rows]

    @atomic
    async def complete_outbox_batch(
        self, entries: Sequence[OutboxEntry], osoto_message_id: str
    ) -> None:
        """Record, in one transaction, that Osoto holds these lines as one message.

        Like `complete_outbox_post` for each line: its source chat message maps to
        the post (part = its place in the batch), it is sent, its link's "in" time is
        now. The other chats' copies stay under each line's entry (`PendingPost`):
        the post's id names every line, and a chat that got them one by one must
        still tell which it has (`Store.delivered_among`).
        """
        if not entries:
            return
        now = self._now()
        async with self._tx() as conn:
            # The entries' rows first, locked (PostgreSQL, in id order), as
            # `complete_outbox_post` does: a chat copy being recorded meanwhile sees
            # them sent or not at all.
            await conn.execute(
                sa.select(outbox.c.id)
                .where(outbox.c.id.in_([entry.id for entry in entries]))
                .order_by(outbox.c.id)
                .with_for_update()
            )
            rows: list[dict[str, Any]] = [
                {
                    "osoto_message_id": osoto_message_id,
                    "trip_id": entry.trip_id,
                    "channel_id": entry.channel_id,
                    "platform": entry.source_platform,
                    "chat_id": entry.source_chat_id,
                    "thread_id": entry.source_thread_id or None,
                    "chat_message_id": entry.source_message_id,
                    "outbox_entry_id": None,
                    "part": n * PART_SPAN,
                    "origin": "chat",
                    "created_at": now,
                }
                for n, entry in enumerate(entries)
            ]
            # recorded once: a completion replayed changes nothing
            await conn.execute(map_rows_insert(self.dialect), rows)
            await conn.execute(
                sa.update(outbox)
                .where(
                    outbox.c.id.in_([entry.id for entry in entries]),
                    outbox.c.status.in_(("pending", "failed")),
                )
                .values(
                    status="sent",
                    osoto_message_id=osoto_message_id,
                    last_error=None,
                    attempts=outbox.c.attempts + 1,
                    updated_at=now,
                )
            )
            for link_id in sorted({entry.link_id for entry in entries}):
                await conn.execute(*self._activity_upsert(link_id, "in", if_linked=True))

    @atomic
    async def mark_outbox_batch_retry(
        self, entry_ids: Sequence[int], *, error: str, next_attempt_at: float
    ) -> None:
        """Record a failed attempt for every pending entry of a post, all in one write."""
        async with self._tx() as conn:
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_(entry_ids), outbox.c.status == "pending")
                .values(
                    attempts=outbox.c.attempts + 1,
                    last_error=error,
                    next_attempt_at=next_attempt_at,
                    updated_at=self._now(),
                )
            )

    @atomic
    async def mark_outbox_batch_failed(self, entry_ids: Sequence[int], *, error: str) -> None:
        """Give up on every pending entry of a post for good (they stay for the operator)."""
        async with self._tx() as conn:
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_(entry_ids), outbox.c.status == "pending")
                .values(
                    status="failed",
                    attempts=outbox.c.attempts + 1,
                    last_error=error,
                    updated_at=self._now(),
                )
            )

    @atomic
    async def record_chat_lines(
        self,
        *,
        osoto_message_ids: Sequence[MessageRef],
        trip_id: str,
        channel_id: str,
        platform: str,
        chat_id: str,
        thread_id: str | None,
        chat_message_ids: Sequence[str],
        activity_of: int | None = None,
    ) -> None:
        """Record that these chat messages carry these Osoto lines (a merged delivery).

        Each line maps to every chat message (in part order); a line on its way
        (`PendingPost`) that was posted alone is recorded under its post's id (one of
        a merged post keeps its entry). One transaction.
        """
        if not osoto_message_ids or not chat_message_ids:
            return
        async with self._tx() as conn:
            # Locked, the lines' entries before the map, as `record_chat_messages`.
            real = await sent_posts(conn, osoto_message_ids)
            await drop_seen_copies(conn, platform, chat_id, chat_message_ids)
            now = self._now()
            rows = [
                {
                    **ref_columns(real.get(line, line)),
                    "trip_id": trip_id,
                    "channel_id": channel_id,
                    "platform": platform,
                    "chat_id": chat_id,
                    "thread_id": thread_id or None,
                    "chat_message_id": chat_message_id,
                    "part": part,
                    "origin": "osoto",
                    "created_at": now,
                }
                for line in osoto_message_ids
                for part, chat_message_id in enumerate(chat_message_ids)
            ]
            await conn.execute(map_rows_insert(self.dialect), rows)
            if activity_of is not None:
                await conn.execute(*self._activity_upsert(activity_of, "out", if_linked=True))
