"""The bridge's logging: text or JSON lines on stderr, with secrets redacted in one place.

`configure_logging` installs one handler on the root logger. Its `RedactingFilter`
rewrites every record that handler emits, whichever library logged it (httpx,
python-telegram-bot, slack-bolt, uvicorn, ours), before any formatter sees it:

- Osoto API keys (``osk_…``), Telegram bot tokens (``123:AA…``), Slack tokens
  (``xoxb-…``, ``xoxp-…``, ``xapp-…``) are replaced wherever they appear (a bot token
  inside a logged URL included);
- a sensitive trip field written with its name (``"doorCode": "4711#"``,
  ``door_code='4711#'``, ``wifiPassword=…``) loses its value;
- exact values registered with `Redactor.add` (the configured tokens, the signing
  secret, the Fernet keys: secrets no pattern recognises) are replaced too.

The message, its arguments, the formatted traceback and the stack are all redacted,
so a secret inside an exception's text is caught as well as one in the message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from typing import Literal, TextIO

from osoto_bridge.osoto.projection import SENSITIVE_FIELDS

__all__ = [
    "JsonFormatter",
    "LogFormat",
    "RedactingFilter",
    "Redactor",
    "configure_logging",
]

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"

# Shorter exact values are not registered: replacing "abc" everywhere would make
# every log line unreadable, and such a value is not a usable secret anyway.
_MIN_SECRET_LENGTH = 8


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_FIELD_NAMES = sorted(
    {name for field in SENSITIVE_FIELDS for name in (field, _camel(field))},
    key=len,
    reverse=True,
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Osoto API keys; looser than the chat guard's pattern (a cut key is still secret).
    (re.compile(r"osk_[A-Za-z0-9_\-]{4,}"), "osk_" + REDACTED),
    # Telegram bot tokens: "<bot id>:<35 characters>", also inside ".../bot<token>/getMe".
    (re.compile(r"\d+:[A-Za-z0-9_\-]{30,}"), "<bot-token>" + REDACTED),
    # Slack bot, user, app-level, refresh and configuration tokens.
    (re.compile(r"xox[abeoprs]-[A-Za-z0-9\-]+"), "xox-" + REDACTED),
    (re.compile(r"xapp-[A-Za-z0-9\-]+"), "xapp-" + REDACTED),
    # A sensitive trip field and its value, as JSON, a dict repr or keyword arguments.
    (
        re.compile(
            r"""(?P<name>["']?\b(?:""" + "|".join(_FIELD_NAMES) + r""")\b["']?\s*[:=]\s*)"""
            r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;)}\]]+)"""
        ),
        r"\g<name>" + REDACTED,
    ),
)


class Redactor:
    """Replaces secrets in text: by pattern, and by exact registered value.

    Args:
        secrets: exact values to hide from the start (empty and short ones are ignored).
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()
        for value in secrets:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Hide ``value`` wherever it appears from now on."""
        if value is None or len(value.strip()) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value not in self._values:
                # Longest first: a secret that contains another is replaced whole.
                self._values = tuple(sorted((*self._values, value), key=len, reverse=True))

    def redact(self, text: str) -> str:
        """Return ``text`` with every known secret replaced."""
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


class RedactingFilter(logging.Filter):
    """A handler filter that redacts each record in place (message, traceback, stack)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        redact = self.redactor.redact
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed %-format: show the raw parts rather than lose the line.
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        task = getattr(record, "taskName", None)  # Python 3.12+
        if task:
            entry["task"] = task
        return json.dumps(entry, ensure_ascii=False)


class _BridgeHandler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs (its class tells it from the others)."""


def configure_logging(
    *,
    level: str = "INFO",
    fmt: LogFormat = "text",
    stream: TextIO | None = None,
    secrets: Iterable[str] = (),
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr), redacted, as text or JSON lines.

    Replaces the handler a previous call installed, so calling it again (tests, a
    CLI command after another) does not double the lines.

    Args:
        level: the root level ("DEBUG", "INFO", "WARNING", "ERROR").
        fmt: "text" for people, "json" for log collectors.
        stream: where to write; stderr by default.
        secrets: exact values to hide beside the patterns (tokens, signing secret).

    Returns:
        The installed handler; its filter's ``redactor`` takes more secrets later.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _BridgeHandler)]:
        root.removeHandler(old)
        old.close()
    handler = _BridgeHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
    # httpx logs every request line at INFO: kept for DEBUG runs only.
    logging.getLogger("httpx").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    # aiosqlite's DEBUG lines (if anything opens a database through it) repeat every
    # SQL statement with its parameters: noise, and a copy of chat content in the log.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    return handler
