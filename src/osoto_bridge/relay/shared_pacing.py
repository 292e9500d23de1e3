"""The store as the replicas' shared record of each key's requests and chat's pace.

`osoto/pacing_shared.py` says what a limiter needs (`SharedBudget`); the store's
``key_budgets`` rows provide it (`store/_budgets.py`). This is the glue, and the
one place a store failure becomes the client's `TransportError`: a request whose
reservation cannot be made does not go out (it would spend the key unseen by the
other replicas), and the caller's usual handling of a failed request applies.

`chat.base.SharedChatPace` says what the adapters' per-chat pacers need; the
store's ``chat_paces`` rows provide it (`store/_chat_paces.py`). A store failure
there lets the message go at this process's own pace instead (a 429 from a chat
is waited out and retried, a message held for the database could wait for good;
the replica fences itself soon anyway).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from osoto_bridge.osoto import Reservation, TransportError
from osoto_bridge.store import Store, StoreError

__all__ = ["StoreBudget", "StoreChatPace"]

logger = logging.getLogger(__name__)


class StoreBudget:
    """`SharedBudget` on the store's ``key_budgets`` (PostgreSQL).

    Args:
        store: the PostgreSQL store every replica shares.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    async def reserve(self, key: str, *, at: float, horizon: float, room: int) -> Reservation:
        try:
            granted, sends = await self._store.reserve_request(
                key, at=at, horizon=horizon, room=room
            )
        except StoreError as exc:
            raise TransportError(f"the key's shared budget is out of reach: {exc}") from exc
        return Reservation(granted=granted, sends=sends)


class StoreChatPace:
    """`SharedChatPace` on the store's ``chat_paces`` (PostgreSQL).

    Args:
        store: the PostgreSQL store every replica shares.
        wall_clock: epoch seconds (the record's clock, shared by the replicas).
    """

    def __init__(self, store: Store, *, wall_clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._wall = wall_clock

    async def take(self, chat: str, *, rates: Sequence[tuple[float, float]]) -> float:
        try:
            return await self._store.take_chat_send(chat, at=self._wall(), rates=rates)
        except StoreError as exc:
            logger.warning(
                "the chats' shared pace is out of reach (%s): pacing %s alone", exc, chat
            )
            return 0.0
