"""The announcements' part of `osoto-bridge demo`: the companion changes the plan.

Kept here so the console demo only calls one function: the simulated companion
ticks a to-do and moves a dinner in Osoto (a digest follows), and adds a short walk
starting two minutes ahead while the chat's commitment lead is two minutes (its
reminder follows).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

from osoto_bridge.announce.timing import AnnounceTiming
from osoto_bridge.announce.watcher import Announcer
from osoto_bridge.osoto import OsotoClient, OsotoError
from osoto_bridge.store import Link, Store

__all__ = ["DEMO_TIMING", "companion_changes_plan"]

logger = logging.getLogger(__name__)

DEMO_TIMING = AnnounceTiming(interval=3.0, check_every=0.5, group_window=1.0)
"""A quick watch, so the demo shows a digest within seconds."""


async def companion_changes_plan(
    companion: OsotoClient,
    announcer: Announcer,
    store: Store,
    link: Link,
    *,
    within: float = 20.0,
) -> bool:
    """Make the companion's changes and wait (bounded) for the digest and the reminder.

    Args:
        companion: The companion's Osoto client.
        announcer: The running bridge's plan watch.
        store: The bridge's store (the chat's lead is set to two minutes).
        link: The demo chat's link.
        within: Seconds to wait for both announcements at most.

    Returns:
        Whether both were announced in time.
    """
    trip_id = link.trip_id
    settings = await store.notify_settings(link.id)
    await store.set_notify_settings(link.id, dataclasses.replace(settings, commitment_lead=120))
    start = announcer.announced.copy()
    # the watch must have the plan before the change, or there is nothing to compare
    async with asyncio.timeout(within):
        await announcer.wait_until(lambda: announcer.has_plan(trip_id))
    try:
        export = await companion.export_trip(trip_id)
        todo = next((item for item in export.action_items if not item.done), None)
        if todo is not None:
            await companion.update_action_item(trip_id, todo.id, done=True)
        dinner = next(
            (c for c in export.commitments if c.category == "dinner" and c.start_time), None
        )
        if dinner is not None and dinner.start_time is not None:
            hour, minute = dinner.start_time.split(":")[:2]
            later = f"{(int(hour) + 1) % 24:02d}:{minute}"
            await companion.update_commitment(trip_id, dinner.id, start_time=later)
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        walk = now + dt.timedelta(minutes=2)
        await companion.create_commitment(
            trip_id,
            title="Sunset walk",
            start_date=walk.date().isoformat(),
            start_time=walk.strftime("%H:%M"),
            timezone="UTC",
            category="activity",
        )
    except OsotoError as exc:
        logger.warning("the demo companion could not change the plan: %s", exc)
        return False
    try:
        async with asyncio.timeout(within):
            await announcer.wait_until(
                lambda: (
                    announcer.announced["d"] > start["d"] and announcer.announced["c"] > start["c"]
                )
            )
    except TimeoutError:
        return False
    return True
