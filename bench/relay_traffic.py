"""What people write during a relay benchmark: a seeded, pure plan of messages.

Most trips stay idle. A few hold conversations at a time (a few minutes of messages
every several seconds, from Osoto, Telegram and Slack in turn), some conversations
contain a burst (one person sends several lines in a row), and a few long-idle trips
get a single Osoto message (the "first message after a quiet spell"). Apart from
that plan, a bulk burst sends many messages through chat → chat at once.

Every message carries a tag (``msg0001234x``) that survives rendering on every
platform, so each arrival is matched to the message that caused it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

ORIGINS = ("osoto", "telegram", "slack")
CONVERSATION = "conversation"
BURST = "burst"
QUIET = "quiet"
BULK = "bulk"


@dataclass(frozen=True)
class Planned:
    """One message someone will write.

    Attributes:
        at: seconds after the phase starts.
        seq: its number (and tag).
        trip: the trip's index.
        origin: where it is written: ``osoto``, ``telegram`` or ``slack``.
        category: ``conversation``, ``burst``, ``quiet`` or ``bulk``.
    """

    at: float
    seq: int
    trip: int
    origin: str
    category: str

    @property
    def text(self) -> str:
        return f"Plans for day {self.seq % 7 + 1}: meet at the station? {tag(self.seq)}"


def tag(seq: int) -> str:
    """The marker a message carries (matched by `relay_osoto.TAG` and the report)."""
    return f"msg{seq:07d}x"


@dataclass(frozen=True)
class TrafficShape:
    """The knobs of the plan.

    Attributes:
        active_share: share of trips in a conversation at any moment.
        conversation_seconds: mean length of a conversation.
        gap_seconds: mean time between two messages of a conversation.
        burst_share: share of conversations with one burst in them.
        burst_size: messages in such a burst, ``burst_spacing`` seconds apart.
        quiet_share: share of trips that get one message after being idle throughout.
    """

    active_share: float = 0.05
    conversation_seconds: float = 60.0
    gap_seconds: float = 6.0
    burst_share: float = 0.15
    burst_size: int = 4
    burst_spacing: float = 0.25
    quiet_share: float = 0.02


def plan_traffic(
    trips: int, seconds: float, *, seed: int = 7, shape: TrafficShape | None = None
) -> list[Planned]:
    """The messages of the steady phase, ordered by time."""
    shape = shape or TrafficShape()
    rng = random.Random(seed)
    conversations = max(
        min(3, trips), round(shape.active_share * trips * seconds / shape.conversation_seconds)
    )
    quiet = max(1, round(shape.quiet_share * trips)) if trips > 3 else 0
    order = list(range(trips))
    rng.shuffle(order)
    quiet_trips, chatty = order[:quiet], order[quiet:]
    # Short runs (the smoke mode) must still see every path: start early and talk fast.
    latest_start = seconds * (0.5 if seconds < 60 else 0.85)
    gap = min(shape.gap_seconds, max(0.5, seconds / 10))
    raw: list[tuple[float, int, str, str]] = []
    for number in range(conversations):
        trip = chatty[number % len(chatty)]
        start = rng.uniform(0.0, latest_start)
        end = min(seconds, start + rng.expovariate(1.0 / shape.conversation_seconds) + gap)
        turn = rng.randrange(len(ORIGINS))
        at = start
        while at < end:
            raw.append((at, trip, ORIGINS[turn % len(ORIGINS)], CONVERSATION))
            turn += 1
            at += rng.expovariate(1.0 / gap)
        if rng.random() < shape.burst_share:
            at = rng.uniform(start, end)
            origin = ORIGINS[1 + rng.randrange(2)]
            for n in range(shape.burst_size):
                raw.append((at + n * shape.burst_spacing, trip, origin, BURST))
    for trip in quiet_trips:
        raw.append((rng.uniform(0.0, max(0.0, seconds - 5.0)), trip, "osoto", QUIET))
    raw.sort()
    return [Planned(at, seq, trip, origin, cat) for seq, (at, trip, origin, cat) in enumerate(raw)]


def plan_bulk(trips: int, count: int, *, first_seq: int, origin: str = "telegram") -> list[Planned]:
    """``count`` chat messages written at once, spread round-robin over every trip."""
    return [Planned(0.0, first_seq + n, n % trips, origin, BULK) for n in range(count)]
