"""The `osoto-bridge` command line: builds Settings and wires the rooms together."""

from osoto_bridge.cli.main import main

__all__ = ["main"]
