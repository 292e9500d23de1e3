"""`SharedTripClient`: reads a trip through a share token, without an API key."""

from __future__ import annotations

import asyncio
import time

import httpx

from osoto_bridge.osoto._base import ClientBase, seg
from osoto_bridge.osoto.keys import Secret, key_fingerprint
from osoto_bridge.osoto.models import SharedTrip, TripExport
from osoto_bridge.osoto.pacing import Clock, Priority, Sleep
from osoto_bridge.osoto.retry import RetryPolicy
from osoto_bridge.osoto.session import Session

__all__ = ["SharedTripClient"]


class SharedTripClient(ClientBase):
    """The unauthenticated share view of one trip: its safe projection only.

    The token is a secret like a key (anyone holding it can read the trip), so it
    never appears in logs, errors or `repr`.

    Args:
        token: The share token.
        base_url: The API root, e.g. `http://127.0.0.1:8787/api/v1`.
        http: An httpx client to use (and leave open).
        transport: An httpx transport for the client made here.
        clock: Monotonic clock for retry deadlines.
        sleep: Sleep for backoff.
        retry: The retry policy.
        timeout: Seconds for connect/read/write of the httpx client made here.
    """

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not token:
            raise ValueError("a share token is required")
        self._token = Secret(token)
        self._fingerprint = key_fingerprint(token)
        self._session = Session(
            base_url,
            api_key=None,
            http=http,
            transport=transport,
            limiter=None,
            clock=clock,
            sleep=sleep,
            retry=retry,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return (
            f"SharedTripClient(base_url={self._session.base_url!r}, "
            f"token={self._fingerprint!r}, state={self.state.value})"
        )

    async def get(self) -> SharedTrip:
        """The shared trip with its legs (sensitive fields stripped by the server)."""
        return await self._call(
            "GET",
            self._path(),
            SharedTrip,
            priority=Priority.INTERACTIVE,
            wrappers=("trip",),
            log_path="/shared/trips/<token>",
        )

    async def export(self) -> TripExport:
        """The shared trip's snapshot, shaped like `OsotoClient.export_trip`."""
        return await self._call(
            "GET",
            self._path() + "/export",
            TripExport,
            priority=Priority.INTERACTIVE,
            log_path="/shared/trips/<token>/export",
        )

    def _path(self) -> str:
        return f"/shared/trips/{seg(self._token.reveal())}"
