"""`osoto-bridge migrate` and `osoto-bridge migrate-db --to URL`: the schema and the data.

``migrate`` brings the configured database's schema up to this version's (``run``
does the same on start; this is for upgrade pipelines). ``--check`` only tells,
exiting 1 when migrations are pending.

``migrate-db`` copies all of the bridge's state (links with their encrypted keys,
cursors, the message map, the outbox, seen events, offsets, activity) from the
configured database into another, empty one: how a bridge moves from SQLite to
PostgreSQL. Stop the bridge first; afterwards point OSOTO_BRIDGE_DATABASE_URL at
the new database. The source is only read.
"""

from __future__ import annotations

import argparse
from typing import Any

from osoto_bridge.cli.common import CommandError, add_config_argument, run_command, settings_from
from osoto_bridge.store import (
    SchemaVersionError,
    Store,
    database_version,
    upgrade_database,
)
from osoto_bridge.store.engine import safe_url


def register(subparsers: Any) -> None:
    migrate: argparse.ArgumentParser = subparsers.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_argument(migrate)
    migrate.add_argument(
        "--check",
        action="store_true",
        help="change nothing: exit 1 if migrations are pending",
    )
    migrate.set_defaults(handler=lambda args: run_command(lambda: _migrate(args)))

    copy: argparse.ArgumentParser = subparsers.add_parser(
        "migrate-db",
        help="copy all state to another database (e.g. SQLite → PostgreSQL)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_argument(copy)
    copy.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the empty target database (postgresql+asyncpg://… or sqlite+aiosqlite:///…)",
    )
    copy.set_defaults(handler=lambda args: run_command(lambda: _migrate_db(args)))


async def _migrate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    where = safe_url(settings.database_url)
    if args.check:
        version = await database_version(settings.database_url)
        if version > Store.CODE_VERSION:
            raise CommandError(
                f"{where} is at schema version {version}, newer than this osoto-bridge "
                f"({Store.CODE_VERSION}): upgrade osoto-bridge"
            )
        if version < Store.CODE_VERSION:
            print(
                f"{where}: schema version {version}; migrations to {Store.CODE_VERSION} "
                "are pending (run `osoto-bridge migrate`)"
            )
            return 1
        print(f"{where}: schema version {version}, up to date")
        return 0
    before, after = await upgrade_database(settings.database_url)
    if before == after:
        print(f"{where}: schema version {after}, already up to date")
    else:
        print(f"{where}: migrated the schema from version {before} to {after}")
    return 0


async def _migrate_db(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    secret_keys = settings.secret_keys()
    if args.to == settings.database_url:
        raise CommandError("--to names the configured database itself: give another one")
    try:
        source = await Store.open(settings.database_url, secret_keys=secret_keys, migrate=False)
    except SchemaVersionError as exc:
        raise CommandError(
            f"the configured database is not at this version's schema ({exc}); "
            "run `osoto-bridge migrate` first"
        ) from exc
    try:
        # A key no secret decrypts would be copied as useless bytes: say so now.
        await source.verify_secrets()
        target = await Store.open(args.to, secret_keys=secret_keys, migrate=True)
        try:
            copied = await source.copy_into(target)
            await target.verify_secrets()
        finally:
            await target.close()
    finally:
        await source.close()
    print(f"copied {safe_url(settings.database_url)} → {safe_url(args.to)}:")
    for table, count in copied.items():
        print(f"  {table:<14} {count:>8}")
    print(
        "Point OSOTO_BRIDGE_DATABASE_URL at the new database, keep OSOTO_BRIDGE_SECRET_KEY, "
        "and start the bridge; keep the old database until it runs."
    )
    return 0
