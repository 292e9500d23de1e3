"""Pieces every subcommand shares: settings, logging, one-line errors."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from osoto_bridge.config import Settings, SettingsError, load_settings
from osoto_bridge.errors import BridgeError
from osoto_bridge.logs import LogFormat, configure_logging
from osoto_bridge.store import StoreError
from osoto_bridge.web import WebServerError


def plain_help(text: str) -> str:
    """A docstring as a terminal shows it: reStructuredText's ``literal`` marks dropped.

    Args:
        text: A module docstring used as a command's description.

    Returns:
        The text with ``x`` (and `x`) written as x.
    """
    return re.sub(r"``([^`]+)``|`([^`]+)`", lambda m: m.group(1) or m.group(2), text)


class CommandError(BridgeError):
    """A failure to show the operator as one line, with exit code 1 (or ``exit_code``).

    Args:
        message: the line, saying what failed and how to fix it.
        exit_code: 2 for a usage problem the operator fixes on the command line (a
            busy ``--port``, a malformed ``--chat``), as argparse exits.
    """

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML settings file (the environment's OSOTO_BRIDGE_* variables win over it)",
    )


def settings_from(args: argparse.Namespace, **overrides: Any) -> Settings:
    return load_settings(os.environ, getattr(args, "config", None), **overrides)


def add_log_arguments(parser: argparse.ArgumentParser) -> None:
    """``--log-format`` and ``--log-level``, overriding the settings of the same names."""
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="text for people (the default), json for log collectors (OSOTO_BRIDGE_LOG_FORMAT)",
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="the least severe level logged (OSOTO_BRIDGE_LOG_LEVEL, default INFO)",
    )


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value of the settings, for the log redactor to hide."""
    values: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            raw = value.get_secret_value()
            values.append(raw)
            values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def setup_logging(
    level: str = "INFO", fmt: LogFormat = "text", secrets: Iterable[str] = ()
) -> None:
    """Log to stderr as text or JSON lines, with secrets redacted (see `osoto_bridge.logs`)."""
    configure_logging(level=level, fmt=fmt, stream=sys.stderr, secrets=secrets)


def run_command(body: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run an async subcommand body, turning expected failures into one-line errors."""
    import asyncio

    try:
        return asyncio.run(body())
    except (CommandError, SettingsError, StoreError, WebServerError) as exc:
        print(f"osoto-bridge: error: {exc}", file=sys.stderr)
        return exc.exit_code if isinstance(exc, CommandError) else 1
