"""Every example the bot and its docs show works on the demo trip.

Given the demo trip seeded on any day of the year (it starts the day before "today"),
when a user tries each example of `/help` and of docs/commands.md in order, as a
newcomer following along would, then each finds something: no "No pins match",
"I don't know which day" or "No open item matches" answer.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest

from osoto_bridge.commands import (
    CommandContext,
    CommandService,
    SnapshotCache,
    TripView,
    answer_where,
    command_help,
    translator,
)
from osoto_bridge.osoto import OsotoClient, RetryPolicy
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.text import render_plain

DOCS = Path(__file__).resolve().parents[2] / "docs" / "commands.md"
BASE = "http://sandbox.test/api/v1"
SEED_DAYS = [
    dt.date(2026, 7, 15),
    dt.date(2026, 12, 2),
    dt.date(2026, 12, 30),
    dt.date(2028, 2, 28),
]

NOTHING_FOUND = [
    ("I don't know which day “{text}” is.", {"text": "\0"}),
    ("No open item matches “{text}”. /todo lists them.", {"text": "\0"}),
    ("No pins match “{text}”.", {"text": "\0"}),
    ("Several items match “{text}”. Which one?", {"text": "\0"}),
    ("Unknown command {command}. /help lists them all.", {"command": "\0"}),
    ("{day} is after the trip ({dates}).", {"day": "\0", "dates": "\0"}),
    ("“{text}” is not a date in the calendar.", {"text": "\0"}),
    ("The trip ({dates}) has no {weekday}.", {"dates": "\0", "weekday": "\0"}),
    ("There is no {weekday} left in the trip ({dates}).", {"dates": "\0", "weekday": "\0"}),
    ("Sorry, Osoto couldn't answer that. Please try again later.", {}),
]


def _markers(language: str) -> list[str]:
    """The fixed part of each "found nothing" answer, in one language."""
    tr = translator(language)
    found = []
    for message, fields in NOTHING_FOUND:
        pieces = tr.gettext(message, **fields).split("\0")
        found.append(max((p.strip() for p in pieces), key=len))
    before = tr.ngettext(
        "{day} is {n} day before the trip ({dates}).",
        "{day} is {n} days before the trip ({dates}).",
        2,
        day="\0",
        dates="\0",
    )
    found.append(max((p.strip() for p in before.replace("2", "\0").split("\0")), key=len))
    return found


def _doc_examples(language: str) -> list[str]:
    """The examples column of the command table of the docs' section in `language`."""
    text = DOCS.read_text(encoding="utf-8")
    english, _, rest = text.partition("\n## 한국어")
    section = english if language == "en" else rest.partition("\n## For developers")[0]
    examples = []
    for line in section.splitlines():
        if line.startswith("| `/"):
            last_cell = line.rstrip(" |").rsplit("|", 1)[-1]
            examples += re.findall(r"`([^`]+)`", last_cell)
    assert examples, f"no command table in the {language} section of {DOCS.name}"
    return examples


def _help_examples(language: str, today: dt.date) -> list[str]:
    return [
        e for entry in command_help(translator(language), today).values() for e in entry.examples
    ]


async def _run_all(examples: list[str], language: str, today: dt.date) -> list[tuple[str, str]]:
    markers = _markers(language)
    failures = []
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    with Sandbox(":memory:") as sandbox:
        world = sandbox.seed_demo(today=today)
        ctx = CommandContext(
            trip_id=world["trips"][0]["id"],
            language=language,
            show_sensitive=False,
            scopes=("trips:read", "trips:write", "messages:read", "messages:write"),
            is_admin=True,
            is_group=True,
            now=now,
            platform="telegram",
        )
        service = CommandService(cache=SnapshotCache(ttl=30))
        async with OsotoClient(
            world["users"][0]["apiKey"],
            BASE,
            transport=httpx.ASGITransport(app=sandbox.app),
            retry=RetryPolicy(max_attempts=1),
        ) as client:
            for example in examples:
                reply = await service.handle(example, ctx, client)
                shown = render_plain(reply.document) if reply is not None else "(no reply)"
                if reply is None or any(m in shown for m in markers):
                    failures.append((example, shown))
    return failures


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
@pytest.mark.parametrize("language", ["en", "ko"])
async def test_every_help_example_finds_something_in_the_demo(
    language: str, today: dt.date
) -> None:
    assert await _run_all(_help_examples(language, today), language, today) == []


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
@pytest.mark.parametrize("language", ["en", "ko"])
async def test_every_docs_example_finds_something_in_the_demo(
    language: str, today: dt.date
) -> None:
    assert await _run_all(_doc_examples(language), language, today) == []


def test_the_check_can_fail() -> None:
    """A marker is found in a "nothing found" answer, so a failing example is caught."""
    tr = translator("ko")
    shown = tr.gettext("No pins match “{text}”.", text="없는말")
    assert any(m in shown for m in _markers("ko"))
    assert any(m in "No pins match “zzz”." for m in _markers("en"))


async def _hint_examples(language: str, today: dt.date) -> list[str]:
    """The `/where …` examples the bot suggests after a day it does not know."""
    with Sandbox(":memory:") as sandbox:
        world = sandbox.seed_demo(today=today)
        async with OsotoClient(
            world["users"][0]["apiKey"], BASE, transport=httpx.ASGITransport(app=sandbox.app)
        ) as client:
            export = await client.export_trip(world["trips"][0]["id"])
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    view = TripView.of(export, now=now, language=language, show_sensitive=False)
    shown = render_plain(answer_where(view, "someday"))
    return [e.strip() for e in re.findall(r"/where[^,.\n]*", shown.split("\n", 2)[-1])]


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
@pytest.mark.parametrize("language", ["en", "ko"])
async def test_the_examples_suggested_after_an_unknown_day_work_too(
    language: str, today: dt.date
) -> None:
    examples = await _hint_examples(language, today)
    assert len(examples) >= 6, examples
    assert await _run_all(examples, language, today) == []
