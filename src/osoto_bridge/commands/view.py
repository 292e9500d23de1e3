"""What an answer may see: the snapshot as the chat is allowed to see it.

`TripView.of` is the one place where the sensitive-field rule is enforced: unless the
link's admin opted in (`show_sensitive`), the snapshot goes through
`safe_projection` before any answer function reads it, so no answer can leak a door
code by forgetting a check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from osoto_bridge.commands.timeline import Event, build_timeline
from osoto_bridge.commands.tripclock import UTC, TripCalendar
from osoto_bridge.i18n import Translator, translator
from osoto_bridge.osoto import MapPin, Member, TripExport, safe_projection

__all__ = ["TripView"]


@dataclass(frozen=True)
class TripView:
    """A snapshot prepared for answering in one chat.

    Build it with `TripView.of`, never directly, so the projection is applied.

    Attributes:
        export: The snapshot, already projected unless `show_sensitive`.
        now: The current instant (aware).
        tr: The chat's language.
        show_sensitive: Whether sensitive fields were kept.
        is_group: Whether the chat is a group (contact details are never shown there).
    """

    export: TripExport
    now: dt.datetime
    tr: Translator
    show_sensitive: bool
    is_group: bool

    @classmethod
    def of(
        cls,
        export: TripExport,
        *,
        now: dt.datetime,
        language: str,
        show_sensitive: bool,
        is_group: bool = True,
    ) -> TripView:
        """Prepare a snapshot for one chat.

        Args:
            export: The full snapshot.
            now: The current instant; a naive value is taken as UTC.
            language: The chat's language.
            show_sensitive: Whether the link's admin opted in to sensitive fields.
            is_group: Whether the chat is a group.

        Returns:
            The view.
        """
        visible = export if show_sensitive else safe_projection(export)
        aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        return cls(visible, aware, translator(language), show_sensitive, is_group)

    @cached_property
    def calendar(self) -> TripCalendar:
        """The trip's calendar."""
        return TripCalendar.from_export(self.export)

    @cached_property
    def timeline(self) -> list[Event]:
        """Every dated happening, in order."""
        return build_timeline(self.export, self.calendar)

    @cached_property
    def today(self) -> dt.date:
        """The trip's local today."""
        return self.calendar.today(self.now)

    @cached_property
    def pins(self) -> dict[str, MapPin]:
        """Map pins by id."""
        return {pin.id: pin for pin in self.export.map_pins}

    @cached_property
    def members(self) -> dict[str, Member]:
        """Members by user id."""
        return {m.user_id: m for m in self.export.members if m.user_id is not None}
