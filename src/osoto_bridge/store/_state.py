"""Small persistent state: Osoto cursors, chat offsets, seen events, link activity."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from osoto_bridge.store._base import StoreBase, atomic, dialect_insert
from osoto_bridge.store.errors import NotFoundError
from osoto_bridge.store.models import Direction
from osoto_bridge.store.tables import cursors, link_activity, offsets, seen_events

__all__ = ["StateMixin"]


@functools.cache
def _set_cursor_statement(dialect: str) -> Any:
    """`StateMixin.set_cursor`'s upsert, built once (every poll that moves on runs
    it); the row's values are its parameters."""
    stmt = dialect_insert(dialect, cursors)
    return stmt.on_conflict_do_update(
        index_elements=[cursors.c.trip_id, cursors.c.channel_id],
        set_={"cursor": stmt.excluded.cursor, "updated_at": stmt.excluded.updated_at},
    )


@functools.cache
def offset_upsert(dialect: str) -> Any:
    """A chat-side value stored, replacing the previous one (the row is its parameters)."""
    stmt = dialect_insert(dialect, offsets)
    return stmt.on_conflict_do_update(
        index_elements=[offsets.c.platform, offsets.c.name],
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
    )


class StateMixin(StoreBase):
    """Cursors, offsets, event dedup and activity times."""

    @atomic
    async def get_cursor(self, trip_id: str, channel_id: str) -> str | None:
        """Return the stored Osoto message cursor of a channel, or None."""
        cursor, _ = await self.cursor_state(trip_id, channel_id)
        return cursor

    @atomic
    async def cursor_state(self, trip_id: str, channel_id: str) -> tuple[str | None, float | None]:
        """Return (cursor, updated_at) of a channel, (None, None) if never set."""
        async with self._tx(read_only=True) as conn:
            row = (
                await conn.execute(
                    sa.select(cursors.c.cursor, cursors.c.updated_at).where(
                        cursors.c.trip_id == trip_id, cursors.c.channel_id == channel_id
                    )
                )
            ).first()
        if row is None:
            return None, None
        return str(row.cursor), float(row.updated_at)

    @atomic
    async def set_cursor(self, trip_id: str, channel_id: str, cursor: str) -> None:
        """Store a channel's resume cursor (after what it covers was delivered)."""
        stmt = _set_cursor_statement(self.dialect)
        params = {
            "trip_id": trip_id,
            "channel_id": channel_id,
            "cursor": cursor,
            "updated_at": self._now(),
        }
        async with self._tx() as conn:
            await conn.execute(stmt, params)

    @atomic
    async def get_offset(self, platform: str, name: str) -> str | None:
        """Return a stored chat-side value (e.g. the Telegram getUpdates offset), or None."""
        async with self._tx() as conn:
            value = await conn.scalar(
                sa.select(offsets.c.value).where(
                    offsets.c.platform == platform, offsets.c.name == name
                )
            )
        return None if value is None else str(value)

    @atomic
    async def set_offset(self, platform: str, name: str, value: str) -> None:
        """Store a chat-side value, replacing the previous one."""
        params = {"platform": platform, "name": name, "value": value, "updated_at": self._now()}
        async with self._tx() as conn:
            await conn.execute(offset_upsert(self.dialect), params)

    @atomic
    async def mark_event_seen(self, platform: str, event_id: str) -> bool:
        """Remember an inbound event id; True only for the first caller, ever.

        Atomic across concurrent callers and replicas (a primary-key insert that does
        nothing on conflict), so a retried Slack event or Telegram update is handled once.
        """
        async with self._tx() as conn:
            inserted = await conn.scalar(
                self._insert(seen_events)
                .values(platform=platform, event_id=event_id, seen_at=self._now())
                .on_conflict_do_nothing(
                    index_elements=[seen_events.c.platform, seen_events.c.event_id]
                )
                .returning(seen_events.c.event_id)
            )
        return inserted is not None

    @atomic
    async def is_event_seen(self, platform: str, event_id: str) -> bool:
        """Whether an inbound event id was remembered (by `mark_event_seen`)."""
        async with self._tx(read_only=True) as conn:
            found = await conn.scalar(
                sa.select(seen_events.c.event_id).where(
                    seen_events.c.platform == platform, seen_events.c.event_id == event_id
                )
            )
        return found is not None

    @atomic
    async def prune_seen_events(self, older_than_seconds: float) -> int:
        """Forget event ids seen more than `older_than_seconds` ago.

        Returns:
            How many were forgotten.
        """
        cutoff = self._now() - older_than_seconds
        async with self._tx() as conn:
            result = await conn.execute(
                sa.delete(seen_events)
                .where(seen_events.c.seen_at < cutoff)
                .returning(seen_events.c.event_id)
            )
            return len(result.all())

    @atomic
    async def touch_link_activity(self, link_id: int, direction: Direction) -> None:
        """Record that a message just went through a link (`in`: chat → Osoto).

        Raises:
            NotFoundError: no such link.
        """
        if direction not in ("in", "out"):
            raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
        stmt, params = self._activity_upsert(link_id, direction, if_linked=False)
        try:
            async with self._tx() as conn:
                await conn.execute(stmt, params)
        except IntegrityError as exc:  # the only constraint here is the link's foreign key
            raise NotFoundError(f"link {link_id} does not exist") from exc

    @atomic
    async def link_activity(self, link_id: int) -> tuple[float | None, float | None]:
        """Return (last_in_at, last_out_at) of a link; None where nothing went through."""
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    sa.select(link_activity.c.last_in_at, link_activity.c.last_out_at).where(
                        link_activity.c.link_id == link_id
                    )
                )
            ).first()
        if row is None:
            return None, None
        return (
            None if row.last_in_at is None else float(row.last_in_at),
            None if row.last_out_at is None else float(row.last_out_at),
        )
