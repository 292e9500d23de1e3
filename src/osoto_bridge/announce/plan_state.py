"""What the plan watch knows of one trip's plan, kept as JSON between its looks.

The watch compares each trip's latest export with the one it last stored, every two
minutes, for every linked trip. Held as pydantic objects with its reminder schedule,
a plan of a few legs, stays and to-dos took 17.8 KB, an empty trip 4.1 KB, for as
long as the trip is linked. A `TripPlan` keeps the two plans as the JSON the watch
stores anyway, with the schedule's worked-out moments, and parses a plan only for
what needs its objects: a comparison of two plans that differ, a briefing's text,
the moments for settings never asked before. That is 10.4 KB and 1.2 KB. Most
fetches find the plan unchanged, which the texts alone tell (`unchanged`): no
parse, no diff.

(`python bench/plan_memory.py` measures the sizes; docs/benchmarks.md has the
figures at 5,000 trips.)
"""

from __future__ import annotations

import hashlib

from osoto_bridge.announce.schedule import PlanSchedule
from osoto_bridge.osoto import TripExport

__all__ = ["TripPlan", "plan_json", "snapshot_hash"]


def plan_json(export: TripExport) -> str:
    """A plan's JSON as the watch stores and compares it."""
    return export.model_dump_json(by_alias=True)


def snapshot_hash(text: str) -> str:
    """A short hash of a plan's JSON, part of a digest's identity."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TripPlan:
    """The latest plan fetched and the stored one it is compared with, as JSON."""

    __slots__ = ("_latest", "_schedule", "latest_json", "stored_at", "stored_json")

    def __init__(self) -> None:
        self.latest_json: str | None = None
        """The latest export fetched (projected), None before the first fetch."""
        self.stored_json: str | None = None
        """The snapshot stored: what the last digest told, or the first look."""
        self.stored_at: float | None = None
        self._latest: TripExport | None = None
        self._schedule: PlanSchedule | None = None

    @property
    def known(self) -> bool:
        """Whether a plan was fetched."""
        return self.latest_json is not None

    @property
    def unchanged(self) -> bool:
        """Whether the latest plan is the stored one (to the byte)."""
        return self.latest_json == self.stored_json

    def take_fetched(self, export: TripExport) -> None:
        """A fetched export (projected) becomes the latest plan."""
        text = plan_json(export)
        if text == self.latest_json:
            return  # the same plan: its schedule stays, the new objects go
        if text == self.stored_json:
            text = self.stored_json  # one copy of the text
        self.latest_json = text
        self._latest = export
        self._schedule = None

    def take_stored(self, text: str, stored_at: float) -> None:
        """The snapshot the store holds (read at start, or stored by another replica)."""
        self.stored_json = self.latest_json if text == self.latest_json else text
        self.stored_at = stored_at

    def mark_stored(self, stored_at: float) -> None:
        """The latest plan was stored: comparisons start from it."""
        self.stored_json = self.latest_json
        self.stored_at = stored_at

    def latest(self) -> TripExport:
        """The latest plan's objects (parsed again if let go)."""
        if self._latest is None:
            self._latest = self._parse_latest()
        return self._latest

    def stored(self) -> TripExport:
        """The stored plan's objects (parsed each time: only two plans that differ ask)."""
        assert self.stored_json is not None
        return TripExport.model_validate_json(self.stored_json)

    def schedule(self) -> PlanSchedule:
        """The latest plan's reminder moments (worked out once a plan)."""
        if self._schedule is None:
            self._schedule = PlanSchedule(self.latest(), reload=self._parse_latest)
        return self._schedule

    def let_go(self) -> None:
        """Keep only the texts and the schedule's moments until the next look."""
        self._latest = None
        if self._schedule is not None:
            self._schedule.release()

    def _parse_latest(self) -> TripExport:
        assert self.latest_json is not None
        return TripExport.model_validate_json(self.latest_json)
