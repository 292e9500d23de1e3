"""Pieces of the bridge's lifecycle kept out of `Bridge`: bounded steps, seen copies.

`bounded` runs one step of a stop (every adapter's intake, or their closing) side by
side under the stop's deadline. `SeenCopies` records the copies a chat showed the
bot (issue 14.2) in the message map.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Sequence

from osoto_bridge.chat.base import SeenCopy
from osoto_bridge.relay.copy_tag import tagged_ref
from osoto_bridge.store import Store

__all__ = ["SeenCopies", "adapter_task", "bounded"]

logger = logging.getLogger("osoto_bridge.relay.bridge")


def adapter_task(platform: str, call: Coroutine[object, object, None]) -> asyncio.Task[None]:
    """A task of one adapter's step, named after its platform (for the logs)."""
    return asyncio.create_task(call, name=f"the {platform} adapter")


async def bounded(step: str, tasks: Sequence[asyncio.Task[None]], deadline: float) -> None:
    """Wait for ``tasks`` until ``deadline`` (`time.monotonic`; a second at least).

    One failing or too slow is logged (and cancelled) and never holds the others.
    """
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for task, outcome in zip(tasks, outcomes, strict=True):
        if task in pending:
            logger.warning("%s %s took too long: cancelled", step, task.get_name())
        elif isinstance(outcome, Exception):
            logger.error("%s %s failed", step, task.get_name(), exc_info=outcome)


class SeenCopies:
    """Records a copy a chat showed (its echo) under its link's trip channel."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, copy: SeenCopy) -> bool:
        """Whether the copy was new to the message map (False for an unlinked chat)."""
        address = copy.address
        link = await self._store.find_link(address.platform, address.chat_id, address.thread_id)
        if link is None:
            return False
        learned = await self._store.record_seen_copy(
            osoto_message_id=tagged_ref(copy.osoto_message_id),
            trip_id=link.trip_id,
            channel_id=link.channel_id,
            platform=address.platform,
            chat_id=address.chat_id,
            thread_id=address.thread_id,
            chat_message_id=copy.message_id,
        )
        if learned:
            logger.info(
                "learned copy %s of Osoto message %s in %s/%s from its echo",
                copy.message_id,
                copy.osoto_message_id,
                address.platform,
                address.chat_id,
            )
        return learned
