"""The replicas' signals to each other over PostgreSQL's ``LISTEN``/``NOTIFY``.

Two kinds, each a ``NOTIFY`` payload on one channel (made distinct per schema by the
store): "wake the holder of this channel" (a chat line accepted here for a channel
another replica runs is in the outbox; its holder drains it now) and "run a lease
round now" (leases were given back, or a part of the bots' rates changed), signed so
that a replica ignores its own. A lost signal costs time, never a line: the holder's
next pass and the next round read everything again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from osoto_bridge.store import Store, StoreError

__all__ = ["WAKE_CHANNEL", "ReplicaSignals"]

logger = logging.getLogger("osoto_bridge.relay.replicas")

WAKE_CHANNEL = "osoto_bridge_wake"
"""The NOTIFY channel (made distinct per schema by the store)."""


class ReplicaSignals:
    """Sends this replica's signals in order, each once, and hands on the others'.

    Args:
        store: the PostgreSQL store (its ``LISTEN`` connection and ``NOTIFY``).
        replica_id: this replica's name (its own round signals are ignored).
        retry: seconds between two tries to listen again after the connection ended.
        on_round: another replica asked for a lease round.
        on_wake: a channel held here has new outbox lines (trip id, channel id).
    """

    def __init__(
        self,
        *,
        store: Store,
        replica_id: str,
        retry: float,
        on_round: Callable[[], None],
        on_wake: Callable[[str, str], None],
    ) -> None:
        self._store = store
        self._replica_id = replica_id
        self._retry = retry
        self._on_round = on_round
        self._on_wake = on_wake
        self._channel = WAKE_CHANNEL
        self._round = f"r\t{replica_id}"
        self._outgoing: dict[str, None] = {}  # payloads to NOTIFY, in order, each once
        self._send = asyncio.Event()
        self._closing = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def open(self) -> None:
        """Begin listening and sending."""
        self._channel = await self._store.notify_channel(WAKE_CHANNEL)
        self._closing.clear()
        self._tasks = [
            asyncio.create_task(self._listen(), name="replicas:listen"),
            asyncio.create_task(self._notifier(), name="replicas:notify"),
        ]

    def wake(self, trip_id: str, channel_id: str) -> None:
        """Ask the holder of a channel to drain it now."""
        self._outgoing[f"w\t{trip_id}\t{channel_id}"] = None
        self._send.set()

    def ask_round(self) -> None:
        """Ask the other replicas for a lease round (sent in order with the rest)."""
        self._outgoing[self._round] = None
        self._send.set()

    async def ask_round_now(self) -> None:
        """The same, sent before returning (a stop's last word); may raise StoreError."""
        await self._store.notify(self._channel, self._round)

    async def close(self) -> None:
        """Stop listening and sending (what is still queued is not sent)."""
        self._closing.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    def _received(self, payload: str) -> None:
        kind, _, rest = payload.partition("\t")
        if kind == "r" and rest != self._replica_id:
            self._on_round()
        elif kind == "w":
            trip_id, _, channel_id = rest.partition("\t")
            self._on_wake(trip_id, channel_id)

    async def _listen(self) -> None:
        while not self._closing.is_set():
            lost = asyncio.Event()
            try:
                async with self._store.listening(self._channel, self._received, lost.set):
                    # Whatever was sent while nobody listened: a round re-reads all.
                    self._on_round()
                    await lost.wait()
                logger.warning("the LISTEN connection ended; listening again")
            except (StoreError, OSError) as exc:
                logger.warning("cannot LISTEN (%s); trying again", exc)
            except Exception:
                logger.exception("LISTEN failed; trying again")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._retry):
                    await self._closing.wait()

    async def _notifier(self) -> None:
        while True:
            await self._send.wait()
            self._send.clear()
            while self._outgoing:
                payload = next(iter(self._outgoing))
                del self._outgoing[payload]
                try:
                    await self._store.notify(self._channel, payload)
                except StoreError as exc:
                    # The line is in the outbox: its holder's next pass takes it.
                    logger.warning("NOTIFY failed (%s): the holder drains on its next pass", exc)
