"""`osoto-bridge links list | add | remove | rotate-secret`: manage links by hand."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from osoto_bridge.chat.base import ChatAddress
from osoto_bridge.cli.common import (
    CommandError,
    add_config_argument,
    run_command,
    settings_from,
)
from osoto_bridge.cli.links_input import check_chat, read_key
from osoto_bridge.cli.links_read import open_for_reading
from osoto_bridge.config import Settings
from osoto_bridge.osoto.key_inspection import KeyReport, LinkError
from osoto_bridge.relay.clients import ClientPool
from osoto_bridge.relay.link_service import LinkService
from osoto_bridge.store import Link, Store

PLATFORMS = ("telegram", "slack", "console")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "links", help="list, add, change and remove chat ↔ trip links"
    )
    actions = parser.add_subparsers(dest="links_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="show every link")
    add_config_argument(listing)
    listing.set_defaults(handler=lambda args: run_command(lambda: _list(args)))

    add = actions.add_parser(
        "add",
        help="link a chat to a trip channel, after checking the key",
        description=(
            "Check an Osoto API key (whose it is, which trip and channel it reaches, "
            "which scopes work) and link the chat to that trip channel."
        ),
    )
    add_config_argument(add)
    add.add_argument("--platform", required=True, choices=PLATFORMS)
    add.add_argument(
        "--chat",
        required=True,
        help="the chat id on that platform: Telegram an integer (-100…), Slack C…/G…, "
        "console: terminal",
    )
    add.add_argument("--thread", help="a forum topic / thread id within the chat")
    add.add_argument(
        "--key",
        help="the Osoto API key (osk_…); - reads it from standard input; left out, it is "
        "asked for without echo (a key on the command line lands in the shell history)",
    )
    add.add_argument(
        "--trip",
        help="the trip id (needed when the key reaches several trips, or only one trip's "
        "messages and no link names that trip yet)",
    )
    add.add_argument("--channel", help="channel name or id (default: general)")
    add.add_argument("--language", default="en", choices=("en", "ko"))
    add.set_defaults(handler=lambda args: run_command(lambda: _add(args)))

    remove = actions.add_parser("remove", help="remove a link by its id")
    add_config_argument(remove)
    remove.add_argument("link_id", type=int)
    remove.set_defaults(handler=lambda args: run_command(lambda: _remove(args)))

    change = actions.add_parser(
        "set",
        help="change a link's settings",
        description=(
            "Change a link's settings. --show-sensitive on lets trip answers in that chat "
            "show wifi passwords, door codes, host phones, confirmation numbers and "
            "check-in instructions: only for a chat where everyone may see them."
        ),
    )
    add_config_argument(change)
    change.add_argument("link_id", type=int)
    change.add_argument("--language", choices=("en", "ko"))
    change.add_argument("--show-sensitive", choices=("on", "off"))
    change.add_argument("--enabled", choices=("on", "off"), help="pause or resume the link")
    change.set_defaults(handler=lambda args: run_command(lambda: _set(args)))

    rotate = actions.add_parser(
        "rotate-secret", help="re-encrypt every stored key with the newest secret key"
    )
    add_config_argument(rotate)
    rotate.set_defaults(handler=lambda args: run_command(lambda: _rotate(args)))


async def _open(settings: Settings) -> Store:
    return await Store.open(settings.database_url, secret_keys=settings.secret_keys())


def describe(link: Link) -> str:
    where = f"{link.platform}:{link.chat_id}" + (f"/{link.thread_id}" if link.thread_id else "")
    state = "" if link.enabled else "  [disabled]"
    if link.show_sensitive:
        state += "  [shows sensitive fields]"
    scopes = ",".join(link.access.names)
    return (
        f"{link.id:>4}  {where:<28} → {link.trip_title} #{link.channel_name}"
        f"  key {link.key_fingerprint}  scopes {scopes}  lang {link.language}{state}"
    )


async def _list(args: argparse.Namespace) -> int:
    store = await open_for_reading(settings_from(args))
    if store is None:
        print("no links yet (no database yet): add one with `osoto-bridge links add`")
        return 0
    try:
        links = await store.list_links()
    finally:
        await store.close()
    if not links:
        print("no links yet: add one with `osoto-bridge links add`")
    for link in links:
        print(describe(link))
    return 0


def report_lines(report: KeyReport) -> list[str]:
    lines = [
        f"key of {report.user_name} ({report.user_id}), "
        + (f"{report.role} on the trip" if report.role else "role on the trip unknown"),
        f"trip {report.trip_title} ({report.trip_id}), channel #{report.channel.name}",
        "can: "
        + ", ".join(
            label
            for scope, label in (
                ("messages:read", "relay Osoto → chat"),
                ("messages:write", "relay chat → Osoto"),
                ("trips:read", "answer /where, /todo …"),
                ("trips:write", "/todo add, /done, /share"),
            )
            if report.can(scope)
        ),
    ]
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    return lines


async def _add(args: argparse.Namespace) -> int:
    chat, thread = check_chat(args.platform, args.chat, args.thread)
    api_key = read_key(args.key)
    settings = settings_from(args)
    store = await _open(settings)
    address = ChatAddress(args.platform, chat, thread)
    try:
        async with ClientPool(store=store, base_url=settings.osoto_base_url) as pool:
            links = LinkService(store=store, pool=pool)
            try:
                report = await links.verify(api_key, trip_id=args.trip, channel=args.channel)
                link = await links.link(
                    address,
                    api_key=api_key,
                    report=report,
                    created_by="cli",
                    language=args.language,
                )
            except LinkError as exc:
                raise CommandError(str(exc)) from exc
    finally:
        await store.close()
    for line in report_lines(report):
        print(line)
    print(f"linked: {describe(link)}")
    return 0


async def _remove(args: argparse.Namespace) -> int:
    store = await open_for_reading(settings_from(args))
    if store is None:
        raise CommandError(f"no link with id {args.link_id} (no database yet)")
    try:
        removed = await store.remove_link(args.link_id)
    finally:
        await store.close()
    if not removed:
        raise CommandError(f"no link with id {args.link_id}")
    print(f"removed link {args.link_id}")
    return 0


async def _set(args: argparse.Namespace) -> int:
    if args.language is None and args.show_sensitive is None and args.enabled is None:
        raise CommandError("nothing to change: give --language, --show-sensitive or --enabled")
    store = await open_for_reading(settings_from(args))
    if store is None:
        raise CommandError(f"no link with id {args.link_id} (no database yet)")
    try:
        if await store.get_link(args.link_id) is None:
            raise CommandError(f"no link with id {args.link_id}")
        link = await store.update_link(
            args.link_id,
            language=args.language,
            show_sensitive=None if args.show_sensitive is None else args.show_sensitive == "on",
            enabled=None if args.enabled is None else args.enabled == "on",
        )
    finally:
        await store.close()
    print(describe(link))
    return 0


async def _rotate(args: argparse.Namespace) -> int:
    store = await _open(settings_from(args))
    try:
        count = await store.rotate_secrets()
    finally:
        await store.close()
    print(f"re-encrypted {count} key(s) with the newest secret key", file=sys.stdout)
    return 0
