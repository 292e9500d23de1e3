"""The store as the replicas' shared record of each key's requests.

`osoto/pacing_shared.py` says what a limiter needs (`SharedBudget`); the store's
``key_budgets`` rows provide it (`store/_budgets.py`). This is the glue, and the
one place a store failure becomes the client's `TransportError`: a request whose
reservation cannot be made does not go out (it would spend the key unseen by the
other replicas), and the caller's usual handling of a failed request applies.
"""

from __future__ import annotations

from osoto_bridge.osoto import Reservation, TransportError
from osoto_bridge.store import Store, StoreError

__all__ = ["StoreBudget"]


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
