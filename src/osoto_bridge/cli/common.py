"""Pieces every subcommand shares: settings, logging, one-line errors."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from osoto_bridge.config import Settings, SettingsError, load_settings
from osoto_bridge.store import StoreError


class CommandError(Exception):
    """A failure to show the operator as one line, with exit code 1."""


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML settings file (the environment's OSOTO_BRIDGE_* variables win over it)",
    )


def settings_from(args: argparse.Namespace, **overrides: Any) -> Settings:
    return load_settings(os.environ, getattr(args, "config", None), **overrides)


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at INFO; keep it for DEBUG runs only.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_command(body: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run an async subcommand body, turning expected failures into one-line errors."""
    import asyncio

    try:
        return asyncio.run(body())
    except (CommandError, SettingsError, StoreError) as exc:
        print(f"osoto-bridge: error: {exc}", file=sys.stderr)
        return 1
