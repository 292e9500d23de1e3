"""The sensitive-field rule: secrets reach a chat only when the link's admin opted in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from commands_fixtures import SECRETS, at, japan_hawaii

from osoto_bridge.commands import (
    TripView,
    answer_next,
    answer_pins,
    answer_plan,
    answer_todo,
    answer_trip,
    answer_where,
    answer_who,
)
from osoto_bridge.osoto import safe_projection
from osoto_bridge.text import Document, render_plain, render_slack_mrkdwn, render_telegram_html

NOW = at("2026-07-13T12:00+00:00")  # before the trip: every day is still ahead
ANSWERS: dict[str, Callable[[TripView], list[Document]]] = {
    "where": lambda v: [
        answer_where(v, day) for day in ("", *(f"2026-07-{d}" for d in range(12, 24)))
    ],
    "next": lambda v: [answer_next(v)],
    "plan": lambda v: [answer_plan(v)],
    "todo": lambda v: [answer_todo(v)],
    "pins": lambda v: [answer_pins(v)],
    "who": lambda v: [answer_who(v)],
    "trip": lambda v: [answer_trip(v)],
}


def _everything(view: TripView) -> str:
    texts = []
    for build in ANSWERS.values():
        for document in build(view):
            texts.append(repr(document))
            for render in (render_plain, render_telegram_html, render_slack_mrkdwn):
                texts.append(render(document))
    return "\n".join(texts)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("is_group", [True, False])
def test_no_secret_appears_unless_opted_in(language: str, is_group: bool) -> None:
    view = TripView.of(
        japan_hawaii(), now=NOW, language=language, show_sensitive=False, is_group=is_group
    )
    shown = _everything(view)
    leaked = [secret for secret in SECRETS if secret in shown]
    assert leaked == []


def test_the_view_is_the_safe_projection_unless_opted_in() -> None:
    export = japan_hawaii()
    hidden = TripView.of(export, now=NOW, language="en", show_sensitive=False)
    shown = TripView.of(export, now=NOW, language="en", show_sensitive=True)
    assert hidden.export == safe_projection(export)
    assert shown.export == export


def test_opted_in_answers_show_the_secrets_of_the_day() -> None:
    view = TripView.of(japan_hawaii(), now=NOW, language="en", show_sensitive=True)
    tokyo = render_plain(answer_where(view, "2026-07-15"))
    for secret in ("hunter2", "4711#", "+81 3 5555 0101", "CONF-HOTEL-1", "Key under the mat"):
        assert secret in tokyo
    assert "FLIGHT-CONF-9" in render_plain(answer_where(view, "2026-07-13"))
    assert "CAR-CONF-7" in render_plain(answer_where(view, "2026-07-18"))


def test_contact_details_never_reach_a_group_even_when_opted_in() -> None:
    group = TripView.of(japan_hawaii(), now=NOW, language="en", show_sensitive=True, is_group=True)
    private = TripView.of(
        japan_hawaii(), now=NOW, language="en", show_sensitive=True, is_group=False
    )
    assert "alice@example.com" not in repr(answer_who(group))
    assert "alice@example.com" in repr(answer_who(private))
