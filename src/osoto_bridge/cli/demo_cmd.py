"""`osoto-bridge demo`: the whole product in one terminal, no account needed.

It starts the sandbox (a local Osoto) with the demo trip, links the terminal to the
trip's #general channel and runs the bridge: what you type appears in Osoto, and a
travel companion writing in Osoto appears in your terminal. Commands such as
``/where tomorrow`` answer from the trip.

With standard input not a terminal, it reads the given lines, prints the transcript
(and the Osoto channel as Osoto shows it) and exits 0, so it can be scripted/tested.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from osoto_bridge.announce import Announcer, build_announcer
from osoto_bridge.announce.demo import DEMO_TIMING, companion_changes_plan
from osoto_bridge.chat.base import ChatAddress
from osoto_bridge.chat.console import ConsoleChat, prompt_lines
from osoto_bridge.cli.common import CommandError, run_command
from osoto_bridge.cli.demo_companion import Companion
from osoto_bridge.commands import CommandService, ShareUrl, SnapshotCache
from osoto_bridge.osoto.key_inspection import LinkError
from osoto_bridge.relay import Bridge, ClientPool, PollTiming
from osoto_bridge.relay.link_service import LinkService
from osoto_bridge.store import Store, generate_secret_key
from osoto_bridge.web import Readiness, WebServer, WebServerError, build_web_app
from osoto_bridge.web.share import ShareAddresses, ShareSource, share_routes

if TYPE_CHECKING:
    from osoto_bridge.sandbox import Sandbox

_PORT_HINT = "choose another --port, or leave it out for any free one"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="try the bridge in your terminal against a local Osoto with a demo trip",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=0, help="sandbox port (default: any free)")
    parser.add_argument(
        "--companion-every",
        type=float,
        default=25.0,
        metavar="SECONDS",
        help="how often the simulated companion writes in Osoto (interactive mode)",
    )
    parser.set_defaults(handler=lambda args: run_command(lambda: _demo(args)))


async def _demo(args: argparse.Namespace) -> int:
    # Here, not at the top: every process builds this parser, and the sandbox's
    # FastAPI is memory `run` never uses (`tests/cli/test_cli_imports.py`).
    from osoto_bridge.sandbox import Sandbox

    interactive = sys.stdin.isatty()
    out = sys.stdout
    with (
        tempfile.TemporaryDirectory(prefix="osoto-bridge-demo-") as tmp,
        Sandbox(":memory:", rate_limit=60) as sandbox,
    ):
        credentials = sandbox.seed_demo()
        server = WebServer(sandbox.app, host="127.0.0.1", port=args.port, bind_hint=_PORT_HINT)
        try:
            await server.start()
        except WebServerError as exc:
            raise CommandError(f"the demo's sandbox: {exc}", exit_code=2) from exc
        try:
            return await _run_demo(
                sandbox, credentials, server.url + "/api/v1", Path(tmp), out, interactive, args
            )
        finally:
            await server.stop()


async def _run_demo(
    sandbox: Sandbox,
    credentials: dict[str, Any],
    base_url: str,
    tmp: Path,
    out: TextIO,
    interactive: bool,
    args: argparse.Namespace,
) -> int:
    store = await Store.open(
        f"sqlite+aiosqlite:///{tmp / 'bridge.db'}", secret_keys=[generate_secret_key()]
    )
    try:
        async with (
            ClientPool(store=store, base_url=base_url) as pool,
            ShareSource(base_url, ttl=5.0) as shared,
        ):
            # The bridge's own web app, for the shared trip's page: /share answers
            # with its local address, the demo's "public URL".
            web = WebServer(
                build_web_app(store=store, readiness=Readiness(), pages=share_routes(shared)),
                host="127.0.0.1",
                port=0,
            )
            async with web:
                share_url = ShareAddresses(web.url).links
                await _linked_demo(
                    store, pool, share_url, credentials, base_url, out, interactive, args
                )
    finally:
        await store.close()
    return 0


async def _linked_demo(
    store: Store,
    pool: ClientPool,
    share_url: ShareUrl,
    credentials: dict[str, Any],
    base_url: str,
    out: TextIO,
    interactive: bool,
    args: argparse.Namespace,
) -> None:
    you, companion = credentials["users"][0], credentials["users"][1]
    trip = credentials["trips"][0]
    general = next(c for c in trip["channels"] if c["name"] == "general")
    links = LinkService(store=store, pool=pool)
    try:
        report = await links.verify(you["apiKey"], trip_id=trip["id"], channel=general["id"])
        await links.link(
            ChatAddress("console", "terminal"),
            api_key=you["apiKey"],
            report=report,
            created_by="demo",
        )
    except LinkError as exc:
        raise CommandError(f"the demo could not link its trip: {exc}") from exc
    companion_client = pool.client_for_key(companion["apiKey"])
    out.write(
        f"osoto-bridge demo: the sandbox (a local Osoto) serves {base_url}\n"
        f"This terminal is linked to “{report.trip_title}” #{report.channel.name} "
        f"as {you['name']}; {companion['name']} writes there from Osoto.\n"
        "Type a message to send it to Osoto, or a command: /help, /where tomorrow, "
        "/todo, /next, /plan, /share (the trip's page). >N text replies to message #N, "
        "!N picks a choice under an answer. Ctrl-D quits.\n\n"
    )
    out.flush()
    if interactive:
        await _interactive(
            store, pool, share_url, companion_client, trip["id"], general["id"], you["name"], args
        )
    else:
        await _batch(
            store, pool, share_url, companion_client, trip["id"], general["id"], you["name"], out
        )


def _bridge(
    store: Store, pool: ClientPool, console: ConsoleChat, share_url: ShareUrl
) -> tuple[Bridge, Announcer]:
    commands = CommandService(cache=SnapshotCache(ttl=5.0), share_url=share_url)
    announcer = build_announcer(
        store=store,
        client_for=pool.client_for,
        adapters=[console],
        commands=commands,
        timing=DEMO_TIMING,
    )
    bridge = Bridge(
        store=store,
        adapters=[console],
        pool=pool,
        commands=commands,
        timing=PollTiming(active_interval=0.5, idle_interval=2.0, active_window=30.0),
        services=[announcer],
    )
    return bridge, announcer


async def _plan_changes(store: Store, announcer: Announcer, companion: Any) -> None:
    link = await store.find_link("console", "terminal", None)
    if link is not None:
        await companion_changes_plan(companion, announcer, store, link)


async def _interactive(
    store: Store,
    pool: ClientPool,
    share_url: ShareUrl,
    companion: Any,
    trip_id: str,
    channel_id: str,
    user_name: str,
    args: argparse.Namespace,
) -> None:
    from prompt_toolkit.patch_stdout import patch_stdout

    chatter = Companion(await companion.export_trip(trip_id))
    # Under patch_stdout, what the bridge prints lands above the prompt, which is
    # redrawn with the half-typed line intact (sys.stdout is its proxy in here).
    with patch_stdout():
        console = ConsoleChat(prompt_lines(), sys.stdout, user_name=user_name)
        bridge, announcer = _bridge(store, pool, console, share_url)
        async with bridge:
            changes = asyncio.create_task(
                _plan_changes(store, announcer, companion), name="demo:plan"
            )
            while not console.finished.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(args.companion_every):
                        await console.finished.wait()
                if not console.finished.is_set():
                    await companion.post_message(trip_id, channel_id, chatter.next_line())
            changes.cancel()
            await asyncio.gather(changes, return_exceptions=True)


async def _batch(
    store: Store,
    pool: ClientPool,
    share_url: ShareUrl,
    companion: Any,
    trip_id: str,
    channel_id: str,
    user_name: str,
    out: TextIO,
) -> None:
    given = sys.stdin.read().splitlines()
    bridge_ref: list[Bridge] = []
    greeted = asyncio.Event()

    async def lines() -> AsyncIterator[str]:
        # The companion's greeting shows first, so the transcript's numbers are the
        # same on every run (and ">1 …" in a script always answers it).
        await greeted.wait()
        for line in given:
            yield line
            # one line at a time: the next is read once this one crossed
            async with asyncio.timeout(30):
                await bridge_ref[0].idle()

    console = ConsoleChat(lines(), out, user_name=user_name, echo=True)
    bridge, announcer = _bridge(store, pool, console, share_url)
    bridge_ref.append(bridge)
    chatter = Companion(await companion.export_trip(trip_id))
    greeting = await companion.post_message(trip_id, channel_id, chatter.next_line())
    async with bridge:
        async with asyncio.timeout(30):
            while not await store.chat_messages_for(greeting.id, "console", "terminal"):
                await bridge.next_pass()
        greeted.set()
        await console.finished.wait()
        async with asyncio.timeout(30):
            await bridge.idle()
        await _plan_changes(store, announcer, companion)
    out.write(f"\n--- Osoto #{'general'} now reads ---\n")
    async for message in companion.iterate_messages(trip_id, channel_id):
        out.write(osoto_line(message.author_name or "?", message.content) + "\n")
    out.flush()


def osoto_line(author: str, content: str) -> str:
    """One Osoto message as a line: ``author: content``, folding the bridge's own
    attribution when it names the poster (the console user is the key's owner, so
    ``Alice Martin: Alice Martin (console): hi`` reads ``Alice Martin (console): hi``).
    """
    if content.startswith(f"{author} (") and "): " in content:
        return content
    return f"{author}: {content}"
