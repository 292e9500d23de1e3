"""Recognising Osoto API keys pasted where they must not be (DESIGN invariant 7)."""

from __future__ import annotations

import re

# Osoto keys are "osk_" and a long random tail; a little slack on the tail's
# alphabet and length catches keys mangled by chat clients (line breaks aside).
_KEY_PATTERN = re.compile(r"\bosk_[A-Za-z0-9_\-]{16,}")


def contains_api_key(text: str) -> bool:
    """Whether ``text`` holds something shaped like an Osoto API key."""
    return _KEY_PATTERN.search(text) is not None


def redact_api_keys(text: str) -> str:
    """``text`` with every key-shaped run replaced, for logs and warnings."""
    return _KEY_PATTERN.sub("osk_…(redacted)", text)
