"""The poll schedule: fast while active, backing off when idle, within the key budget."""

from __future__ import annotations

import pytest

from osoto_bridge.relay.schedule import ActivePollBudget, PollSchedule, PollTiming


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


TIMING = PollTiming(
    active_interval=1.0,
    idle_interval=20.0,
    active_window=120.0,
    requests_per_minute=600,
    background_share=1.0,
)


def test_a_fresh_channel_backs_off_from_active_to_idle() -> None:
    clock = FakeClock()
    schedule = PollSchedule(TIMING, clock=clock)
    delays = []
    for _ in range(8):
        delays.append(schedule.next_delay())
        schedule.note_empty_poll()
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0]


def test_activity_makes_polling_fast_for_the_active_window() -> None:
    clock = FakeClock()
    schedule = PollSchedule(TIMING, clock=clock)
    for _ in range(10):
        schedule.note_empty_poll()
    assert schedule.next_delay() == 20.0
    schedule.note_activity()
    assert schedule.next_delay() == 1.0
    clock.now += 119
    schedule.note_empty_poll()
    assert schedule.next_delay() == 1.0
    clock.now += 2
    assert schedule.next_delay() == 1.0  # window over, no empty poll counted yet
    schedule.note_empty_poll()
    assert schedule.next_delay() == 2.0


@pytest.mark.parametrize("channels", [1, 2, 10, 50])
def test_channels_sharing_a_key_stay_within_its_background_share(channels: int) -> None:
    timing = PollTiming(active_interval=0.5, requests_per_minute=60, background_share=0.75)
    schedule = PollSchedule(timing, clock=FakeClock())
    schedule.note_activity()
    delay = schedule.next_delay(channels)
    polls_per_minute_for_the_key = channels * 60.0 / delay
    assert polls_per_minute_for_the_key <= 60 * 0.75 + 1e-9


def test_an_idle_channel_costs_at_most_four_requests_a_minute() -> None:
    schedule = PollSchedule(PollTiming(), clock=FakeClock())
    for _ in range(20):
        schedule.note_empty_poll()
    assert 60.0 / schedule.next_delay() <= 4


def test_the_active_poll_budget_allows_its_rate_and_refuses_beyond_it() -> None:
    clock = FakeClock()
    budget = ActivePollBudget(3.0, clock=clock)
    assert [budget.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # one and a half polls earned
    assert [budget.take() for _ in range(2)] == [True, False]
    clock.now += 10.0  # never more than a second's worth at once
    assert sum(budget.take() for _ in range(10)) == 3
    assert budget.refused == 9


def test_no_active_poll_budget_never_refuses() -> None:
    budget = ActivePollBudget(None, clock=FakeClock())
    assert all(budget.take() for _ in range(10_000))
