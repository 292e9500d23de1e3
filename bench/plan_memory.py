"""What the plan watch holds for one trip between its looks: objects or JSON.

    .venv/bin/python bench/plan_memory.py             # ~2 s
    .venv/bin/python bench/plan_memory.py --trips 2000

For two plans, the relay benchmark's empty trip and the announcement tests' London &
Tokyo plan (legs, stays, flights, commitments, to-dos), it builds ``--trips`` copies
of what the watch kept before (the projected export's objects with its reminder
schedule, worked out for the default settings) and of what it keeps now (a
`TripPlan` let go: the plan's JSON and the schedule's moments), and prints the
bytes a trip of each (tracemalloc, after a collection).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "announce"))

from announce_plans import plan

from osoto_bridge.announce import PlanSchedule
from osoto_bridge.announce.plan_state import TripPlan
from osoto_bridge.osoto import TripExport, safe_projection
from osoto_bridge.store import NotifySettings

NOW = dt.datetime(2026, 10, 24, 12, 0, tzinfo=dt.UTC)
EMPTY_TRIP = {
    "trip": {
        "_id": "t-bench",
        "title": "Trip 1",
        "startDate": "2026-07-01",
        "endDate": "2026-07-08",
    },
    "members": [
        {"userId": "u-olive", "name": "Olive 1", "role": "owner"},
        {"userId": "u-carl", "name": "Carl 1", "role": "editor"},
    ],
}


def _bytes_each(n: int, make: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [make() for _ in range(n)]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / n


def _objects(wire: dict[str, object]) -> object:
    export = safe_projection(TripExport.model_validate(wire))
    schedule = PlanSchedule(export)
    schedule.due(NotifySettings(), NOW)
    return export, schedule


def _trip_plan(wire: dict[str, object]) -> object:
    trip = TripPlan()
    trip.take_fetched(safe_projection(TripExport.model_validate(wire)))
    trip.mark_stored(1.0)
    trip.schedule().due(NotifySettings(), NOW)
    trip.let_go()
    return trip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trips", type=int, default=1000, help="copies of each")
    args = parser.parse_args()
    plans = {
        "empty trip (relay benchmark)": EMPTY_TRIP,
        "London & Tokyo (tests)": plan().model_dump(by_alias=True, mode="json"),
    }
    print(f"bytes a trip, over {args.trips} trips")
    for name, wire in plans.items():
        objects = _bytes_each(args.trips, lambda wire=wire: _objects(wire))
        lean = _bytes_each(args.trips, lambda wire=wire: _trip_plan(wire))
        print(f"  {name:<30} objects {objects:7.0f}   TripPlan {lean:7.0f}")


if __name__ == "__main__":
    main()
