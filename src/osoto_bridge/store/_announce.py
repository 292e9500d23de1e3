"""What the trip announces: per-link notification settings, sent identities, snapshots."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import sqlalchemy as sa

from osoto_bridge.store._base import StoreBase, atomic, dialect_insert
from osoto_bridge.store.models import NotifySettings
from osoto_bridge.store.tables import announcements, notify_settings, plan_snapshots

__all__ = ["AnnounceMixin"]

_FIELDS = tuple(f.name for f in dataclasses.fields(NotifySettings))


@functools.cache
def _snapshot_upsert(dialect: str) -> Any:
    """`set_plan_snapshot`'s statement, built once: the watch's first look at 5,000
    trips stores 40 snapshots a second, and building the upsert cost more than
    running it (py-spy, docs/benchmarks.md)."""
    insert = dialect_insert(dialect, plan_snapshots)
    return insert.on_conflict_do_update(
        index_elements=[plan_snapshots.c.trip_id],
        set_={"snapshot": insert.excluded.snapshot, "updated_at": insert.excluded.updated_at},
    )


class AnnounceMixin(StoreBase):
    """Notification settings, announcement identities and the watched snapshots."""

    @atomic
    async def notify_settings(self, link_id: int) -> NotifySettings:
        """Return a link's notification settings (the defaults when never changed)."""
        async with self._tx(read_only=True) as conn:
            row = (
                await conn.execute(
                    sa.select(*(notify_settings.c[name] for name in _FIELDS)).where(
                        notify_settings.c.link_id == link_id
                    )
                )
            ).first()
        if row is None:
            return NotifySettings()
        return NotifySettings(**{name: getattr(row, name) for name in _FIELDS})

    @atomic
    async def all_notify_settings(self) -> dict[int, NotifySettings]:
        """Every link's settings that differ from the defaults, by link id (one query)."""
        async with self._tx(read_only=True) as conn:
            rows = (
                await conn.execute(
                    sa.select(notify_settings.c.link_id, *(notify_settings.c[n] for n in _FIELDS))
                )
            ).all()
        return {
            int(row.link_id): NotifySettings(**{n: getattr(row, n) for n in _FIELDS})
            for row in rows
        }

    @atomic
    async def set_notify_settings(self, link_id: int, settings: NotifySettings) -> None:
        """Store a link's notification settings, replacing the previous ones."""
        values = dataclasses.asdict(settings)
        stmt = self._insert(notify_settings).values(
            link_id=link_id, updated_at=self._now(), **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[notify_settings.c.link_id],
            set_={name: stmt.excluded[name] for name in (*_FIELDS, "updated_at")},
        )
        async with self._tx() as conn:
            await conn.execute(stmt)

    @atomic
    async def claim_announcement(self, link_id: int, identity: str) -> bool:
        """Claim the right to send one announcement to a link; True for the first caller.

        A primary-key insert that does nothing on conflict, so two replicas (or a
        restart that re-reads the same plan) cannot both win.
        """
        async with self._tx() as conn:
            inserted = await conn.scalar(
                self._insert(announcements)
                .values(link_id=link_id, identity=identity[:255], sent_at=self._now())
                .on_conflict_do_nothing(
                    index_elements=[announcements.c.link_id, announcements.c.identity]
                )
                .returning(announcements.c.identity)
            )
        return inserted is not None

    @atomic
    async def release_announcement(self, link_id: int, identity: str) -> None:
        """Give a claim back (its send failed before reaching the chat): tried again."""
        async with self._tx() as conn:
            await conn.execute(
                sa.delete(announcements).where(
                    announcements.c.link_id == link_id,
                    announcements.c.identity == identity[:255],
                )
            )

    @atomic
    async def announced(self, link_id: int, identity: str) -> bool:
        """Whether an announcement was claimed for a link."""
        async with self._tx(read_only=True) as conn:
            found = await conn.scalar(
                sa.select(announcements.c.identity).where(
                    announcements.c.link_id == link_id,
                    announcements.c.identity == identity[:255],
                )
            )
        return found is not None

    @atomic
    async def prune_announcements(self, older_than_seconds: float) -> int:
        """Forget identities claimed more than `older_than_seconds` ago; how many."""
        cutoff = self._now() - older_than_seconds
        async with self._tx() as conn:
            result = await conn.execute(
                sa.delete(announcements)
                .where(announcements.c.sent_at < cutoff)
                .returning(announcements.c.identity)
            )
            return len(result.all())

    @atomic
    async def plan_snapshot(self, trip_id: str) -> str | None:
        """Return the last stored export of a trip (JSON), or None."""
        async with self._tx(read_only=True) as conn:
            value = await conn.scalar(
                sa.select(plan_snapshots.c.snapshot).where(plan_snapshots.c.trip_id == trip_id)
            )
        return None if value is None else str(value)

    @atomic
    async def plan_snapshot_state(self, trip_id: str) -> tuple[str, float] | None:
        """Return (export JSON, when it was stored) of a trip, or None.

        The time tells one stored snapshot from another with the same content (a plan
        changed and changed back), so announcement identities can include it.
        """
        async with self._tx(read_only=True) as conn:
            row = (
                await conn.execute(
                    sa.select(plan_snapshots.c.snapshot, plan_snapshots.c.updated_at).where(
                        plan_snapshots.c.trip_id == trip_id
                    )
                )
            ).first()
        return None if row is None else (str(row.snapshot), float(row.updated_at))

    @atomic
    async def set_plan_snapshot(self, trip_id: str, snapshot: str) -> float:
        """Store a trip's export (JSON) as the one the next comparison starts from.

        Returns:
            The time it was stored at (as `plan_snapshot_state` reports it).
        """
        now = self._now()
        async with self._tx() as conn:
            await conn.execute(
                _snapshot_upsert(self.dialect),
                {"trip_id": trip_id, "snapshot": snapshot, "updated_at": now},
            )
        return now
