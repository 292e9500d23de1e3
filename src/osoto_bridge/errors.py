"""The root of the bridge's own errors: catch `BridgeError` to catch them all.

Each room raises its own tree under it, and translates what its libraries raise
into that tree in one place (`raise ... from exc`), the way httpx has one root::

    BridgeError
    ├── OsotoError                 osoto.errors: the Osoto client
    │   ├── TransportError           the network failed (connect, timeout, lost response)
    │   ├── UnexpectedResponse       a 2xx body we could not read
    │   └── ApiError                 the API answered with an error
    │       ├── Unauthorized           401
    │       ├── Forbidden              403: scope or trip access
    │       ├── NotFound               404
    │       ├── ValidationError        400: `details` names each bad field
    │       ├── IdempotencyConflict    409: key reused with another body
    │       ├── RateLimited            429: `retry_after` seconds
    │       └── ServerError            5xx
    ├── LinkError                  osoto.trip_finder: a key cannot serve the link asked for
    ├── StoreError                 store.errors: the bridge's state
    │   ├── SchemaVersionError       the schema is newer than the code, or not migrated
    │   ├── SecretError              a secret key is malformed or decrypts no stored key
    │   ├── NotFoundError            the named link or outbox entry does not exist
    │   └── ConflictError            a uniqueness rule would break
    ├── ChatError                  chat.base: an adapter could not deliver
    │   ├── ChatGone                 the chat refuses the bot for good
    │   ├── ChatUnavailable          a transient fault, already retried
    │   └── SlackRefused             Slack refused a call (chat.slack.webapi)
    ├── SettingsError              config: the settings are missing or malformed
    ├── WebServerError             web.server: the HTTP server could not start
    ├── CommandError               cli.common: a CLI failure shown as one line
    └── BadArgument                mcp.errors: a tool's arguments fit the schema, not the call

The sandbox is another program (an Osoto server) and keeps its own errors.

Every error names its ``kind``: the ``kind`` label of
``osoto_bridge_errors_total`` (`metrics.error_kind`), so counting an error needs no
knowledge of the room that raised it.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["BridgeError"]


class BridgeError(Exception):
    """Base class of every error the bridge raises on purpose.

    Attributes:
        kind: the error's label in the metrics (``other`` unless a room says better).
    """

    kind: ClassVar[str] = "other"
