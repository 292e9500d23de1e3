"""Links: a chat ↔ an Osoto trip channel (their API keys are in `_keys`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import atomic
from osoto_bridge.store._keys import KeysMixin
from osoto_bridge.store.errors import ConflictError, NotFoundError
from osoto_bridge.store.models import Link
from osoto_bridge.store.tables import api_keys, links, message_map

__all__ = ["LinksMixin"]

logger = logging.getLogger("osoto_bridge.store.links")

_LINK_COLUMNS = (*links.c, api_keys.c.fingerprint)


def thread_key(thread_id: str | None) -> str:
    """The stored form of an optional thread id (`''` is "no thread")."""
    return thread_id or ""


def _link_from_row(row: sa.Row[Any]) -> Link:
    m = row._mapping
    return Link(
        id=int(m["id"]),
        platform=m["platform"],
        chat_id=m["chat_id"],
        thread_id=m["thread_id"] or None,
        trip_id=m["trip_id"],
        trip_title=m["trip_title"],
        channel_id=m["channel_id"],
        channel_name=m["channel_name"],
        key_id=int(m["key_id"]),
        key_fingerprint=m["fingerprint"],
        owner_user_id=m["owner_user_id"],
        scopes=tuple(json.loads(m["scopes"])),
        language=m["language"],
        show_sensitive=bool(m["show_sensitive"]),
        enabled=bool(m["enabled"]),
        created_at=float(m["created_at"]),
        created_by=m["created_by"],
    )


def _select_links() -> sa.Select[Any]:
    return sa.select(*_LINK_COLUMNS).join_from(links, api_keys, links.c.key_id == api_keys.c.id)


class LinksMixin(KeysMixin):
    """Links and API keys."""

    def forget_cached_links(self) -> None:
        """Drop what `cached_link` remembers: the next lookups read the store.

        Called by this store's own link changes; a process that learns of changes
        made elsewhere (the `links` command, another replica) calls it too (the
        relay does at each link sync).
        """
        self._link_generation += 1
        self._link_cache = {}

    async def cached_link(
        self, platform: str, chat_id: str, thread_id: str | None = None
    ) -> Link | None:
        """`find_link`, answered from memory after the first read of each chat.

        The hot path's link lookup: a lively chat's lines cost no read for it.
        Forgotten on every link change this store makes (`forget_cached_links`).
        """
        key = (platform, chat_id, thread_key(thread_id))
        if key in self._link_cache:
            return self._link_cache[key]
        generation = self._link_generation
        link = await self.find_link(platform, chat_id, thread_id)
        if generation == self._link_generation:  # no change while it was read
            self._link_cache[key] = link
        return link

    @atomic
    async def add_link(
        self,
        *,
        platform: str,
        chat_id: str,
        thread_id: str | None,
        trip_id: str,
        trip_title: str,
        channel_id: str,
        channel_name: str,
        api_key: str,
        owner_user_id: str,
        scopes: Sequence[str],
        created_by: str | None = None,
        language: str = "en",
    ) -> Link:
        """Link a chat (or one thread of it) to an Osoto trip channel.

        A chat points at one channel: an existing link for the same (platform, chat,
        thread) is replaced in place. It keeps its id (so its pending outbox entries
        are posted with the new key) and gets every new field; `show_sensitive` goes
        back to off and `enabled` to on, since the opt-in belonged to the old link.
        The key is stored encrypted, once per distinct key.

        Returns:
            The new or replaced link.
        """
        if not api_key:
            raise ValueError("api_key is empty")
        now = self._now()
        values = {
            "platform": platform,
            "chat_id": chat_id,
            "thread_id": thread_key(thread_id),
            "trip_id": trip_id,
            "trip_title": trip_title,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "owner_user_id": owner_user_id,
            "scopes": json.dumps(list(scopes)),
            "language": language,
            "show_sensitive": False,
            "enabled": True,
            "created_at": now,
            "created_by": created_by,
        }
        async with self._tx() as conn:
            key_id = await self._store_key(conn, api_key, now)
            values["key_id"] = key_id
            old_key_id = await conn.scalar(
                sa.select(links.c.key_id).where(
                    links.c.platform == platform,
                    links.c.chat_id == chat_id,
                    links.c.thread_id == thread_key(thread_id),
                )
            )
            stmt = self._insert(links).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=[links.c.platform, links.c.chat_id, links.c.thread_id],
                set_={k: stmt.excluded[k] for k in values if k not in ("platform", "chat_id")},
            ).returning(links.c.id)
            link_id = int((await conn.execute(stmt)).scalar_one())
            if old_key_id is not None and int(old_key_id) != key_id:
                await self._forget_key_if_unused(conn, int(old_key_id))
            link = await self._get_link(conn, link_id)
        self.forget_cached_links()
        assert link is not None  # written in this very transaction
        logger.info(
            "linked %s chat %s (thread %s) to trip %s channel %s with key %s (link %d)",
            platform,
            chat_id,
            thread_id,
            trip_id,
            channel_id,
            link.key_fingerprint,
            link.id,
        )
        return link

    async def _get_link(self, conn: AsyncConnection, link_id: int) -> Link | None:
        row = (await conn.execute(_select_links().where(links.c.id == link_id))).first()
        return _link_from_row(row) if row is not None else None

    @atomic
    async def get_link(self, link_id: int) -> Link | None:
        """Return the link with this id, or None."""
        async with self._tx(read_only=True) as conn:
            return await self._get_link(conn, link_id)

    @atomic
    async def find_link(
        self, platform: str, chat_id: str, thread_id: str | None = None
    ) -> Link | None:
        """Return the link of this chat (and thread), or None."""
        async with self._tx(read_only=True) as conn:
            row = (
                await conn.execute(
                    _select_links().where(
                        links.c.platform == platform,
                        links.c.chat_id == chat_id,
                        links.c.thread_id == thread_key(thread_id),
                    )
                )
            ).first()
        return _link_from_row(row) if row is not None else None

    @atomic
    async def list_links(
        self, *, platform: str | None = None, enabled_only: bool = False
    ) -> list[Link]:
        """Return links in id order, optionally of one platform and only enabled ones."""
        query = _select_links().order_by(links.c.id)
        if platform is not None:
            query = query.where(links.c.platform == platform)
        if enabled_only:
            query = query.where(links.c.enabled.is_(True))
        async with self._tx(read_only=True) as conn:
            rows = (await conn.execute(query)).all()
        return [_link_from_row(row) for row in rows]

    @atomic
    async def links_for_channel(
        self, trip_id: str, channel_id: str, *, enabled_only: bool = False
    ) -> list[Link]:
        """Return every link to this Osoto channel, in id order."""
        query = (
            _select_links()
            .where(links.c.trip_id == trip_id, links.c.channel_id == channel_id)
            .order_by(links.c.id)
        )
        if enabled_only:
            query = query.where(links.c.enabled.is_(True))
        async with self._tx(read_only=True) as conn:
            rows = (await conn.execute(query)).all()
        return [_link_from_row(row) for row in rows]

    @atomic
    async def remove_link(self, link_id: int) -> bool:
        """Remove a link, its outbox entries and activity; forget its key if unused.

        Returns:
            Whether the link existed.
        """
        async with self._tx() as conn:
            key_id = await conn.scalar(
                sa.delete(links).where(links.c.id == link_id).returning(links.c.key_id)
            )
            if key_id is None:
                return False
            await self._forget_key_if_unused(conn, int(key_id))
        self.forget_cached_links()
        logger.info("removed link %d", link_id)
        return True

    @atomic
    async def update_link(
        self,
        link_id: int,
        *,
        language: str | None = None,
        show_sensitive: bool | None = None,
        enabled: bool | None = None,
        chat_id: str | None = None,
    ) -> Link:
        """Change a link's settings; None leaves a field as it is.

        `chat_id` is for a chat whose id changed (a Telegram group migrated to a
        supergroup): the link moves and so do the message-map rows of the old chat
        id on that platform, so replies to older messages still thread.

        Raises:
            NotFoundError: no such link.
            ConflictError: the new chat id already has a link for this thread, or
                already has mapped messages with the same ids.
        """
        changes: dict[str, Any] = {}
        if language is not None:
            changes["language"] = language
        if show_sensitive is not None:
            changes["show_sensitive"] = show_sensitive
        if enabled is not None:
            changes["enabled"] = enabled
        try:
            async with self._tx() as conn:
                current = await self._get_link(conn, link_id)
                if current is None:
                    raise NotFoundError(f"link {link_id} does not exist")
                if chat_id is not None and chat_id != current.chat_id:
                    changes["chat_id"] = chat_id
                    await conn.execute(
                        sa.update(message_map)
                        .where(
                            message_map.c.platform == current.platform,
                            message_map.c.chat_id == current.chat_id,
                        )
                        .values(chat_id=chat_id)
                    )
                if changes:
                    await conn.execute(
                        sa.update(links).where(links.c.id == link_id).values(**changes)
                    )
                updated = await self._get_link(conn, link_id)
        except IntegrityError as exc:
            self.forget_cached_links()
            raise ConflictError(
                f"cannot move link {link_id} to chat {chat_id!r}: that chat is already "
                "linked for this thread or has overlapping mapped messages"
            ) from exc
        self.forget_cached_links()
        assert updated is not None
        return updated
