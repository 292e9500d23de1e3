"""The store's exceptions: one tree, so callers catch exactly what they mean.

```
StoreError                  anything the store refuses or cannot do (a BridgeError)
├── SchemaVersionError      the database schema does not match the code
├── SecretError             a bad secret key, or a stored API key no secret decrypts
├── NotFoundError           an update named a link or outbox entry that does not exist
└── ConflictError           an update would break a uniqueness rule (e.g. two links, one chat)
```

Messages never contain an API key or a secret key, only fingerprints and ids.
"""

from __future__ import annotations

from osoto_bridge.errors import BridgeError

__all__ = [
    "ConflictError",
    "NotFoundError",
    "SchemaVersionError",
    "SecretError",
    "StoreError",
]


class StoreError(BridgeError):
    """Base class of every error the store raises."""


class SchemaVersionError(StoreError):
    """The database schema is newer than this code, or older and not migrated."""


class SecretError(StoreError):
    """A secret key is malformed, or no configured secret decrypts a stored API key."""


class NotFoundError(StoreError):
    """The named record (link, outbox entry) does not exist."""


class ConflictError(StoreError):
    """The change would violate a uniqueness rule of the store."""
