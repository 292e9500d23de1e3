"""Chat commands: parse `/where tuesday` and friends, answer from the trip snapshot.

The answers are pure functions from a `TripView` (the snapshot as the chat may see
it, plus "now" and the language) to a neutral `Document`; `CommandService` is the
thin I/O layer around them (snapshot cache, writes, scopes, errors)::

    service = CommandService(cache=SnapshotCache())
    reply = await service.handle("/where tue", ctx, client, bot_username="MyBot")
    if reply is not None:
        send(render_telegram_html(reply.document), buttons=reply.document.buttons)
"""

from osoto_bridge.commands.answers.help import answer_help, command_help
from osoto_bridge.commands.answers.meta import answer_error, answer_status
from osoto_bridge.commands.answers.notices import (
    Reminder,
    answer_digest,
    answer_notify_settings,
    answer_reminder,
)
from osoto_bridge.commands.answers.places import answer_pins, answer_who
from osoto_bridge.commands.answers.schedule import answer_next, answer_plan
from osoto_bridge.commands.answers.todo import DONE_ACTION, answer_todo
from osoto_bridge.commands.answers.trip import answer_trip
from osoto_bridge.commands.answers.where import answer_where
from osoto_bridge.commands.cache import SnapshotCache
from osoto_bridge.commands.catalog import COMMAND_CATALOG, CommandCatalog
from osoto_bridge.commands.context import (
    CURRENT_CHAT,
    WRITE_SCOPE,
    CommandContext,
    CommandReply,
    LinkStatus,
    has_scope,
)
from osoto_bridge.commands.days import DayResolution, DayStatus, parse_day, resolve_day
from osoto_bridge.commands.notify_args import apply_notify_args, parse_lead
from osoto_bridge.commands.parser import (
    COMMANDS,
    ParsedCommand,
    looks_like_command,
    parse_command,
)
from osoto_bridge.commands.plan_diff import ChangeKind, PlanChange, diff_plans
from osoto_bridge.commands.service import CommandService, NotifySettingsPort, OnWrite
from osoto_bridge.commands.share import PUBLIC_URL_SETTING, ShareLinks, ShareUrl
from osoto_bridge.commands.tripclock import TripCalendar
from osoto_bridge.commands.view import TripView
from osoto_bridge.i18n import (
    SUPPORTED_LANGUAGES,
    Translator,
    default_language,
    match_language,
    translator,
)

__all__ = [
    "COMMANDS",
    "COMMAND_CATALOG",
    "CURRENT_CHAT",
    "DONE_ACTION",
    "PUBLIC_URL_SETTING",
    "SUPPORTED_LANGUAGES",
    "WRITE_SCOPE",
    "ChangeKind",
    "CommandCatalog",
    "CommandContext",
    "CommandReply",
    "CommandService",
    "DayResolution",
    "DayStatus",
    "LinkStatus",
    "NotifySettingsPort",
    "OnWrite",
    "ParsedCommand",
    "PlanChange",
    "Reminder",
    "ShareLinks",
    "ShareUrl",
    "SnapshotCache",
    "Translator",
    "TripCalendar",
    "TripView",
    "answer_digest",
    "answer_error",
    "answer_help",
    "answer_next",
    "answer_notify_settings",
    "answer_pins",
    "answer_plan",
    "answer_reminder",
    "answer_status",
    "answer_todo",
    "answer_trip",
    "answer_where",
    "answer_who",
    "apply_notify_args",
    "command_help",
    "default_language",
    "diff_plans",
    "has_scope",
    "looks_like_command",
    "match_language",
    "parse_command",
    "parse_day",
    "parse_lead",
    "resolve_day",
    "translator",
]
