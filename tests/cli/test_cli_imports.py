"""What a process that builds the command line loads before its command runs.

Every `osoto-bridge` process builds the whole parser (all subcommands). The MCP SDK
and the sandbox (FastAPI) belong to `mcp`, `sandbox` and `demo` alone; loaded by
`run` they would be ~20 MB of its memory (docs/benchmarks.md, "The bridge's memory").
"""

from __future__ import annotations

import json
import subprocess
import sys

_ONLY_WHERE_THEY_RUN = ("mcp", "fastapi", "osoto_bridge.mcp", "osoto_bridge.sandbox")

_PROBE = """
import json, sys
from osoto_bridge.cli.main import build_parser
import osoto_bridge.cli.run_cmd
build_parser()
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_parser_loads_neither_the_mcp_sdk_nor_the_sandbox() -> None:
    # A fresh interpreter: this test process has imported everything already.
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded = json.loads(out)
    assert "osoto_bridge.cli.mcp_cmd" in loaded  # the probe does see the subcommands
    assert [
        name
        for name in loaded
        if any(name == top or name.startswith(f"{top}.") for top in _ONLY_WHERE_THEY_RUN)
    ] == []
