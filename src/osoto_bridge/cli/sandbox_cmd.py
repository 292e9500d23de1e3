"""`osoto-bridge sandbox`: serve the local Osoto-compatible API, and manage its data.

    osoto-bridge sandbox [--host H] [--port P] [--db PATH] [--seed demo]
                         [--rate-limit N] [--credentials-out FILE] [--no-access-log]
    osoto-bridge sandbox create-key --db PATH --user USER_ID --scope SCOPE [--scope ...]
    osoto-bridge sandbox create-channel --db PATH --trip TRIP_ID --name NAME

Keys and channels have no public endpoint (a person makes them in the Osoto app),
so these subcommands stand in for that.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from osoto_bridge.web import WebServerError, listen_socket

if TYPE_CHECKING:
    from osoto_bridge.sandbox import Sandbox

# The sandbox (FastAPI) is imported where a subcommand runs: every process builds
# this parser (`tests/cli/test_cli_imports.py`).


class _CliError(Exception):
    """A problem to report on one line, without a traceback."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _port(text: str) -> int:
    value = 0 if text.strip() == "0" else _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("must be at most 65535")
    return value


def register(subparsers: Any) -> None:
    """Add the `sandbox` command and its subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox",
        help="serve the local Osoto-compatible API",
        description="Serve the local Osoto-compatible API under /api/v1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument(
        "--port",
        type=_port,
        default=8787,
        help="port (default 8787; 0 picks a free one, printed on start)",
    )
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument("--seed", choices=["demo"], help="create sample data before serving")
    parser.add_argument(
        "--rate-limit",
        type=_positive_int,
        default=60,
        metavar="N",
        help="requests per minute per key (default: %(default)s, as Osoto allows)",
    )
    parser.add_argument(
        "--credentials-out", type=Path, help="write baseUrl, users with keys and trips as JSON"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log each request (for benchmarks)"
    )
    parser.set_defaults(handler=_serve)
    commands = parser.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND")

    key = commands.add_parser("create-key", help="create an API key and print it")
    key.add_argument("--db", required=True, help="the sandbox's SQLite file")
    key.add_argument("--user", required=True, help="user id the key acts as")
    key.add_argument(
        "--scope",
        required=True,
        action="append",
        help="trips:read, trips:write, messages:read or messages:write, optionally :TRIP_ID",
    )
    key.set_defaults(handler=_create_key)

    channel = commands.add_parser("create-channel", help="open a channel and print its id")
    channel.add_argument("--db", required=True, help="the sandbox's SQLite file")
    channel.add_argument("--trip", required=True, help="trip id")
    channel.add_argument("--name", required=True, help="channel name")
    channel.set_defaults(handler=_create_channel)


def _open_existing(path: str) -> Sandbox:
    from osoto_bridge.sandbox import Sandbox

    if not os.path.isfile(path):
        raise _CliError(f"no sandbox database at {path}")
    try:
        return Sandbox(path)
    except (sqlite3.DatabaseError, RuntimeError) as exc:
        raise _CliError(f"cannot open {path}: {exc}") from exc


def _fail(exc: Exception) -> int:
    print(f"osoto-bridge sandbox: error: {exc}", file=sys.stderr)
    return 1


def _create_key(args: argparse.Namespace) -> int:
    try:
        with _open_existing(args.db) as sb:
            print(sb.create_key(args.user, args.scope))
    except (_CliError, ValueError) as exc:
        return _fail(exc)
    return 0


def _create_channel(args: argparse.Namespace) -> int:
    try:
        with _open_existing(args.db) as sb:
            print(sb.create_channel(args.trip, args.name))
    except (_CliError, ValueError) as exc:
        return _fail(exc)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from osoto_bridge.sandbox import Sandbox

    try:
        # Bound here, not by uvicorn: a taken port is one line with the fix, not
        # uvicorn's log and exit status 1.
        sock = listen_socket(args.host, args.port, hint="choose another --port")
    except WebServerError as exc:
        print(f"osoto-bridge sandbox: error: {exc}", file=sys.stderr)
        return 2
    with sock:
        try:
            sb = Sandbox(args.db, rate_limit=args.rate_limit)
        except (sqlite3.DatabaseError, RuntimeError) as exc:
            return _fail(exc)
        with sb:
            host = f"[{args.host}]" if ":" in args.host else args.host
            base_url = f"http://{host}:{sock.getsockname()[1]}/api/v1"
            if args.seed == "demo":
                credentials = {"baseUrl": base_url, **sb.seed_demo()}
                text = json.dumps(credentials, indent=2, ensure_ascii=False)
                if args.credentials_out is not None:
                    try:
                        args.credentials_out.write_text(text + "\n", encoding="utf-8")
                    except OSError as exc:
                        return _fail(exc)
                    print(f"credentials written to {args.credentials_out}", file=sys.stderr)
                else:
                    print(text)
            elif args.credentials_out is not None:
                return _fail(_CliError("--credentials-out needs --seed demo (nothing to write)"))
            print(f"Osoto sandbox serving {base_url}", file=sys.stderr)
            config = uvicorn.Config(
                sb.app, log_level="info", access_log=not args.no_access_log, lifespan="off"
            )
            uvicorn.Server(config).run(sockets=[sock])
    return 0
