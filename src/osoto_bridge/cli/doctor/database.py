"""The database checks: reachable, schema current, every stored key decrypts.

Nothing is created: a missing SQLite file is reported, not made (opening it would
create it), and the schema is read, never migrated.
"""

from __future__ import annotations

from osoto_bridge.cli.doctor.context import Context
from osoto_bridge.config import SettingsError
from osoto_bridge.finding import Finding
from osoto_bridge.store import SecretError, Store, StoreError, database_version
from osoto_bridge.store.admin import missing_sqlite_file
from osoto_bridge.store.engine import safe_url


async def check_database(ctx: Context) -> list[Finding]:
    """Reach the database, compare its schema, open the store into ``ctx.store``."""
    url = ctx.settings.database_url
    path = missing_sqlite_file(url)
    if path is not None:
        return [
            Finding(
                "database",
                "fail",
                f"no database file at {path}",
                "run `osoto-bridge migrate` to create it (or start the bridge), "
                "or correct OSOTO_BRIDGE_DATABASE_URL",
            )
        ]
    try:
        version = await database_version(url)
    except StoreError as exc:
        return [
            Finding(
                "database",
                "fail",
                str(exc),
                "check OSOTO_BRIDGE_DATABASE_URL and that the database server is up",
            )
        ]
    findings = [Finding("database", "ok", f"{safe_url(url)} reachable")]
    schema = _schema(version)
    findings.append(schema)
    if schema.status != "ok":
        return findings
    try:
        keys = ctx.settings.secret_keys()
    except SettingsError:
        return findings  # the secret key check said so
    try:
        store = await Store.open(url, secret_keys=keys, migrate=False)
    except SecretError:
        return findings  # a malformed secret key: the secret key check said so
    except StoreError as exc:
        findings.append(Finding("store", "fail", str(exc), "check OSOTO_BRIDGE_DATABASE_URL"))
        return findings
    try:
        count = await store.verify_secrets()
    except SecretError as exc:
        await store.close()
        findings.append(
            Finding(
                "secrets",
                "fail",
                str(exc),
                "put the secret key that encrypted these keys back in "
                "OSOTO_BRIDGE_SECRET_KEY (comma-separated, newest first), or relink them",
            )
        )
        return findings
    ctx.store = store
    findings.append(Finding("secrets", "ok", f"{count} stored API key(s) decrypt"))
    return findings


def _schema(version: int) -> Finding:
    code = Store.CODE_VERSION
    if version < code:
        return Finding(
            "migrations",
            "fail",
            f"schema version {version}, this version needs {code}",
            "run `osoto-bridge migrate` (the bridge also migrates when it starts)",
        )
    if version > code:
        return Finding(
            "migrations",
            "fail",
            f"schema version {version} is newer than this osoto-bridge ({code})",
            "upgrade osoto-bridge to the version that last wrote this database",
        )
    return Finding("migrations", "ok", f"schema version {version}, current")
