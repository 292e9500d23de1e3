"""Schema administration without opening a store (no secret key needed).

`osoto-bridge migrate` and `doctor` use these: they look at or upgrade the schema of
a database, and never read an API key.
"""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from osoto_bridge.store.engine import build_engine, safe_url
from osoto_bridge.store.errors import StoreError
from osoto_bridge.store.migrations import CODE_VERSION, migrate, read_version

__all__ = ["database_version", "missing_sqlite_file", "upgrade_database"]


async def database_version(url: str) -> int:
    """Return the schema version of the database at ``url`` (0 when it is empty).

    Raises:
        StoreError: the database cannot be reached or the URL is unsupported.
    """
    if _missing_sqlite_file(url):
        return 0  # connecting would create the file: nothing there yet is version 0
    engine = build_engine(url)
    try:
        async with engine.begin() as conn:
            return await read_version(conn)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the schema of {safe_url(url)}: {type(exc).__name__}"
        ) from exc
    except OSError as exc:
        raise StoreError(f"cannot reach the database at {safe_url(url)}: {exc}") from exc
    finally:
        await engine.dispose()


def _missing_sqlite_file(url: str) -> bool:
    return missing_sqlite_file(url) is not None


def missing_sqlite_file(url: str) -> str | None:
    """The SQLite file ``url`` names, if it does not exist (connecting would create it).

    None for an existing file, an in-memory database, another backend or a URL that
    does not parse (opening it reports that).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if os.path.exists(parsed.database) else parsed.database


async def upgrade_database(url: str) -> tuple[int, int]:
    """Apply pending migrations; return the versions (before, after).

    Raises:
        SchemaVersionError: the database is newer than this code.
        StoreError: the database cannot be reached or a migration failed (the
            database then stays at the last version that finished).
    """
    before = await database_version(url)
    if before == CODE_VERSION:
        return before, before
    engine = build_engine(url)
    try:
        after = await migrate(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"migrating {safe_url(url)} failed: {type(exc).__name__}") from exc
    except OSError as exc:
        raise StoreError(f"cannot reach the database at {safe_url(url)}: {exc}") from exc
    finally:
        await engine.dispose()
    return before, after
