"""Golden answers: every command's reply rendered by each platform renderer, in en and ko.

Regenerate after an intended change with
`OSOTO_UPDATE_GOLDEN=1 .venv/bin/pytest tests/commands/test_commands_golden.py`
and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from commands_fixtures import at, japan_hawaii

from osoto_bridge.commands import (
    LinkStatus,
    TripView,
    answer_error,
    answer_help,
    answer_next,
    answer_pins,
    answer_plan,
    answer_status,
    answer_todo,
    answer_trip,
    answer_where,
    answer_who,
    translator,
)
from osoto_bridge.commands.answers.meta import (
    answer_missing_scope,
    answer_share_link,
    answer_share_unconfigured,
)
from osoto_bridge.commands.share import ShareLinks
from osoto_bridge.osoto import ApiError
from osoto_bridge.text import Document, render_plain, render_slack_mrkdwn, render_telegram_html

GOLDEN = Path(__file__).parent / "golden"
NOW = at("2026-07-15T01:00+00:00")  # 10:00 in Tokyo, day 2 of 9
RENDERERS: dict[str, Callable[[Document], str]] = {
    "plain": render_plain,
    "telegram": render_telegram_html,
    "slack": render_slack_mrkdwn,
}
STATUS = LinkStatus(
    trip_title="Japan & Hawaii",
    channel_name="general",
    scopes=("trips:read", "messages:read", "messages:write:trip1"),
    last_inbound=NOW - dt.timedelta(minutes=5),
    last_outbound=None,
    outbox_depth=2,
    key_fingerprint="sha256:0123456789ab",
)


def _view(language: str, *, sensitive: bool = False, group: bool = True) -> TripView:
    return TripView.of(
        japan_hawaii(), now=NOW, language=language, show_sensitive=sensitive, is_group=group
    )


SCENARIOS: dict[str, Callable[[str], Document]] = {
    "where today (group)": lambda lang: answer_where(_view(lang)),
    "where today (opted in)": lambda lang: answer_where(_view(lang, sensitive=True)),
    "where saturday (date-line day)": lambda lang: answer_where(_view(lang), "sat"),
    "where before the trip": lambda lang: answer_where(_view(lang), "2026-07-13"),
    "where after the trip": lambda lang: answer_where(_view(lang), "8/1"),
    "where unknown": lambda lang: answer_where(_view(lang), "someday"),
    "where ambiguous word": lambda lang: answer_where(_view(lang), "di"),
    "next": lambda lang: answer_next(_view(lang)),
    "plan": lambda lang: answer_plan(_view(lang)),
    "todo": lambda lang: answer_todo(_view(lang)),
    "pins": lambda lang: answer_pins(_view(lang)),
    "pins food": lambda lang: answer_pins(_view(lang), "food"),
    "pins none": lambda lang: answer_pins(_view(lang), "museum"),
    "who (group)": lambda lang: answer_who(_view(lang)),
    "who (private, opted in)": lambda lang: answer_who(_view(lang, sensitive=True, group=False)),
    "trip": lambda lang: answer_trip(_view(lang)),
    "help": lambda lang: answer_help(translator(lang)),
    "help where (slack)": lambda lang: answer_help(translator(lang), "where", prefix="/osoto "),
    "status": lambda lang: answer_status(translator(lang), STATUS, trip_id="trip1", now=NOW),
    "share": lambda lang: answer_share_link(
        translator(lang),
        ShareLinks(
            "https://bridge.example.org/share/shr_abc",
            "https://bridge.example.org/share/shr_abc/calendar.ics",
        ),
    ),
    "share without a public URL": lambda lang: answer_share_unconfigured(translator(lang)),
    "missing scope": lambda lang: answer_missing_scope(translator(lang), "trip1"),
    "error": lambda lang: answer_error(
        translator(lang), ApiError(500, "INTERNAL", "boom", request_id="req_0f9a"), "trip1"
    ),
}


def _render_all(language: str, renderer: Callable[[Document], str]) -> str:
    parts = []
    for name, build in SCENARIOS.items():
        document = build(language)
        buttons = " ".join(
            f"[{b.label}|{b.action_id}|{b.value}]" for r in document.buttons for b in r
        )
        parts.append(
            f"### {name}\n{renderer(document)}\n" + (f"buttons: {buttons}\n" if buttons else "")
        )
    return "\n".join(parts)


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
@pytest.mark.parametrize("language", ["en", "ko"])
def test_golden_answers(language: str, renderer: str) -> None:
    path = GOLDEN / f"{language}.{renderer}.txt"
    actual = _render_all(language, RENDERERS[renderer])
    if os.environ.get("OSOTO_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual
