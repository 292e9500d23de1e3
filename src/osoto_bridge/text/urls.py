"""Finding bare URLs in text and deciding which link targets are safe to emit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
"""Schemes every platform accepts in a link target; others render as text."""

_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\\]+", re.IGNORECASE)
# A URL must start a word: "xhttp://" or "a.b/http://" is not a link start.
_NOT_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@./:-")
_TRAILING = ".,:;!?'\"*_~"
_CLOSERS = {")": "(", "]": "["}


def url_at(value: str, index: int) -> str | None:
    """Return the bare URL that starts at ``value[index]``, if one does.

    Trailing punctuation is left out, as is a closing bracket without its opening
    one, so "see (https://example.com)." links only ``https://example.com``.
    """
    if index > 0 and value[index - 1] in _NOT_BEFORE:
        return None
    match = _URL.match(value, index)
    if match is None:
        return None
    url = match.group()
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(_CLOSERS[last]) < url.count(last)
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    head = url.find("://") + 3
    return url if len(url) > head and is_safe_url(url) else None


def find_urls(value: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each bare URL in ``value``, left to right."""
    end = 0
    for match in _SCHEME.finditer(value):
        start = match.start()
        if start < end:
            continue
        url = url_at(value, start)
        if url is not None:
            end = start + len(url)
            yield start, end


def is_safe_url(url: str) -> bool:
    """Return whether ``url`` may be emitted as a link target on any platform."""
    if not url or any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)
