"""Intake: a batch of chat lines, its dedupe marks and chat-side state, in one transaction.

The hot path of chat → Osoto. A Telegram ``getUpdates`` page or a group of Slack
events is written with one `ingest` call: the events marked handled, the lines'
outbox entries (deduplicated by their idempotency keys, which are derived from the
source message), replies to lines of the same batch threaded to their entries, and
the chat side's offsets, committed together. What the caller acknowledges to the
platform after this returns is persisted; if it fails, none of it is.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from osoto_bridge.store._base import StoreBase, atomic, dialect_insert
from osoto_bridge.store._outbox_rows import entry_from_mapping, parent_columns
from osoto_bridge.store._state import offset_upsert
from osoto_bridge.store.models import (
    Ingested,
    IntakeLine,
    OsotoParent,
    OutboxEntry,
    Parent,
    PendingParent,
)
from osoto_bridge.store.tables import links, outbox, seen_events

__all__ = ["IntakeMixin"]

logger = logging.getLogger("osoto_bridge.store.intake")

_CHUNK = 500
"""Most values one IN (...) list carries (SQLite binds at most 32,766 parameters)."""

# The intake's statements, built once on bound parameters (``expanding`` ones take a
# list): in a conversation every batch is one line, and building them per call cost
# more CPU than running them on SQLite (docs/benchmarks.md, "The store's statements,
# built once").
_SEEN_AMONG = sa.select(seen_events.c.event_id).where(
    seen_events.c.platform == sa.bindparam("p_platform", type_=sa.String),
    seen_events.c.event_id.in_(sa.bindparam("p_ids", expanding=True)),
)
_ALIVE_LINKS = sa.select(links.c.id).where(links.c.id.in_(sa.bindparam("p_ids", expanding=True)))
_KNOWN_ENTRIES = sa.select(
    outbox.c.idempotency_key, outbox.c.id, outbox.c.status, outbox.c.osoto_message_id
).where(outbox.c.idempotency_key.in_(sa.bindparam("p_keys", expanding=True)))
"""Entries written before under these idempotency keys."""


@functools.cache
def _mark_seen_statement(dialect: str) -> Any:
    """Events marked handled, executed with their rows (a known one stays)."""
    return dialect_insert(dialect, seen_events).on_conflict_do_nothing(
        index_elements=[seen_events.c.platform, seen_events.c.event_id]
    )


@functools.cache
def _new_entries_statement(dialect: str) -> Any:
    """Outbox entries, executed with their rows; a known idempotency key is skipped."""
    return (
        dialect_insert(dialect, outbox)
        .on_conflict_do_nothing(index_elements=[outbox.c.idempotency_key])
        .returning(outbox.c.id, outbox.c.idempotency_key)
    )


class IntakeMixin(StoreBase):
    """Batched writes of inbound chat events."""

    @atomic
    async def seen_among(self, platform: str, event_ids: Collection[str]) -> set[str]:
        """Which of ``event_ids`` were marked handled (`mark_event_seen`, `ingest`).

        One read for a whole batch, where `is_event_seen` would make one per event.
        """
        ids = list(dict.fromkeys(event_ids))
        found: set[str] = set()
        if not ids:
            return found
        async with self._tx(read_only=True, first=True) as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows = await conn.execute(_SEEN_AMONG, {"p_platform": platform, "p_ids": chunk})
                found.update(str(row[0]) for row in rows)
        return found

    @atomic
    async def ingest(
        self,
        lines: Sequence[IntakeLine],
        *,
        handled: Sequence[tuple[str, str]] = (),
        chat_offsets: Sequence[tuple[str, str, str]] = (),
    ) -> Ingested:
        """Write a batch of inbound events down, in one transaction.

        Args:
            lines: chat lines for the outbox, in the order they were written. Their
                parts take consecutive places in the queue (a line's parts are
                posted together). A part whose idempotency key is known already is
                not written again (a redelivered event).
            handled: ``(platform, event id)`` of every event of the batch, marked as
                handled (`seen_among`, `is_event_seen` tell them apart afterwards).
            chat_offsets: ``(platform, name, value)`` chat-side values to store, as
                `set_offset` does.

        Returns:
            For each line its parts' entry ids and whether this call created them,
            and the entries it created (`Ingested`). A line whose link was removed
            meanwhile is dropped, logged.
        """
        now = self._now()
        async with self._tx(first=True) as conn:
            if handled:
                rows = [
                    {"platform": platform, "event_id": event_id, "seen_at": now}
                    for platform, event_id in dict.fromkeys(handled)
                ]
                await conn.execute(_mark_seen_statement(self.dialect), rows)
            for platform, name, value in chat_offsets:
                await conn.execute(
                    offset_upsert(self.dialect),
                    {"platform": platform, "name": name, "value": value, "updated_at": now},
                )
            if not lines:
                return Ingested([])
            return await self._ingest_lines(conn, lines, now)

    async def _ingest_lines(self, conn: Any, lines: Sequence[IntakeLine], now: float) -> Ingested:
        link_ids = {line.link_id for line in lines}
        # Read here rather than trusted: a link removed since the caller looked it up
        # drops its own lines, not the whole batch (as a foreign-key error would).
        alive = {int(row[0]) for row in await conn.execute(_ALIVE_LINKS, {"p_ids": list(link_ids)})}
        rows: list[dict[str, Any]] = []
        for line in lines:
            if line.link_id not in alive:
                logger.warning(
                    "link %d was removed: %s message %s not relayed",
                    line.link_id,
                    line.source_platform,
                    line.source_message_id,
                )
                continue
            fields = {
                "link_id": line.link_id,
                "trip_id": line.trip_id,
                "channel_id": line.channel_id,
                **parent_columns(line.parent),
                "source_platform": line.source_platform,
                "source_chat_id": line.source_chat_id,
                "source_thread_id": line.source_thread_id,
                "source_message_id": line.source_message_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": None,
                "osoto_message_id": None,
                "created_at": now,
                "updated_at": now,
            }
            rows.extend(
                {**fields, "idempotency_key": key, "content": content}
                for key, content in line.parts
            )
        created: dict[str, int] = {}
        if rows:
            # One multi-row INSERT (SQLAlchemy's "insertmanyvalues"), in row order:
            # ids follow the lines' order, each line's parts consecutive.
            result = await conn.execute(_new_entries_statement(self.dialect), rows)
            created = {str(key): int(entry_id) for entry_id, key in result}
        known = await self._known_entries(
            conn,
            [str(row["idempotency_key"]) for row in rows if row["idempotency_key"] not in created],
        )
        out: list[tuple[tuple[int, ...], bool]] = []
        for line in lines:
            if line.link_id not in alive:
                out.append(((), False))
                continue
            keys = [key for key, _ in line.parts]
            fresh = all(key in created for key in keys)
            ids = tuple(created[key] if key in created else known[key][0] for key in keys)
            out.append((ids, fresh))
        threaded = await self._thread_within(conn, lines, out, created, known)
        return Ingested(out, _created_entries(rows, created, threaded))

    async def _known_entries(
        self, conn: Any, keys: Sequence[str]
    ) -> dict[str, tuple[int, str, str | None]]:
        """Entries written before under ``keys``: id, status, Osoto id."""
        known: dict[str, tuple[int, str, str | None]] = {}
        for start in range(0, len(keys), _CHUNK):
            rows = await conn.execute(_KNOWN_ENTRIES, {"p_keys": keys[start : start + _CHUNK]})
            for key, entry_id, status, osoto_id in rows:
                known[str(key)] = (int(entry_id), str(status), osoto_id)
        return known

    async def _thread_within(
        self,
        conn: Any,
        lines: Sequence[IntakeLine],
        out: Sequence[tuple[tuple[int, ...], bool]],
        created: dict[str, int],
        known: dict[str, tuple[int, str, str | None]],
    ) -> dict[int, Parent]:
        """Point replies to lines of this batch at those lines' entries; the new parents."""
        threaded: dict[int, Parent] = {}
        for index, line in enumerate(lines):
            target = line.parent_line
            if target is None or not out[index][1] or not 0 <= target < index:
                continue
            parent_ids = out[target][0]
            if not parent_ids:
                continue  # the parent's link is gone: no parent, as for an unknown one
            first_key = lines[target].parts[0][0]
            parent: OsotoParent | PendingParent = PendingParent(parent_ids[0])
            if first_key not in created:
                _, status, osoto_id = known[first_key]
                if status == "sent" and osoto_id:
                    parent = OsotoParent(osoto_id)
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_(out[index][0]))
                .values(**parent_columns(parent))
            )
            threaded.update(dict.fromkeys(out[index][0], parent))
        return threaded


def _created_entries(
    rows: Sequence[dict[str, Any]], created: dict[str, int], threaded: dict[int, Parent]
) -> tuple[OutboxEntry, ...]:
    """The entries an ingest created, as `outbox_entry` would read them back: the
    values written, their ids, and the parents threaded after the insert."""
    entries: list[OutboxEntry] = []
    for row in rows:
        entry_id = created.get(str(row["idempotency_key"]))
        if entry_id is None:
            continue  # known before: a redelivery
        values = {**row, "id": entry_id, "batch_id": None}
        parent = threaded.get(entry_id)
        if parent is not None:
            values.update(parent_columns(parent))
        entries.append(entry_from_mapping(values))
    entries.sort(key=lambda entry: entry.id)
    return tuple(entries)
