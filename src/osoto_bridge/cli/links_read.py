"""Opening the bridge's database for the `links` commands that change no schema.

`links list`, `set` and `remove` never create a database (an unset or mistyped
``OSOTO_BRIDGE_DATABASE_URL`` would otherwise leave an empty ``./osoto-bridge.db``
behind and report "no links"), never migrate one, and need no secret key: they read
and change link rows, never a stored API key.
"""

from __future__ import annotations

from osoto_bridge.cli.common import CommandError
from osoto_bridge.config import Settings, SettingsError
from osoto_bridge.store import SecretError, Store, database_version, generate_secret_key
from osoto_bridge.store.admin import missing_sqlite_file
from osoto_bridge.store.crypto import KeyCipher
from osoto_bridge.store.engine import safe_url


async def open_for_reading(settings: Settings) -> Store | None:
    """The store, opened without migrating; None when there is no database yet.

    Raises:
        CommandError: the schema is older or newer than this osoto-bridge.
        StoreError: the database cannot be reached.
    """
    url = settings.database_url
    if missing_sqlite_file(url) is not None:
        return None
    version = await database_version(url)
    if version == 0:
        return None  # reachable but empty: nothing was ever linked there
    if version != Store.CODE_VERSION:
        fix = (
            "run `osoto-bridge migrate`"
            if version < Store.CODE_VERSION
            else "upgrade osoto-bridge to the version that last wrote it"
        )
        raise CommandError(
            f"the database at {safe_url(url)} has schema version {version}, this "
            f"osoto-bridge reads {Store.CODE_VERSION}: {fix}"
        )
    return await Store.open(url, secret_keys=_keys(settings), migrate=False)


def _keys(settings: Settings) -> list[str]:
    # These commands decrypt nothing, so a missing or malformed secret key must not
    # stop them; a throwaway key stands in (it could only ever fail to decrypt).
    try:
        keys = settings.secret_keys()
        KeyCipher(keys)
    except (SettingsError, SecretError):
        return [generate_secret_key()]
    return keys
