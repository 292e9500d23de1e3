"""Where the share page reads a trip: Osoto's share export, briefly cached.

A link passed around a travel group is opened by everyone at once, and again each
time a calendar app refreshes its subscription: `ShareSource` answers all of them
from one fetch for ``ttl`` seconds (one fetch at a time per token, the others wait
for it), so a busy group costs Osoto a request a minute, not one per phone. The
export is read with the token alone (no API key): Osoto returns only the trip's
share projection, without door codes, Wi-Fi passwords and the like.

Tokens are checked against `TOKEN_PATTERN` before anything is asked of Osoto, so a
crafted path never reaches it; a known-bad (revoked or unknown) token is remembered
for ``missing_ttl`` seconds too.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType

import httpx

from osoto_bridge.osoto import NotFound, RetryPolicy, SharedTripClient, TripExport
from osoto_bridge.util import LRU

__all__ = ["TOKEN_PATTERN", "ShareSource", "valid_token"]

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,128}")
"""What a share token looks like (Osoto's are `shr_` and URL-safe base64)."""

# A page is waited on by a person: give up sooner than the client's default.
_RETRY = RetryPolicy(max_attempts=2, base_delay=0.25, max_delay=1.0, deadline=8.0)


def valid_token(token: str) -> bool:
    """Whether ``token`` has the shape of a share token (and may be sent to Osoto)."""
    return TOKEN_PATTERN.fullmatch(token) is not None


@dataclass(frozen=True)
class _Entry:
    export: TripExport | None  # None: Osoto said the token is unknown or revoked
    at: float


class ShareSource:
    """Fetches shared trips through their tokens, with a short cache.

    An async context manager: it owns the httpx client it makes (or borrows
    ``http``) and closes it on exit.

    Args:
        base_url: Osoto's API root, e.g. `http://127.0.0.1:8787/api/v1`.
        http: An httpx client to use and leave open.
        transport: An httpx transport for the client made here (tests).
        ttl: Seconds a fetched trip is served from the cache.
        missing_ttl: Seconds an unknown or revoked token is remembered as such.
        capacity: The most tokens kept in the cache.
        clock: Monotonic clock of the cache and the retries.
        sleep: Sleep between the retries.
        timeout: Seconds for each request to Osoto.
    """

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        ttl: float = 60.0,
        missing_ttl: float = 15.0,
        capacity: int = 512,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        timeout: float = 8.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(transport=transport, timeout=timeout)
        self._ttl = ttl
        self._missing_ttl = missing_ttl
        self._clock = clock
        self._sleep = sleep
        self._cache: LRU[str, _Entry] = LRU(capacity)
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0
        """Requests made to Osoto so far (the cache's effect, for tests and logs)."""

    async def __aenter__(self) -> ShareSource:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the httpx client if this source made it."""
        if self._owns_http:
            await self._http.aclose()

    def _fresh(self, token: str) -> _Entry | None:
        entry = self._cache.get(token)
        if entry is None:
            return None
        limit = self._ttl if entry.export is not None else self._missing_ttl
        return entry if self._clock() - entry.at < limit else None

    async def export(self, token: str) -> TripExport | None:
        """The shared trip, or None when the token is unknown or was revoked.

        Args:
            token: The share token from the page's address.

        Returns:
            The share projection of the trip, or None.

        Raises:
            ValueError: ``token`` does not look like a share token (check first
                with `valid_token`).
            OsotoError: Osoto did not answer, or answered with an error other
                than 404.
        """
        if not valid_token(token):
            raise ValueError("not a share token")
        entry = self._fresh(token)
        if entry is not None:
            return entry.export
        lock = self._locks.setdefault(token, asyncio.Lock())
        try:
            async with lock:
                entry = self._fresh(token)  # fetched while this request waited
                if entry is None:
                    entry = _Entry(await self._fetch(token), self._clock())
                    self._cache[token] = entry
                return entry.export
        finally:
            if not lock.locked():
                self._locks.pop(token, None)

    async def _fetch(self, token: str) -> TripExport | None:
        self.fetches += 1
        client = SharedTripClient(
            token,
            self._base_url,
            http=self._http,
            clock=self._clock,
            sleep=self._sleep,
            retry=_RETRY,
        )
        async with client:
            try:
                return await client.export()
            except NotFound:
                return None
