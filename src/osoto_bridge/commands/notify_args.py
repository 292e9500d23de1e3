"""The arguments of `/remind`, `/brief` and `/notify`, applied to a link's settings.

Pure: `apply_notify_args` returns the new settings or a usage error, and never
touches the store; the service saves what it returns.

* `/remind` shows; `/remind 30m` (commitments), `/remind flights 4h`,
  `/remind off`, `/remind on`; leads from one minute to one day (`90`, `45m`,
  `1h30m`, `2h`, `1d`; bare numbers are minutes).
* `/brief 08:00` (also `8`, `8am`, `8:30`), `/brief off`.
* `/notify changes off|on`, `/notify reminders off|on`, `/notify stays off|on`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from osoto_bridge.store import NotifySettings

__all__ = ["MAX_LEAD", "MIN_LEAD", "NotifyUpdate", "apply_notify_args", "parse_lead"]

MIN_LEAD = 60
"""The shortest reminder lead, in seconds (one minute)."""

MAX_LEAD = 86400
"""The longest reminder lead, in seconds (one day)."""

_OFF = frozenset({"off", "no", "none", "stop", "끄기", "해제"})
_ON = frozenset({"on", "yes", "start", "켜기"})
_LEAD = re.compile(
    r"^(?:(?P<d>\d+)\s*(?:d|days?|일))?\s*(?:(?P<h>\d+)\s*(?:h|hours?|hrs?|시간))?"
    r"\s*(?:(?P<m>\d+)\s*(?:m|min|mins|minutes?|분)?)?$"
)
_CLOCK = re.compile(r"^(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$")
_FLIGHT_WORDS = frozenset({"flight", "flights", "비행", "항공"})
_COMMITMENT_WORDS = frozenset({"events", "commitments", "plans", "일정"})
_NOTIFY_TOPICS = {
    "changes": "changes",
    "change": "changes",
    "변경": "changes",
    "reminders": "reminders",
    "reminder": "reminders",
    "알림": "reminders",
    "stays": "stay_mornings",
    "stay": "stay_mornings",
    "숙소": "stay_mornings",
}


@dataclass(frozen=True)
class NotifyUpdate:
    """The outcome of a settings command.

    Attributes:
        settings: The settings after the command (the same when it only shows).
        changed: Whether the command changes anything (then only admins may run it).
        usage: The usage line to show when the arguments were not understood.
    """

    settings: NotifySettings
    changed: bool = False
    usage: str | None = None


def parse_lead(text: str) -> int | None:
    """Seconds of a lead time (`30m`, `4h`, `1h30m`, `1d`, `90`), or None.

    Returns None when unparsable or outside one minute to one day.
    """
    match = _LEAD.match(text.strip().casefold().replace(" ", ""))
    if match is None or not any(match.group(g) for g in "dhm"):
        return None
    seconds = int(match["d"] or 0) * 86400 + int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60
    return seconds if MIN_LEAD <= seconds <= MAX_LEAD else None


def _parse_clock(text: str) -> str | None:
    match = _CLOCK.match(text.strip().casefold())
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ampm"] == "pm" and hour < 12:
        hour += 12
    elif match["ampm"] == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _remind(words: list[str], current: NotifySettings) -> NotifyUpdate:
    usage = "/remind [flights] 30m|4h|off"
    if not words:
        return NotifyUpdate(current)
    head = words[0]
    if head in _OFF and len(words) == 1:
        return NotifyUpdate(dataclasses.replace(current, reminders=False), changed=True)
    if head in _ON and len(words) == 1:
        return NotifyUpdate(dataclasses.replace(current, reminders=True), changed=True)
    flights = head in _FLIGHT_WORDS
    if flights or head in _COMMITMENT_WORDS:
        words = words[1:]
    if len(words) != 1:
        return NotifyUpdate(current, usage=usage)
    lead: int | None = None
    if words[0] not in _OFF:
        lead = parse_lead(words[0])
        if lead is None:
            return NotifyUpdate(current, usage=usage)
    if flights:
        updated = dataclasses.replace(current, flight_lead=lead)
    else:
        updated = dataclasses.replace(current, commitment_lead=lead)
    if lead is not None:
        updated = dataclasses.replace(updated, reminders=True)
    return NotifyUpdate(updated, changed=True)


def _brief(words: list[str], current: NotifySettings) -> NotifyUpdate:
    usage = "/brief 08:00|off"
    if not words:
        return NotifyUpdate(current)
    if len(words) != 1:
        return NotifyUpdate(current, usage=usage)
    if words[0] in _OFF:
        return NotifyUpdate(dataclasses.replace(current, brief_at=None), changed=True)
    clock = _parse_clock(words[0])
    if clock is None:
        return NotifyUpdate(current, usage=usage)
    return NotifyUpdate(dataclasses.replace(current, brief_at=clock), changed=True)


def _notify(words: list[str], current: NotifySettings) -> NotifyUpdate:
    usage = "/notify changes|reminders|stays on|off"
    if not words:
        return NotifyUpdate(current)
    topic = _NOTIFY_TOPICS.get(words[0])
    if topic is None or len(words) != 2 or not (words[1] in _ON or words[1] in _OFF):
        return NotifyUpdate(current, usage=usage)
    value = words[1] in _ON
    if topic == "changes":
        updated = dataclasses.replace(current, changes=value)
    elif topic == "reminders":
        updated = dataclasses.replace(current, reminders=value)
    else:
        updated = dataclasses.replace(current, stay_mornings=value)
    return NotifyUpdate(updated, changed=True)


def apply_notify_args(command: str, args: str, current: NotifySettings) -> NotifyUpdate:
    """Apply `/remind`, `/brief` or `/notify` arguments to a link's settings.

    Args:
        command: `remind`, `brief` or `notify`.
        args: What followed the command.
        current: The link's settings now.

    Returns:
        The new settings (`changed`), the same ones (only showing), or a usage line.
    """
    words = args.casefold().split()
    if command == "remind":
        return _remind(words, current)
    if command == "brief":
        return _brief(words, current)
    return _notify(words, current)
