"""The trip speaks up: plan-change digests, reminders and the morning briefing.

`Announcer` watches each linked trip's export at a budgeted cadence and posts to its
chats what changed, reminders before what is planned, and the day's briefing, each
exactly once (see docs/announcements.md).
"""

from osoto_bridge.announce.schedule import (
    BRIEF_WINDOW,
    LATE_AFTER,
    STAY_MORNING,
    DueNotice,
    PlanSchedule,
    due_notices,
    next_moment,
)
from osoto_bridge.announce.timing import DEFAULT_INTERVAL, AnnounceTiming
from osoto_bridge.announce.watcher import Announcer
from osoto_bridge.announce.wiring import LinkNotifySettings, build_announcer

__all__ = [
    "BRIEF_WINDOW",
    "DEFAULT_INTERVAL",
    "LATE_AFTER",
    "STAY_MORNING",
    "AnnounceTiming",
    "Announcer",
    "DueNotice",
    "LinkNotifySettings",
    "PlanSchedule",
    "build_announcer",
    "due_notices",
    "next_moment",
]
