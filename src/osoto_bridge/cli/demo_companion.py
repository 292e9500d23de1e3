"""The demo's simulated travel companion: what they write in Osoto, and when.

Their lines come from the trip itself (the city the trip is in today, its stay, the
day's plans and the next city), so the demo talks about the trip you are looking at.
They never repeat until every line was said, and never say the same line twice in a
row, as a person would not.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from osoto_bridge.osoto.models import Leg, TripExport

__all__ = ["Companion", "city_of"]


def city_of(leg: Leg) -> str:
    """The leg's city: its title ("Berlin"), else the first part of its destination."""
    return leg.title or (leg.destination or "").split(",")[0].strip() or "here"


def current_leg(export: TripExport, today: dt.date) -> Leg | None:
    """The leg the trip is in on ``today``: the one covering it, else the next, else
    the last."""
    legs = sorted(export.legs, key=lambda leg: (leg.start_date, leg.order))
    for leg in legs:
        if leg.start_date <= today <= leg.end_date:
            return leg
    upcoming = [leg for leg in legs if leg.start_date > today]
    return upcoming[0] if upcoming else (legs[-1] if legs else None)


def lines_for(export: TripExport, today: dt.date) -> list[str]:
    """Everything the companion might say on ``today``."""
    leg = current_leg(export, today)
    if leg is None:
        return [f"So excited for {export.trip.title}!", "Has everyone packed yet?"]
    city = city_of(leg)
    lines = [
        f"Still can't believe we're in {city} 🤩",
        f"Where should we eat tonight in {city}?",
        f"Anyone seen a good coffee place near us in {city}?",
    ]
    stay = next((s.name for s in leg.stays if s.name), None)
    if stay is None and leg.accommodation is not None:
        stay = leg.accommodation.name
    if stay:
        lines.append(f"Heading back to {stay} to drop my bag, see you in an hour")
    for event in export.commitments:
        if max(leg.start_date, today) <= event.start_date <= leg.end_date:
            when = "today" if event.start_date == today else event.start_date.strftime("on %A")
            lines.append(f"Are we all still up for “{event.title}” {when}?")
    later = sorted(
        (other for other in export.legs if other.start_date > leg.start_date),
        key=lambda other: other.start_date,
    )
    if later:
        lines.append(f"Sad to leave {city}, but {city_of(later[0])} next! 🧳")
    return lines


class Companion:
    """Picks the companion's next line, from the trip, without repeating itself.

    Args:
        export: the trip's snapshot.
        today: the date the trip is seen on (injected: tests pass a fixed one).
        rng: the random source that shuffles the lines.
    """

    def __init__(
        self,
        export: TripExport,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        rng: random.Random | None = None,
    ) -> None:
        self._export = export
        self._today = today
        self._rng = rng or random.Random()
        self._deck: list[str] = []
        self._said: set[str] = set()
        self._last: str | None = None

    def next_line(self) -> str:
        """The next line: one not said yet while any is left, never the last one again."""
        pool = lines_for(self._export, self._today())
        fresh = [line for line in pool if line not in self._said]
        if not fresh:
            self._said.clear()
            fresh = [line for line in pool if line != self._last] or pool
        line = self._rng.choice(fresh)
        self._said.add(line)
        self._last = line
        return line
