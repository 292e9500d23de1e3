"""`osoto-bridge doctor` as a small package: the checks (`CHECKS`, one line each), the
context they share, and one renderer. The checks of a room live next to its code
(`osoto.diagnose`, `chat.telegram.diagnose`, `chat.slack.diagnose`); this package
holds the settings, database and link checks and wires them in order."""

from osoto_bridge.cli.doctor.checks import CHECKS, diagnose
from osoto_bridge.cli.doctor.command import register
from osoto_bridge.cli.doctor.context import Check, Context
from osoto_bridge.cli.doctor.render import render
from osoto_bridge.finding import Finding, Status

__all__ = ["CHECKS", "Check", "Context", "Finding", "Status", "diagnose", "register", "render"]
