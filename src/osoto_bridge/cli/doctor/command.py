"""`osoto-bridge doctor`: check everything the bridge needs, and say how to fix what fails.

Checks, in order, each on its own:

- settings: they load; a chat platform is configured; the secret key is set and valid;
- database: reachable, schema current (`osoto-bridge migrate` otherwise), every stored
  API key decrypts with OSOTO_BRIDGE_SECRET_KEY;
- Osoto: the base URL answers as the Osoto API (no key needed);
- Telegram (when configured): getMe accepts the token, privacy mode is off, the
  webhook (in webhook mode) is https and reports no delivery error;
- Slack (when configured): the tokens are of the right kind, events have a way in,
  auth.test accepts the bot token, the token has the scopes the bridge uses;
- each link: its key is valid, reaches the trip and channel, and still has the
  scopes it was linked with.

Prints one table and, under it, a fix for each problem. Exit status 1 when any
check failed (warnings alone exit 0). Nothing is written anywhere: no database is
created, and the write scopes are probed with empty bodies Osoto refuses.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from osoto_bridge.cli.common import (
    add_config_argument,
    run_command,
    settings_secrets,
    setup_logging,
)
from osoto_bridge.cli.doctor.checks import diagnose
from osoto_bridge.cli.doctor.render import render
from osoto_bridge.config import SettingsError, load_settings
from osoto_bridge.finding import Finding


def register(subparsers: Any) -> None:
    """Add the ``doctor`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "doctor",
        help="check settings, database, Osoto, Telegram, Slack and every link; say how to fix",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_argument(parser)
    parser.add_argument(
        "--no-links",
        action="store_true",
        help="skip the per-link key checks (about 6 Osoto requests per link)",
    )
    parser.set_defaults(handler=lambda args: run_command(lambda: _doctor(args)))


async def _doctor(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(os.environ, args.config)
    except SettingsError as exc:
        findings = [Finding("settings", "fail", str(exc), "correct the setting named above")]
    else:
        # Only warnings reach the terminal, and never with a token in them.
        setup_logging("WARNING", secrets=settings_secrets(settings))
        findings = await diagnose(settings, check_links=not args.no_links)
    sys.stdout.write(render(findings))
    return 1 if any(f.status == "fail" for f in findings) else 0
