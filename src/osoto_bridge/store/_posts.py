"""A post's outcome: what Osoto's answer to one outbox entry means for the store.

Each outcome counts one attempt (`attempts += 1`) and moves the entry on only from
the states it may come from: a late outcome for an entry already past that state is
ignored, the first outcome stands. A successful post is one transaction with its
meaning for the message map (`complete_outbox_post`); a merged post's outcomes are
in `_batches`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store.errors import NotFoundError
from osoto_bridge.store.models import OutboxEntry
from osoto_bridge.store.tables import message_map, outbox

__all__ = ["PostsMixin"]

logger = logging.getLogger("osoto_bridge.store.outbox")


# A post's statements, built once on bound parameters: one completes every line
# posted alone, and building them cost more CPU than running them on SQLite.
_entry_id = sa.bindparam("p_entry_id", type_=sa.Integer)
_message_id = sa.bindparam("p_message_id", type_=sa.String)
_LOCK_ENTRY = sa.select(outbox.c.id).where(outbox.c.id == _entry_id).with_for_update()
_known = message_map.alias("known")
_DROP_COPIES_KNOWN = sa.delete(message_map).where(
    message_map.c.outbox_entry_id == _entry_id,
    sa.exists().where(
        _known.c.osoto_message_id == _message_id,
        _known.c.platform == message_map.c.platform,
        _known.c.chat_id == message_map.c.chat_id,
        _known.c.part == message_map.c.part,
    ),
)
"""The copies recorded under the entry in a chat that has the post under its id."""
_MOVE_COPIES = (
    sa.update(message_map)
    .where(message_map.c.outbox_entry_id == _entry_id)
    .values(osoto_message_id=_message_id, outbox_entry_id=None)
)
"""The other copies, moved to the post's id."""


@functools.cache
def _transition_statement(allowed_from: tuple[str, ...], columns: tuple[str, ...]) -> sa.Update:
    """An outcome's UPDATE: ``columns`` set from ``p_<column>``, on ``p_entry_id``."""
    return (
        sa.update(outbox)
        .where(outbox.c.id == _entry_id, outbox.c.status.in_(allowed_from))
        .values(
            attempts=outbox.c.attempts + 1,
            updated_at=sa.bindparam("p_now", type_=sa.Float),
            **{name: sa.bindparam(f"p_{name}", type_=outbox.c[name].type) for name in columns},
        )
        .returning(outbox.c.id)
    )


class PostsMixin(StoreBase):
    """The outcomes of outbox posts: sent (and mapped), retry later, failed for good."""

    async def _transition(
        self, entry_id: int, allowed_from: tuple[str, ...], values: dict[str, Any]
    ) -> None:
        async with self._tx() as conn:
            await self._transition_in(conn, entry_id, allowed_from, values)

    async def _transition_in(
        self,
        conn: AsyncConnection,
        entry_id: int,
        allowed_from: tuple[str, ...],
        values: dict[str, Any],
    ) -> None:
        """Move the entry on inside ``conn``'s transaction.

        Raises:
            NotFoundError: no such entry (raised inside the transaction, which it
                rolls back).
        """
        stmt = _transition_statement(allowed_from, tuple(sorted(values)))
        params = {f"p_{name}": value for name, value in values.items()}
        result = await conn.execute(stmt, {**params, "p_entry_id": entry_id, "p_now": self._now()})
        if result.first() is not None:
            return
        status = await conn.scalar(sa.select(outbox.c.status).where(outbox.c.id == entry_id))
        if status is None:
            raise NotFoundError(f"outbox entry {entry_id} does not exist")
        # Already past this state (another worker, or a replay): the first outcome stands.
        logger.debug(
            "outbox entry %d is %s; %s ignored", entry_id, status, values.get("status", "retry")
        )

    @atomic
    async def mark_outbox_sent(self, entry_id: int, osoto_message_id: str) -> None:
        """Record that Osoto accepted the entry as this message (from pending or failed).

        Raises:
            NotFoundError: no such entry.
        """
        await self._transition(
            entry_id,
            ("pending", "failed"),
            {"status": "sent", "osoto_message_id": osoto_message_id, "last_error": None},
        )

    @atomic
    async def complete_outbox_post(self, entry: OutboxEntry, osoto_message_id: str) -> None:
        """Record, in one transaction, what a successful post means.

        The source chat message maps to the Osoto message (so the poller knows it
        as the bridge's own, DESIGN invariant 3), the messages the other chats got
        while the line was on its way (mapped under its entry, `PendingPost`) move
        to the Osoto id (so they are not sent again), the entry is sent, and its
        link's last "in" time is now. One transaction: nothing in between can be
        seen, and it is one commit.

        Raises:
            NotFoundError: no such entry.
        """
        values = {"status": "sent", "osoto_message_id": osoto_message_id, "last_error": None}
        mapped, rows = self._map_insert(
            message=osoto_message_id,
            trip_id=entry.trip_id,
            channel_id=entry.channel_id,
            platform=entry.source_platform,
            chat_id=entry.source_chat_id,
            thread_id=entry.source_thread_id,
            chat_message_ids=[entry.source_message_id],
            origin="chat",
        )
        ids = {"p_entry_id": entry.id, "p_message_id": osoto_message_id}
        async with self._tx() as conn:
            # The entry's row first, locked (PostgreSQL): a chat copy being recorded
            # under the entry meanwhile (`_refs.resolved`) either commits before the
            # move below, which then moves it, or waits and sees "sent".
            await conn.execute(_LOCK_ENTRY, ids)
            await conn.execute(mapped, rows)
            # A chat that already has the message under its real id keeps that.
            await conn.execute(_DROP_COPIES_KNOWN, ids)
            await conn.execute(_MOVE_COPIES, ids)
            # An unknown entry raises here, rolling all of it back.
            await self._transition_in(conn, entry.id, ("pending", "failed"), values)
            await conn.execute(*self._activity_upsert(entry.link_id, "in", if_linked=True))

    @atomic
    async def mark_outbox_retry(self, entry_id: int, *, error: str, next_attempt_at: float) -> None:
        """Record a failed attempt to retry at `next_attempt_at` (epoch seconds).

        Only a pending entry changes; attempts += 1.

        Raises:
            NotFoundError: no such entry.
        """
        await self._transition(
            entry_id, ("pending",), {"last_error": error, "next_attempt_at": next_attempt_at}
        )

    @atomic
    async def mark_outbox_failed(self, entry_id: int, *, error: str) -> None:
        """Give up on a pending entry for good (e.g. 403); it stays for the operator.

        Raises:
            NotFoundError: no such entry.
        """
        await self._transition(entry_id, ("pending",), {"status": "failed", "last_error": error})
