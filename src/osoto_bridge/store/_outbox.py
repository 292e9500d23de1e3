"""The outbox: chat messages written down before they are posted to Osoto.

The queue itself: writing entries (once per idempotency key, a line's parts
together) and reading the due ones in order. A row's columns and its typed parent
are in `_outbox_rows`; what a post's answer means is in `_posts` (one entry) and
`_batches` (a merged post).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store._outbox_rows import entry_columns, entry_from_row, parent_columns
from osoto_bridge.store.errors import NotFoundError
from osoto_bridge.store.models import OutboxEntry, Parent
from osoto_bridge.store.tables import outbox

__all__ = ["OutboxMixin"]


def _channel_params(
    trip_id: str | None, channel_id: str | None
) -> tuple[tuple[bool, bool], dict[str, Any]]:
    """Which of the channel filters apply (a statement's shape), and their values."""
    params: dict[str, Any] = {}
    if trip_id is not None:
        params["trip_id"] = trip_id
    if channel_id is not None:
        params["channel_id"] = channel_id
    return (trip_id is not None, channel_id is not None), params


def _channel_filter(by_trip: bool, by_channel: bool) -> list[sa.ColumnElement[bool]]:
    """Only one trip's, one channel's entries, on bound parameters (``trip_id``,
    ``channel_id``; `_channel_params` gives the shape and the values)."""
    clauses: list[sa.ColumnElement[bool]] = []
    if by_trip:
        clauses.append(outbox.c.trip_id == sa.bindparam("trip_id", type_=sa.String))
    if by_channel:
        clauses.append(outbox.c.channel_id == sa.bindparam("channel_id", type_=sa.String))
    return clauses


# The drain's reads run once a pass per channel: their statements are built once, on
# bound parameters, rather than per call (building a select with a CTE and a join
# cost more CPU than running it on SQLite: docs/benchmarks.md, "The store's
# statements, built once"). SQLAlchemy compiles each once as ever, and a statement
# built once also keeps its cache key.


@functools.cache
def _due_query(by_trip: bool, by_channel: bool, keep_order: bool) -> sa.Select[Any]:
    """`OutboxMixin.due_outbox`'s select: parameters ``now``, ``limit`` and the filters."""
    now = sa.bindparam("now", type_=sa.Float)
    query = sa.select(*entry_columns()).where(
        outbox.c.status == "pending",
        outbox.c.next_attempt_at <= now,
        *_channel_filter(by_trip, by_channel),
    )
    if keep_order:
        # Per channel, the oldest entry still waiting for its retry: nothing at or
        # after it may go. Computed once and MATERIALIZED: inlined, PostgreSQL
        # may re-run the aggregate for every outbox row (seen with fresh stats).
        waiting = (
            sa.select(
                outbox.c.trip_id,
                outbox.c.channel_id,
                sa.func.min(outbox.c.id).label("first_waiting"),
            )
            .where(
                outbox.c.status == "pending",
                outbox.c.next_attempt_at > now,
                *_channel_filter(by_trip, by_channel),
            )
            .group_by(outbox.c.trip_id, outbox.c.channel_id)
            .cte("waiting")
            .prefix_with("MATERIALIZED")
        )
        query = query.outerjoin(
            waiting,
            sa.and_(
                waiting.c.trip_id == outbox.c.trip_id,
                waiting.c.channel_id == outbox.c.channel_id,
            ),
        ).where(sa.or_(waiting.c.first_waiting.is_(None), outbox.c.id < waiting.c.first_waiting))
    return query.order_by(outbox.c.id).limit(sa.bindparam("limit", type_=sa.Integer))


@functools.cache
def _pending_after_query(include_sent: bool) -> sa.Select[Any]:
    """`OutboxMixin.pending_outbox_after`'s select (the ahead feed's, once a pass)."""
    statuses = ("pending", "sent") if include_sent else ("pending",)
    return (
        sa.select(*entry_columns())
        .where(
            outbox.c.status.in_(statuses),
            outbox.c.id > sa.bindparam("after_id", type_=sa.Integer),
            *_channel_filter(True, True),
        )
        .order_by(outbox.c.id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


@functools.cache
def _last_id_query(by_trip: bool, by_channel: bool) -> sa.Select[Any]:
    """`OutboxMixin.last_outbox_id`'s select, on the filters' parameters."""
    return sa.select(sa.func.max(outbox.c.id)).where(*_channel_filter(by_trip, by_channel))


@functools.cache
def _pending_count_query(by_trip: bool, by_channel: bool) -> sa.Select[Any]:
    """`OutboxMixin.pending_outbox_count`'s select, on the filters' parameters."""
    return (
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(outbox.c.status == "pending", *_channel_filter(by_trip, by_channel))
    )


class OutboxMixin(StoreBase):
    """Outbox of chat → Osoto posts."""

    @atomic
    async def enqueue_outbox(
        self,
        *,
        idempotency_key: str,
        link_id: int,
        trip_id: str,
        channel_id: str,
        content: str,
        parent: Parent | None,
        source_platform: str,
        source_chat_id: str,
        source_thread_id: str | None,
        source_message_id: str,
    ) -> tuple[OutboxEntry, bool]:
        """Write a chat message down for posting, once per idempotency key.

        Atomic under concurrency: of many calls with one key, exactly one creates.

        Returns:
            The entry, and whether this call created it (False: the key was known,
            and the existing entry, whatever its content and status, is returned).

        Raises:
            NotFoundError: no such link.
        """
        now = self._now()
        try:
            return await self._enqueue(
                idempotency_key,
                now,
                {
                    "link_id": link_id,
                    "trip_id": trip_id,
                    "channel_id": channel_id,
                    "content": content,
                    **parent_columns(parent),
                    "source_platform": source_platform,
                    "source_chat_id": source_chat_id,
                    "source_thread_id": source_thread_id,
                    "source_message_id": source_message_id,
                },
            )
        except IntegrityError as exc:  # the key's uniqueness is handled; this is the link
            raise NotFoundError(f"link {link_id} does not exist") from exc

    @atomic
    async def enqueue_outbox_parts(
        self,
        *,
        parts: Sequence[tuple[str, str]],
        link_id: int,
        trip_id: str,
        channel_id: str,
        parent: Parent | None,
        source_platform: str,
        source_chat_id: str,
        source_thread_id: str | None,
        source_message_id: str,
    ) -> list[tuple[OutboxEntry, bool]]:
        """Write the parts of one chat message down in one transaction.

        Args:
            parts: (idempotency key, content) of each part, in order.

        The parts take consecutive places in the channel's queue: another message
        written at the same moment cannot come between them, so Osoto shows a
        line's parts together (posting follows the queue's order).

        Raises:
            NotFoundError: no such link.
        """
        now = self._now()
        fields = {
            "link_id": link_id,
            "trip_id": trip_id,
            "channel_id": channel_id,
            **parent_columns(parent),
            "source_platform": source_platform,
            "source_chat_id": source_chat_id,
            "source_thread_id": source_thread_id,
            "source_message_id": source_message_id,
        }
        try:
            async with self._tx() as conn:
                return [
                    await self._enqueue_in(conn, key, now, {**fields, "content": content})
                    for key, content in parts
                ]
        except IntegrityError as exc:
            raise NotFoundError(f"link {link_id} does not exist") from exc

    @atomic
    async def outbox_entry_for_source(
        self, platform: str, chat_id: str, message_id: str
    ) -> OutboxEntry | None:
        """The (first part's) entry a chat message became, or None."""
        async with self._tx(read_only=True) as conn:
            row = (
                await conn.execute(
                    sa.select(*entry_columns())
                    .where(
                        outbox.c.source_platform == platform,
                        outbox.c.source_chat_id == chat_id,
                        outbox.c.source_message_id == message_id,
                    )
                    .order_by(outbox.c.id)
                    .limit(1)
                )
            ).first()
        return entry_from_row(row) if row is not None else None

    async def _enqueue(
        self, idempotency_key: str, now: float, fields: dict[str, Any]
    ) -> tuple[OutboxEntry, bool]:
        async with self._tx() as conn:
            return await self._enqueue_in(conn, idempotency_key, now, fields)

    async def _enqueue_in(
        self, conn: AsyncConnection, idempotency_key: str, now: float, fields: dict[str, Any]
    ) -> tuple[OutboxEntry, bool]:
        row = (
            await conn.execute(
                self._insert(outbox)
                .values(
                    idempotency_key=idempotency_key,
                    **fields,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    last_error=None,
                    osoto_message_id=None,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=[outbox.c.idempotency_key])
                .returning(*entry_columns())
            )
        ).first()
        if row is not None:
            return entry_from_row(row), True
        existing = (
            await conn.execute(
                sa.select(*entry_columns()).where(outbox.c.idempotency_key == idempotency_key)
            )
        ).one()
        return entry_from_row(existing), False

    @atomic
    async def due_outbox(
        self,
        *,
        limit: int = 100,
        trip_id: str | None = None,
        channel_id: str | None = None,
        keep_order: bool = True,
    ) -> list[OutboxEntry]:
        """Return pending entries whose time has come, oldest first.

        Args:
            limit: at most this many.
            trip_id: only this trip's entries.
            channel_id: only this channel's entries.
            keep_order: leave out an entry while an older pending entry of the same
                channel waits for a retry, so a channel's messages reach Osoto in
                the order they were written even across backoffs.
        """
        shape, params = _channel_params(trip_id, channel_id)
        query = _due_query(*shape, keep_order)
        async with self._tx(read_only=True) as conn:
            rows = (await conn.execute(query, {**params, "now": self._now(), "limit": limit})).all()
        return [entry_from_row(row) for row in rows]

    @atomic
    async def pending_outbox_after(
        self,
        trip_id: str,
        channel_id: str,
        *,
        after_id: int,
        limit: int = 200,
        include_sent: bool = False,
    ) -> list[OutboxEntry]:
        """A channel's pending entries after ``after_id``, due or not, oldest first.

        What the other chats of the channel have not been handed yet (the ahead
        feed): they need not wait for Osoto's retries. ``include_sent``: those
        already posted too (the Osoto lane may be quicker than the feed).
        """
        query = _pending_after_query(include_sent)
        params = {
            "trip_id": trip_id,
            "channel_id": channel_id,
            "after_id": after_id,
            "limit": limit,
        }
        async with self._tx(read_only=True) as conn:
            rows = (await conn.execute(query, params)).all()
        return [entry_from_row(row) for row in rows]

    @atomic
    async def last_outbox_id(self, trip_id: str, channel_id: str) -> int:
        """The newest entry id of a channel (0: none)."""
        shape, params = _channel_params(trip_id, channel_id)
        async with self._tx(read_only=True) as conn:
            found = await conn.scalar(_last_id_query(*shape), params)
        return int(found or 0)

    @atomic
    async def pending_outbox_count(
        self, trip_id: str | None = None, channel_id: str | None = None
    ) -> int:
        """Count pending entries (due or waiting for a retry)."""
        shape, params = _channel_params(trip_id, channel_id)
        async with self._tx(read_only=True) as conn:
            count = await conn.scalar(_pending_count_query(*shape), params)
        return int(count or 0)

    @atomic
    async def list_outbox(
        self, *, status: str | None = None, link_id: int | None = None, limit: int = 100
    ) -> list[OutboxEntry]:
        """List entries in id order (for the operator, e.g. the failed ones)."""
        query = sa.select(*entry_columns()).order_by(outbox.c.id).limit(limit)
        if status is not None:
            query = query.where(outbox.c.status == status)
        if link_id is not None:
            query = query.where(outbox.c.link_id == link_id)
        async with self._tx() as conn:
            rows = (await conn.execute(query)).all()
        return [entry_from_row(row) for row in rows]

    @atomic
    async def outbox_entry(self, entry_id: int) -> OutboxEntry | None:
        """Return one entry, or None."""
        async with self._tx(read_only=True) as conn:
            row = (
                await conn.execute(sa.select(*entry_columns()).where(outbox.c.id == entry_id))
            ).first()
        return entry_from_row(row) if row is not None else None
