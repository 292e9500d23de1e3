"""`/help [command]`: every command with its examples, in the chat's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from osoto_bridge.commands.parser import COMMANDS, parse_command
from osoto_bridge.commands.render import SpanLike
from osoto_bridge.i18n import Translator
from osoto_bridge.text import Document, bold, bullet_list, code, doc, heading, paragraph

__all__ = ["CommandHelp", "answer_help", "command_help"]


@dataclass(frozen=True)
class CommandHelp:
    """One command's help.

    Attributes:
        usage: How to call it (`/where [day]`).
        summary: What it does, in one line.
        examples: Example calls.
    """

    usage: str
    summary: str
    examples: tuple[str, ...]


def _date_examples(today: dt.date | None) -> tuple[str, str]:
    """Two dates written as people do; near `today` so they fall in a current trip."""
    if today is None:
        return "/where 2026-07-17", "/where 7/17"
    day = today + dt.timedelta(days=2)
    return f"/where {day.isoformat()}", f"/where {day.month}/{day.day}"


def command_help(tr: Translator, today: dt.date | None = None) -> dict[str, CommandHelp]:
    """The help of every command, by canonical name, in `COMMANDS` order.

    Args:
        tr: The chat's language.
        today: The chat's date, so the dated examples (`/where 7/17`) name a day near
            it rather than a fixed one that a trip of another month never has.
    """
    iso_example, short_example = _date_examples(today)
    entries = {
        "where": CommandHelp(
            tr.gettext("/where [day]"),
            tr.gettext(
                "Where we are on a day: the leg, the stay (address, check-in and "
                "check-out), flights, rental car and events, with map links."
            ),
            (
                "/where",
                tr.gettext("/where tomorrow"),
                tr.gettext("/where tue"),
                "/where 화요일",
                "/where 모레",
                iso_example,
                short_example,
                tr.gettext("/where day 3"),
            ),
        ),
        "next": CommandHelp(
            "/next",
            tr.gettext("What happens in the next 48 hours."),
            ("/next",),
        ),
        "plan": CommandHelp(
            "/plan",
            tr.gettext("The whole itinerary, day by day."),
            ("/plan",),
        ),
        "todo": CommandHelp(
            tr.gettext("/todo [add TEXT]"),
            tr.gettext(
                "The open to-dos by urgency, with buttons to tick them off; "
                "add one with /todo add (flags --now, --before, --nice, or a word like "
                "urgent or 지금)."
            ),
            ("/todo", tr.gettext("/todo add book the ferry --now"), "/todo add 지금 환전하기"),
        ),
        "done": CommandHelp(
            tr.gettext("/done N|TEXT"),
            tr.gettext("Tick off a to-do by its /todo number or by words from it."),
            ("/done 2", tr.gettext("/done ferry")),
        ),
        "pins": CommandHelp(
            tr.gettext("/pins [category]"),
            tr.gettext("The trip's map pins with map links, optionally of one category."),
            ("/pins", tr.gettext("/pins food")),
        ),
        "who": CommandHelp(
            "/who",
            tr.gettext("Who is on the trip and their roles (no contact details in groups)."),
            ("/who",),
        ),
        "trip": CommandHelp(
            "/trip",
            tr.gettext("The trip at a glance, with a countdown."),
            ("/trip",),
        ),
        "share": CommandHelp(
            "/share [off]",
            tr.gettext(
                "The trip's read-only page and calendar feed, without secrets (chat admins "
                "only); /share off revokes them."
            ),
            ("/share", "/share off"),
        ),
        "remind": CommandHelp(
            "/remind [flights] 30m|4h|off",
            tr.gettext(
                "Show or set the reminders: before each commitment (60 min by default), "
                "before each flight (3 h), and on check-in and check-out mornings; "
                "one minute to one day (chat admins change them)."
            ),
            ("/remind", "/remind 30m", "/remind flights 4h", "/remind off"),
        ),
        "brief": CommandHelp(
            "/brief HH:MM|off",
            tr.gettext(
                "A morning briefing: the day's /where at that local time of the leg "
                "the trip is in (off by default; chat admins change it)."
            ),
            ("/brief", "/brief 08:00", "/brief off"),
        ),
        "notify": CommandHelp(
            "/notify [changes|reminders|stays on|off]",
            tr.gettext(
                "What this chat is told unasked: plan changes made in Osoto, reminders, "
                "check-in mornings (chat admins change it)."
            ),
            ("/notify", "/notify changes off", "/notify reminders on"),
        ),
        "lang": CommandHelp(
            "/lang en|ko",
            tr.gettext("Set the language of the bot in this chat."),
            ("/lang ko", "/lang en"),
        ),
        "status": CommandHelp(
            "/status",
            tr.gettext("The health of this chat's link to the trip."),
            ("/status",),
        ),
        "help": CommandHelp(
            tr.gettext("/help [command]"),
            tr.gettext("This help, or the details of one command."),
            ("/help", "/help where"),
        ),
    }
    return {name: entries[name] for name in COMMANDS}


def _call(prefix: str, example: str) -> str:
    return prefix + example.removeprefix("/")


def _detail(tr: Translator, entry: CommandHelp, prefix: str) -> Document:
    return doc(
        heading(_call(prefix, entry.usage)),
        paragraph(entry.summary),
        paragraph(bold(tr.gettext("Examples:"))),
        bullet_list(*(code(_call(prefix, example)) for example in entry.examples)),
    )


def answer_help(
    tr: Translator, topic: str = "", *, prefix: str = "/", today: dt.date | None = None
) -> Document:
    """Answer `/help [command]`.

    Args:
        tr: The chat's language.
        topic: A command name (with or without the slash), or empty for all.
        prefix: How commands are called on the platform: `/` (Telegram), or
            `/osoto ` where one slash command carries them all (Slack).
        today: The chat's date, for the dated examples (see `command_help`).

    Returns:
        The list of commands with an example each, or one command's details.
    """
    entries = command_help(tr, today)
    wanted = topic.strip().split()
    if wanted:
        parsed = parse_command(wanted[0].lstrip("/／"), slashless=True)
        if parsed is not None:
            return _detail(tr, entries[parsed.name], prefix)
    items: list[list[SpanLike]] = [
        [
            code(_call(prefix, entry.usage)),
            " · ",
            entry.summary,
            " ",
            tr.gettext("e.g."),
            " ",
            code(_call(prefix, example)),
        ]
        for entry in entries.values()
        for example in entry.examples[1:2] or entry.examples[:1]
    ]
    return doc(
        heading(tr.gettext("Trip commands")),
        bullet_list(*items),
        paragraph(
            tr.gettext(
                "{command} shows all the ways to name a day.", command=_call(prefix, "/help where")
            )
        ),
    )
