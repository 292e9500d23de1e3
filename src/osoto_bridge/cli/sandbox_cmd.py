"""`osoto-bridge sandbox`: placeholder until the sandbox lands."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox", help="serve the local Osoto-compatible API"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    raise SystemExit("the sandbox is not built yet")
