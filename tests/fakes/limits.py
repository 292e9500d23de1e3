"""The platforms' documented rate limits as token buckets, shared by both fakes.

A fake built with limits answers a request that would exceed one of them with a 429,
as the platform does: Telegram with ``parameters.retry_after`` (whole seconds), Slack
with a ``Retry-After`` header and ``{"ok": false, "error": "ratelimited"}``. A refused
request costs no token (the platform does not count it either), so a client that
waits the advised time gets through.

The limits (Telegram's Bot FAQ, Slack's rate-limit page):

* Telegram: about one message a second into one chat (a burst of three allowed),
  20 a minute into one group (negative chat ids), 30 a second for the whole bot;
* Slack ``chat.postMessage``: about one a second into one channel (short bursts,
  four here), 50 a second for the whole workspace.

Time comes from an injected clock (seconds, monotonic), so tests are exact.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]

_EPSILON = 1e-9
"""Float slack: a client pacing to the exact edge of a bucket is admitted."""


@dataclass(frozen=True)
class Rate:
    """A sustained rate (tokens per second) and the burst a full bucket allows."""

    per_second: float
    burst: float


TELEGRAM_PER_CHAT = Rate(1.0, 3)
TELEGRAM_PER_GROUP = Rate(20 / 60, 20)
TELEGRAM_PER_BOT = Rate(30.0, 30)
SLACK_PER_CHANNEL = Rate(1.0, 4)
SLACK_PER_WORKSPACE = Rate(50.0, 50)


@dataclass
class TokenBucket:
    """One bucket: full at first use, refilled at ``rate.per_second`` up to the burst."""

    rate: Rate
    tokens: float
    at: float

    def refill(self, now: float) -> None:
        earned = (now - self.at) * self.rate.per_second
        self.tokens = min(self.rate.burst, self.tokens + earned)
        self.at = now

    def wait(self) -> float:
        """Seconds until one token is there (0: there is one now)."""
        missing = 1.0 - self.tokens
        if missing <= _EPSILON:
            return 0.0
        return missing / self.rate.per_second


@dataclass
class Buckets:
    """Buckets by key for one rate, created full on first use."""

    rate: Rate
    name: str = ""
    """What the rate limits ("per chat", …): `Limiter.refused_by` counts by it."""
    by_key: dict[object, TokenBucket] = field(default_factory=dict)

    def get(self, key: object, now: float) -> TokenBucket:
        bucket = self.by_key.get(key)
        if bucket is None:
            bucket = self.by_key[key] = TokenBucket(self.rate, self.rate.burst, now)
        bucket.refill(now)
        return bucket


class Limiter:
    """Admits a request only if every bucket it falls under has a token.

    Args:
        clock: monotonic seconds (tests inject a virtual one).
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.admitted = 0
        self.refused = 0
        self.refused_by: Counter[str] = Counter()
        """Refusals by the rate that had no token (the first such, in the order given)."""

    def admit(self, buckets: list[tuple[Buckets, object]]) -> float:
        """Take a token from each bucket, or none; returns 0 or the seconds to wait."""
        now = self._clock()
        found = [kind.get(key, now) for kind, key in buckets]
        waits = [bucket.wait() for bucket in found]
        wait = max(waits, default=0.0)
        if wait > 0:
            self.refused += 1
            kind = next(kind for (kind, _), w in zip(buckets, waits, strict=True) if w > 0)
            self.refused_by[kind.name] += 1
            return wait
        for bucket in found:
            bucket.tokens = max(0.0, bucket.tokens - 1.0)
        self.admitted += 1
        return 0.0


def retry_after(wait: float) -> int:
    """The whole seconds a platform names in its 429 for a wait (at least 1)."""
    return max(1, math.ceil(wait - _EPSILON))


TELEGRAM_LIMITED = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
    }
)
"""Bot API methods that put a message into a chat (and so count toward its limits)."""


class TelegramLimits(Limiter):
    """Telegram's flood limits: per chat, per group, per bot."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        per_chat: Rate = TELEGRAM_PER_CHAT,
        per_group: Rate = TELEGRAM_PER_GROUP,
        per_bot: Rate = TELEGRAM_PER_BOT,
    ) -> None:
        super().__init__(clock)
        self.chats = Buckets(per_chat, "per chat")
        self.groups = Buckets(per_group, "per group")
        self.bot = Buckets(per_bot, "per bot")

    def check(self, method: str, chat_id: object) -> float:
        """0 when ``method`` into ``chat_id`` may go now, else the seconds to wait."""
        if method not in TELEGRAM_LIMITED:
            return 0.0
        buckets: list[tuple[Buckets, object]] = [(self.bot, None)]
        if chat_id is not None:
            key = str(chat_id)
            buckets.append((self.chats, key))
            if key.startswith("-") or key.startswith("@"):
                buckets.append((self.groups, key))
        return self.admit(buckets)


SLACK_LIMITED = frozenset({"chat.postMessage"})
"""Web API methods under the per-channel posting limit."""


class SlackLimits(Limiter):
    """Slack's ``chat.postMessage`` limits: per channel and per workspace."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        per_channel: Rate = SLACK_PER_CHANNEL,
        per_workspace: Rate = SLACK_PER_WORKSPACE,
    ) -> None:
        super().__init__(clock)
        self.channels = Buckets(per_channel, "per channel")
        self.workspace = Buckets(per_workspace, "per workspace")

    def check(self, method: str, channel: object) -> float:
        """0 when ``method`` into ``channel`` may go now, else the seconds to wait."""
        if method not in SLACK_LIMITED:
            return 0.0
        return self.admit([(self.workspace, None), (self.channels, str(channel))])
