"""Message size limits per platform, and how each platform counts characters."""

from __future__ import annotations

TELEGRAM_MAX_TEXT = 4096
"""Telegram: characters of message text after entity parsing."""

TELEGRAM_MAX_MARKUP = 8192
"""Our own bound on the HTML we send for one message, escapes and tags included."""

SLACK_MAX_TEXT = 3000
"""Slack: a Block Kit section's text holds at most 3,000 characters, and
``chat.postMessage`` text is best kept under 4,000; 3,000 serves both."""

OSOTO_MAX_CONTENT = 8000
"""Osoto: the contract names no limit for message content; we stay under this."""


def utf16_len(value: str) -> int:
    """Return the length of ``value`` in UTF-16 code units, as Telegram counts."""
    return len(value) + sum(1 for char in value if ord(char) > 0xFFFF)
