"""What every doctor check receives, and the shape of a check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from osoto_bridge.config import Settings
from osoto_bridge.finding import Finding
from osoto_bridge.store import Store


@dataclass
class Context:
    """The settings, one HTTP client, and the store once the database check opened it.

    Attributes:
        settings: the bridge's settings.
        http: the client every HTTP call of every check goes through.
        check_links: whether the per-link checks (several Osoto calls each) run.
        store: the open store, or None when the database or the secret key failed
            (the checks that need it are then skipped).
    """

    settings: Settings
    http: httpx.AsyncClient
    check_links: bool = True
    store: Store | None = None


# A check looks at the context and says what it saw; it never raises for a problem
# it can name (that is a "fail" finding), and it writes nothing anywhere.
Check = Callable[[Context], Awaitable[list[Finding]]]


def secret(value: Any) -> str:
    """The plain value of an optional `SecretStr` setting ("" when unset)."""
    return "" if value is None else str(value.get_secret_value()).strip()
