"""The one Backoff and the one LRU every retry loop and cache uses."""

from __future__ import annotations

import pytest

from osoto_bridge.util import LRU, Backoff


def test_the_ceiling_doubles_from_first_up_to_the_cap() -> None:
    backoff = Backoff(first=2.0, cap=60.0)
    assert [backoff.ceiling(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
    assert backoff.ceiling(10_000) == 60.0  # no overflow


@pytest.mark.parametrize(
    ("jitter", "draw", "expected"), [(1.0, 0.25, 2.0), (0.5, 0.5, 6.0), (0, 0.9, 8)]
)
def test_jitter_draws_its_share_of_the_delay(jitter: float, draw: float, expected: float) -> None:
    backoff = Backoff(first=1.0, cap=100.0, jitter=jitter, random=lambda: draw)
    assert backoff.delay(4) == expected  # ceiling 8


def test_retry_at_reads_the_injected_clock() -> None:
    backoff = Backoff(first=3.0, clock=lambda: 100.0)
    assert backoff.retry_at(1) == 103.0


def test_a_backoff_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(jitter=1.5)
    with pytest.raises(ValueError):
        Backoff(factor=0.5)


def test_the_lru_forgets_the_least_recently_used() -> None:
    lru: LRU[str, int] = LRU(2)
    lru["a"], lru["b"] = 1, 2
    assert lru.get("a") == 1  # a is now the most recent
    lru["c"] = 3
    assert list(lru) == ["a", "c"]
    assert lru.peek("a") == 1 and list(lru) == ["a", "c"]  # peek does not refresh
    assert lru.oldest() == ("a", 1)
    assert lru.pop("a") == 1 and lru.pop("a") is None
    assert len(lru) == 1 and "c" in lru
    with pytest.raises(ValueError):
        LRU(0)
