"""The chat's answers as tools: `where`, `next`, `plan`, `todo` (and `pins`, `who`, `trip`).

They are the very answers a Telegram or Slack group gets for `/where tuesday` or
`/todo`: the trip's export goes through the commands room's `SnapshotCache` and
`TripView` (which applies the sensitive-field projection) into the same pure answer
functions, and the neutral document comes out as Markdown (`render_osoto`) or plain
text (`render_plain`) from the text room.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field, JsonValue, field_validator

from osoto_bridge.commands import (
    SUPPORTED_LANGUAGES,
    TripView,
    answer_next,
    answer_pins,
    answer_plan,
    answer_todo,
    answer_trip,
    answer_where,
    answer_who,
)
from osoto_bridge.mcp.schemas import AnswerFormat, TripArgs
from osoto_bridge.mcp.toolkit import Text, ToolContext, ToolSpec
from osoto_bridge.osoto import TripExport
from osoto_bridge.text import Document, render_osoto, render_plain

__all__ = ["ANSWER_TOOLS"]

_LANGUAGES: list[JsonValue] = list(SUPPORTED_LANGUAGES)


class AnswerArgs(TripArgs):
    """How to answer about a trip."""

    format: AnswerFormat = Field("markdown", description="markdown (default) or plain text.")
    language: str = Field(
        "en",
        description="Answer language: " + ", ".join(sorted(SUPPORTED_LANGUAGES)) + ".",
        json_schema_extra={"enum": _LANGUAGES},
    )
    show_sensitive: bool = Field(
        False,
        description=(
            "Include door codes, wifi passwords, host phones and confirmation numbers "
            "(left out by default, as in a group chat)."
        ),
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError("must be one of " + ", ".join(SUPPORTED_LANGUAGES))
        return value


class WhereArgs(AnswerArgs):
    """A day of the trip."""

    day: str = Field(
        "",
        max_length=100,
        description=(
            "The day as a person would say it: today (default), tomorrow, tuesday, "
            "day 3, 2026-07-16, ..."
        ),
    )


class PinsArgs(AnswerArgs):
    """Which pins."""

    category: str = Field("", max_length=100, description="Only pins of this category.")


Reader = Callable[[TripView, AnswerArgs], Document]


def _answer(reader: Reader) -> Callable[[ToolContext, AnswerArgs, str | None], object]:
    async def run(ctx: ToolContext, args: AnswerArgs, _key: str | None) -> Text:
        async def fetch() -> TripExport:
            return await ctx.client.export_trip(args.trip_id)

        export = await ctx.cache.get(args.trip_id, fetch)
        view = TripView.of(
            export,
            now=ctx.now(),
            language=args.language,
            show_sensitive=args.show_sensitive,
            is_group=False,  # an agent of the key's owner, not a group chat
        )
        document = reader(view, args)
        rendered = render_osoto(document) if args.format == "markdown" else render_plain(document)
        return Text(rendered)

    return run


def _where(view: TripView, args: AnswerArgs) -> Document:
    return answer_where(view, args.day if isinstance(args, WhereArgs) else "")


def _pins(view: TripView, args: AnswerArgs) -> Document:
    return answer_pins(view, args.category if isinstance(args, PinsArgs) else "")


def _spec(name: str, description: str, args: type[AnswerArgs], reader: Reader) -> ToolSpec:
    return ToolSpec(name, description, args, _answer(reader), None)  # type: ignore[arg-type]


ANSWER_TOOLS = (
    _spec(
        "where",
        "Answer 'where are we on <day>?': the leg, the stay, travel and the events of a day, "
        "as the trip's group chat gets it.",
        WhereArgs,
        _where,
    ),
    _spec(
        "next",
        "Answer 'what is next?': the coming events of the trip, from now.",
        AnswerArgs,
        lambda view, _args: answer_next(view),
    ),
    _spec(
        "plan",
        "Answer 'what is the plan?': the trip day by day.",
        AnswerArgs,
        lambda view, _args: answer_plan(view),
    ),
    _spec(
        "todo",
        "Answer 'what is left to do?': the open checklist items by urgency (its /done hint "
        "is the chat's; here, tick one off with update_action_item and done: true).",
        AnswerArgs,
        lambda view, _args: answer_todo(view),
    ),
    _spec("pins", "Answer 'which places are pinned?', with map links.", PinsArgs, _pins),
    _spec(
        "who",
        "Answer 'who is coming?': the members and their roles.",
        AnswerArgs,
        lambda view, _args: answer_who(view),
    ),
    _spec(
        "trip_summary",
        "Answer 'what is this trip?': title, dates and legs at a glance.",
        AnswerArgs,
        lambda view, _args: answer_trip(view),
    ),
)
