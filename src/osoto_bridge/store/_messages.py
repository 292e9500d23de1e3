"""The message map: an Osoto message ↔ every chat message it became (or came from)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import StoreBase, atomic, map_rows_insert
from osoto_bridge.store._refs import (
    ref_columns,
    ref_from,
    ref_is,
    refs_in_chat,
    resolved,
)
from osoto_bridge.store.models import Direction, MessageOrigin, MessageRef, PendingPost
from osoto_bridge.store.tables import message_map, outbox

__all__ = ["MessagesMixin"]

_ORIGINS = ("osoto", "chat")

SEEN_COPY_PART = 1_000_000


_DROP_SEEN_COPIES = sa.delete(message_map).where(
    message_map.c.platform == sa.bindparam("p_platform", type_=sa.String),
    message_map.c.chat_id == sa.bindparam("p_chat_id", type_=sa.String),
    message_map.c.chat_message_id.in_(sa.bindparam("p_ids", expanding=True)),
    message_map.c.part >= SEEN_COPY_PART,
)


async def drop_seen_copies(
    conn: AsyncConnection, platform: str, chat_id: str, chat_message_ids: Sequence[str]
) -> None:
    """Forget the seen copies (`record_seen_copy`) of these chat messages.

    A copy whose echo came before its send returned was recorded as seen: the send's
    own record, written next in the same transaction, takes its place.
    """
    params = {"p_platform": platform, "p_chat_id": chat_id, "p_ids": list(chat_message_ids)}
    await conn.execute(_DROP_SEEN_COPIES, params)


"""Parts from here on are copies learned from the platform's echo (`record_seen_copy`),
not what a send returned: they resolve replies (`osoto_message_for`) but never count
as the delivery (`chat_messages_for`), so a retry still delivers what a send lost."""


# Statements of every delivery and every polled message, built once on bound
# parameters (``expanding`` ones take a list): building them cost more CPU than
# running them on SQLite.
_message_id = sa.bindparam("p_message_id", type_=sa.String)
_BRIDGE_AUTHORED = sa.select(
    sa.or_(
        sa.exists().where(
            message_map.c.osoto_message_id == _message_id, message_map.c.origin == "chat"
        ),
        sa.exists().where(outbox.c.osoto_message_id == _message_id, outbox.c.status == "sent"),
    )
)
_POSTS_OF_ENTRIES = sa.select(outbox.c.id, outbox.c.osoto_message_id).where(
    outbox.c.id.in_(sa.bindparam("p_ids", expanding=True)),
    outbox.c.status == "sent",
    outbox.c.osoto_message_id.is_not(None),
)
"""The Osoto ids of the completed posts of these entries."""


class MessagesMixin(StoreBase):
    """Message-id map, for replies, edits and echo suppression."""

    @atomic
    async def record_chat_messages(
        self,
        *,
        osoto_message_id: MessageRef,
        trip_id: str,
        channel_id: str,
        platform: str,
        chat_id: str,
        thread_id: str | None,
        chat_message_ids: Sequence[str],
        origin: MessageOrigin,
        activity_of: int | None = None,
    ) -> None:
        """Record that an Osoto message is these chat messages (split parts in order).

        Idempotent: recording the same parts again, even concurrently, changes
        nothing; a part already recorded keeps its first chat message id.

        Args:
            osoto_message_id: the Osoto message, or the `PendingPost` of a chat line
                still on its way (recorded under its Osoto id if the post completed).
            origin: `osoto` when the bridge delivered an Osoto message into the chat,
                `chat` when the chat message was posted to Osoto by the bridge.
            activity_of: a link whose last out (`osoto`) or in (`chat`) time to set
                now, in the same transaction (nothing if the link is gone).
        """
        if origin not in _ORIGINS:
            raise ValueError(f"origin must be one of {_ORIGINS}, not {origin!r}")
        if isinstance(chat_message_ids, str):
            raise TypeError("chat_message_ids must be a sequence of ids, not one string")
        if not chat_message_ids:
            return
        async with self._tx() as conn:
            # The line's entry before the map (the order a post's completion takes).
            message = await resolved(conn, osoto_message_id)
            await drop_seen_copies(conn, platform, chat_id, chat_message_ids)
            stmt, rows = self._map_insert(
                message=message,
                trip_id=trip_id,
                channel_id=channel_id,
                platform=platform,
                chat_id=chat_id,
                thread_id=thread_id,
                chat_message_ids=chat_message_ids,
                origin=origin,
            )
            await conn.execute(stmt, rows)
            if activity_of is not None:
                direction: Direction = "out" if origin == "osoto" else "in"
                await conn.execute(*self._activity_upsert(activity_of, direction, if_linked=True))

    @atomic
    async def record_seen_copy(
        self,
        *,
        osoto_message_id: MessageRef,
        trip_id: str,
        channel_id: str,
        platform: str,
        chat_id: str,
        thread_id: str | None,
        chat_message_id: str,
    ) -> bool:
        """Record a chat copy the platform showed (echoed), though no send returned it.

        The copy of a send whose response was lost: the map learns its id so replies
        to it resolve. It stays apart from the delivery record (a part numbered from
        `SEEN_COPY_PART`), so what `chat_messages_for` says was delivered is
        unchanged. A chat message id the map knows already is left as it is.

        Returns:
            Whether the copy was new to the map.
        """
        async with self._tx() as conn:
            known = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(message_map)
                .where(
                    message_map.c.platform == platform,
                    message_map.c.chat_id == chat_id,
                    message_map.c.chat_message_id == chat_message_id,
                )
            )
            if known:
                return False
            message = await resolved(conn, osoto_message_id)
            last = await conn.scalar(
                sa.select(sa.func.max(message_map.c.part)).where(
                    ref_is(message_map, message),
                    message_map.c.platform == platform,
                    message_map.c.chat_id == chat_id,
                )
            )
            part = max(SEEN_COPY_PART, int(last or 0) + 1)
            row = {
                **ref_columns(message),
                "trip_id": trip_id,
                "channel_id": channel_id,
                "platform": platform,
                "chat_id": chat_id,
                "thread_id": thread_id or None,
                "chat_message_id": chat_message_id,
                "part": part,
                "origin": "osoto",
                "created_at": self._now(),
            }
            # Two echoes of one copy at once: the second finds it recorded (no error).
            await conn.execute(map_rows_insert(self.dialect), row)
            return True

    @atomic
    async def chat_messages_for(
        self,
        osoto_message_id: MessageRef,
        platform: str,
        chat_id: str,
        *,
        seen_copies: bool = False,
    ) -> list[str]:
        """Return the chat message ids an Osoto message maps to in a chat, in part order.

        ``seen_copies``: when no send recorded the delivery, the copies learned from
        the platform's echo (`record_seen_copy`) instead: what a reply threads under
        when the send's answer was lost (the copy is in the chat all the same).

        A post of several lines (merged toward Osoto) that the chat got line by line
        maps to its first line's messages there: where the post begins. A chat line
        on its way (or posted merged) is, in its own chat, the message it came from:
        a reply to it from another chat threads there however quickly it follows.
        """
        async with self._tx(read_only=True) as conn:
            message = await resolved(conn, osoto_message_id)
            found = await _chat_messages(conn, message, platform, chat_id)
            if not found and seen_copies:
                found = await _chat_messages(conn, message, platform, chat_id, seen=True)
            if found:
                return found
            if isinstance(message, PendingPost):
                source = await conn.scalar(
                    sa.select(outbox.c.source_message_id).where(
                        outbox.c.id == message.entry_id,
                        outbox.c.source_platform == platform,
                        outbox.c.source_chat_id == chat_id,
                    )
                )
                return [str(source)] if source is not None else []
            first = await conn.scalar(
                sa.select(sa.func.min(outbox.c.id)).where(
                    outbox.c.osoto_message_id == message,
                    outbox.c.status == "sent",
                    outbox.c.batch_id.is_not(None),
                )
            )
            if first is None:
                return []
            return await _chat_messages(conn, PendingPost(int(first)), platform, chat_id)

    @atomic
    async def delivered_among(
        self, osoto_message_ids: Sequence[MessageRef], platform: str, chat_id: str
    ) -> set[MessageRef]:
        """Which of these messages (refs as given) a chat already has: one read.

        A line on its way (`PendingPost`) counts as delivered when the chat has it
        under either ref (its post may have completed meanwhile, moving the map's
        rows); a line of a merged post, when the chat has it under its own entry or
        has the whole post (`_refs.resolved`).
        """
        if not osoto_message_ids:
            return set()
        async with self._tx(read_only=True) as conn:
            # The Osoto id of each completed post → the lines asked for under their
            # entries (a merged post carries several).
            real: dict[MessageRef, list[MessageRef]] = {}
            pending = [ref.entry_id for ref in osoto_message_ids if isinstance(ref, PendingPost)]
            if pending:
                rows = await conn.execute(_POSTS_OF_ENTRIES, {"p_ids": pending})
                for row in rows:
                    real.setdefault(str(row.osoto_message_id), []).append(PendingPost(int(row.id)))
            found = await conn.execute(
                *refs_in_chat(message_map, [*osoto_message_ids, *real], platform, chat_id)
            )
            delivered: set[MessageRef] = set()
            for row in found:
                ref = ref_from(row)
                delivered.add(ref)
                delivered.update(real.get(ref, ()))
            return delivered & set(osoto_message_ids)

    @atomic
    async def osoto_message_for(
        self, platform: str, chat_id: str, chat_message_id: str
    ) -> MessageRef | None:
        """Return the Osoto message a chat message maps to (any part of it), or None.

        A chat line still on its way to Osoto comes back as its `PendingPost`. A
        chat message that carries several lines (merged under pressure) maps to the
        last of them: a reply to it answers the line just above the reply.
        """
        async with self._tx(read_only=True) as conn:
            found = (
                await conn.execute(
                    sa.select(message_map.c.osoto_message_id, message_map.c.outbox_entry_id)
                    .where(
                        message_map.c.platform == platform,
                        message_map.c.chat_id == chat_id,
                        message_map.c.chat_message_id == chat_message_id,
                    )
                    .order_by(message_map.c.id.desc())
                    .limit(1)
                )
            ).first()
        return None if found is None else ref_from(found)

    @atomic
    async def is_bridge_authored(self, osoto_message_id: str) -> bool:
        """Whether the bridge itself posted this Osoto message (so it must not echo).

        True when the map holds it with origin `chat`, or a sent outbox entry got it.
        """
        async with self._tx(read_only=True) as conn:
            return bool(await conn.scalar(_BRIDGE_AUTHORED, {"p_message_id": osoto_message_id}))


async def _chat_messages(
    conn: AsyncConnection, message: MessageRef, platform: str, chat_id: str, *, seen: bool = False
) -> list[str]:
    """The sent parts of ``message`` in a chat (``seen``: the copies learned instead)."""
    parts = message_map.c.part >= SEEN_COPY_PART if seen else message_map.c.part < SEEN_COPY_PART
    result = await conn.scalars(
        sa.select(message_map.c.chat_message_id)
        .where(
            ref_is(message_map, message),
            message_map.c.platform == platform,
            message_map.c.chat_id == chat_id,
            parts,
        )
        .order_by(message_map.c.part)
    )
    return list(result)
