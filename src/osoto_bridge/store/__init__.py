"""The bridge's persistent state (SQLite by default, PostgreSQL to scale out).

See `docs/store.md`. Open with `Store.open(url, secret_keys=[...])`.
"""

from osoto_bridge.store._leases import LeaseRound, Takeover, fair_share
from osoto_bridge.store._ops import OutboxStats
from osoto_bridge.store.admin import database_version, upgrade_database
from osoto_bridge.store.crypto import fingerprint, generate_secret_key
from osoto_bridge.store.errors import (
    ConflictError,
    NotFoundError,
    SchemaVersionError,
    SecretError,
    StoreError,
)
from osoto_bridge.store.models import (
    ChatParent,
    Direction,
    Ingested,
    IntakeLine,
    Link,
    MessageOrigin,
    MessageRef,
    NotifySettings,
    OsotoParent,
    OutboxEntry,
    OutboxStatus,
    Parent,
    PendingParent,
    PendingPost,
)
from osoto_bridge.store.store import Store, StoreOpener

__all__ = [
    "ChatParent",
    "ConflictError",
    "Direction",
    "Ingested",
    "IntakeLine",
    "LeaseRound",
    "Link",
    "MessageOrigin",
    "MessageRef",
    "NotFoundError",
    "NotifySettings",
    "OsotoParent",
    "OutboxEntry",
    "OutboxStats",
    "OutboxStatus",
    "Parent",
    "PendingParent",
    "PendingPost",
    "SchemaVersionError",
    "SecretError",
    "Store",
    "StoreError",
    "StoreOpener",
    "Takeover",
    "database_version",
    "fair_share",
    "fingerprint",
    "generate_secret_key",
    "upgrade_database",
]
