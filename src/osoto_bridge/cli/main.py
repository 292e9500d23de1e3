"""Entry point of the `osoto-bridge` console script.

Each subcommand lives in its own module with a `register(subparsers)` function that
adds its parser and sets `handler` (a callable taking the parsed namespace and
returning an exit code). This module only assembles them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from osoto_bridge import __version__
from osoto_bridge.cli import (
    demo_cmd,
    doctor,
    links_cmd,
    mcp_cmd,
    migrate_cmd,
    run_cmd,
    sandbox_cmd,
    secret_cmd,
)
from osoto_bridge.cli.common import plain_help

_SUBCOMMANDS = (
    demo_cmd,
    run_cmd,
    links_cmd,
    doctor,
    migrate_cmd,
    sandbox_cmd,
    secret_cmd,
    mcp_cmd,
)


class _PlainSubparsers:
    """Hands subcommands' descriptions (their module docstrings) to argparse as plain
    text, so `--help` never shows reStructuredText's double backticks."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        for field in ("description", "epilog", "help"):
            value = kwargs.get(field)
            if isinstance(value, str):
                kwargs[field] = plain_help(value)
        parser: argparse.ArgumentParser = self._inner.add_parser(name, **kwargs)
        return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="osoto-bridge",
        description="Bridge Osoto trips into Telegram and Slack chats.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _SUBCOMMANDS:
        module.register(_PlainSubparsers(subparsers))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        code: int = handler(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
