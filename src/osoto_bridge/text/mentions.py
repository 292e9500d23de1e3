"""Mention neutralisation, the one place that keeps relayed text from pinging.

Every renderer passes each piece of user text through :func:`neutralize`, which
puts an invisible U+2060 WORD JOINER after every ``@`` (and the full-width ``＠``)
and every ``<`` that is not followed by whitespace, so neither a name
(``@here``, ``@alice``) nor a Slack special (``<!here>``, ``<@U123>``, ``<#C123>``)
survives, while people still read the same text. The parsers call :func:`restore`
on what they read, so text that went through the bridge once does not gather more
joiners on the way back.

Link targets are not text and are left alone: a platform never pings from a URL.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"

# An "@" or "<" followed by anything but whitespace. The end of a piece of text
# counts as "anything": the next piece may begin a name. Exactly one joiner goes in,
# even after a joiner already there, so that restore() undoes it exactly.
_OPENER = re.compile(r"([@＠<])(?=\S|\Z)")
_JOINED = re.compile(r"([@＠<])\u2060")


def neutralize(value: str) -> str:
    """Return ``value`` with every possible mention broken by a word joiner.

    ``restore(neutralize(value)) == value`` for every string.
    """
    return _OPENER.sub("\\1" + WORD_JOINER, value)


def restore(value: str) -> str:
    """Undo :func:`neutralize` on text read back from a platform."""
    return _JOINED.sub("\\1", value)


def has_live_mention(value: str) -> bool:
    """Return whether ``value`` holds something a platform could turn into a ping.

    Used by tests and as a last check; a rendered message should never hit it.
    """
    return bool(_LIVE.search(value))


_LIVE = re.compile(r"<[!@#]|[@＠](?![\s\u2060]|\Z)")
