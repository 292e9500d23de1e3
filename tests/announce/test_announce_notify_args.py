"""`/remind`, `/brief` and `/notify` arguments."""

from __future__ import annotations

import pytest

from osoto_bridge.commands import apply_notify_args, parse_lead
from osoto_bridge.store import NotifySettings

D = NotifySettings()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("90", 5400), ("4h", 14400), ("1h30m", 5400), ("1d", 86400), ("2m", 120)],
)
def test_leads(text: str, seconds: int) -> None:
    assert parse_lead(text) == seconds


@pytest.mark.parametrize("text", ["0m", "25h", "2d", "soon", "", "-5m"])
def test_leads_out_of_range_or_unreadable(text: str) -> None:
    assert parse_lead(text) is None


def test_remind() -> None:
    assert apply_notify_args("remind", "", D) == apply_notify_args("remind", "", D)
    assert not apply_notify_args("remind", "", D).changed
    assert apply_notify_args("remind", "30m", D).settings.commitment_lead == 1800
    flights = apply_notify_args("remind", "flights 4h", D).settings
    assert flights.flight_lead == 14400 and flights.commitment_lead == D.commitment_lead
    assert apply_notify_args("remind", "off", D).settings.reminders is False
    assert apply_notify_args("remind", "flights off", D).settings.flight_lead is None
    assert apply_notify_args("remind", "2 days", D).usage is not None


def test_brief_and_notify() -> None:
    assert apply_notify_args("brief", "08:00", D).settings.brief_at == "08:00"
    assert apply_notify_args("brief", "7:30pm", D).settings.brief_at == "19:30"
    assert apply_notify_args("brief", "off", D).settings.brief_at is None
    assert apply_notify_args("brief", "25:00", D).usage is not None
    assert apply_notify_args("notify", "changes off", D).settings.changes is False
    assert apply_notify_args("notify", "stays off", D).settings.stay_mornings is False
    assert apply_notify_args("notify", "everything off", D).usage is not None
