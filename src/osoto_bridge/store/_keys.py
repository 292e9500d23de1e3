"""The encrypted API keys behind the links: stored once each, read, rotated, verified.

A key is stored once however many links use it (deduplicated by its SHA-256,
`key_digest`), encrypted with the primary secret key, and deleted when its last
link goes (`_links` calls `_store_key` and `_forget_key_if_unused`).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from osoto_bridge.store._base import StoreBase, atomic
from osoto_bridge.store.crypto import fingerprint, key_digest
from osoto_bridge.store.errors import NotFoundError, SecretError
from osoto_bridge.store.models import Link
from osoto_bridge.store.tables import api_keys, links

__all__ = ["KeysMixin"]

logger = logging.getLogger("osoto_bridge.store.links")


class KeysMixin(StoreBase):
    """The links' API keys, encrypted at rest."""

    async def _store_key(self, conn: AsyncConnection, api_key: str, now: float) -> int:
        digest = key_digest(api_key)
        inserted = await conn.scalar(
            self._insert(api_keys)
            .values(
                digest=digest,
                fingerprint=fingerprint(api_key),
                ciphertext=self._cipher.encrypt(api_key),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[api_keys.c.digest])
            .returning(api_keys.c.id)
        )
        if inserted is not None:
            return int(inserted)
        result = await conn.execute(sa.select(api_keys.c.id).where(api_keys.c.digest == digest))
        return int(result.scalar_one())

    async def _forget_key_if_unused(self, conn: AsyncConnection, key_id: int) -> None:
        # A key no link uses any more is deleted: unlinked secrets should not linger.
        # In a savepoint, because a concurrent add_link may have just reused it (the
        # foreign key then refuses the delete, and keeping the key is right).
        unused = ~sa.exists().where(links.c.key_id == key_id)
        try:
            async with conn.begin_nested():
                await conn.execute(sa.delete(api_keys).where(api_keys.c.id == key_id, unused))
        except IntegrityError:
            logger.debug("API key %d is in use again; kept", key_id)

    @atomic
    async def api_key_for(self, link: Link | int) -> str:
        """Return the plaintext API key of a link, for the Osoto client only.

        Raises:
            NotFoundError: no such link.
            SecretError: no configured secret key decrypts the stored key.
        """
        link_id = link.id if isinstance(link, Link) else link
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    sa.select(api_keys.c.id, api_keys.c.fingerprint, api_keys.c.ciphertext)
                    .join_from(links, api_keys, links.c.key_id == api_keys.c.id)
                    .where(links.c.id == link_id)
                )
            ).first()
        if row is None:
            raise NotFoundError(f"link {link_id} does not exist")
        return self._cipher.decrypt(
            row.ciphertext, what=f"API key {row.id} (fingerprint {row.fingerprint})"
        )

    @atomic
    async def rotate_secrets(self) -> int:
        """Re-encrypt every stored API key with the primary secret key.

        All or nothing: if one key cannot be decrypted, nothing changes.

        Returns:
            How many keys were re-encrypted.

        Raises:
            SecretError: a stored key cannot be decrypted with any configured secret.
        """
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    sa.select(api_keys.c.id, api_keys.c.fingerprint, api_keys.c.ciphertext)
                )
            ).all()
            for row in rows:
                token = self._cipher.rotate(
                    row.ciphertext, what=f"API key {row.id} (fingerprint {row.fingerprint})"
                )
                await conn.execute(
                    sa.update(api_keys).where(api_keys.c.id == row.id).values(ciphertext=token)
                )
        logger.info("re-encrypted %d API keys with the primary secret key", len(rows))
        return len(rows)

    @atomic
    async def verify_secrets(self) -> int:
        """Check that every stored API key decrypts (for start-up and `doctor`).

        Returns:
            How many keys were checked.

        Raises:
            SecretError: naming the fingerprints of the keys that do not decrypt.
        """
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    sa.select(api_keys.c.id, api_keys.c.fingerprint, api_keys.c.ciphertext)
                )
            ).all()
        bad: list[str] = []
        for row in rows:
            try:
                self._cipher.decrypt(row.ciphertext, what=f"API key {row.id}")
            except SecretError:
                bad.append(row.fingerprint)
        if bad:
            raise SecretError(
                f"{len(bad)} of {len(rows)} stored API keys cannot be decrypted with the "
                f"configured secret keys (fingerprints: {', '.join(bad)})"
            )
        return len(rows)
