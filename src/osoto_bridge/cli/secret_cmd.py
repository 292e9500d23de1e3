"""`osoto-bridge secret-key`: print a new key for OSOTO_BRIDGE_SECRET_KEY."""

from __future__ import annotations

import argparse
from typing import Any

from osoto_bridge.store import generate_secret_key


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "secret-key",
        help="print a new encryption key for OSOTO_BRIDGE_SECRET_KEY",
        description=(
            "Print a new Fernet key. To rotate, put it first in OSOTO_BRIDGE_SECRET_KEY "
            "(comma-separated, newest first) and run `osoto-bridge links rotate-secret`."
        ),
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    print(generate_secret_key())
    return 0
