"""The plan watch's knobs: how often it fetches, looks, groups and remembers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CLAIMS_KEPT", "DEFAULT_INTERVAL", "LINKS_REREAD", "AnnounceTiming"]

CLAIMS_KEPT = 7 * 86400.0
"""Seconds an announcement's claim is kept. Long enough: a reminder is claimed at most
a day (the longest lead) before its event starts, and then never due again; a digest's
identity names the stored snapshot it started from, which is gone once it was told."""

LINKS_REREAD = 60.0
"""Seconds the watch keeps the links it read when nothing told it of a change (a
change by this process, or the relay's link sync, tells it at once)."""

DEFAULT_INTERVAL = 120.0
"""Seconds between two fetches of a trip's export (`OSOTO_BRIDGE_PLAN_WATCH_INTERVAL`)."""


@dataclass(frozen=True)
class AnnounceTiming:
    """The knobs of the watch (seconds).

    Attributes:
        interval: Between two fetches of one trip's export.
        check_every: Between two looks at the reminders (no request: the plan is in
            memory); also the latest a poke after a write waits.
        group_window: A change seen is posted after this long, so the edits someone
            makes in a row arrive as one digest.
        own_write_memory: How long the bot's own writes are remembered, so the chat
            that made one is not told about it.
    """

    interval: float = DEFAULT_INTERVAL
    check_every: float = 15.0
    group_window: float = 20.0
    own_write_memory: float = 900.0
    spread: bool = True
    """Spread the first fetches of the trips over one interval (thousands of trips
    must not all fetch in the first second); tests turn it off."""
    concurrency: int = 16
    """Trips checked at once (a slow Osoto must not hold up every other trip)."""
