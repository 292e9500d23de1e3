"""The app's Home tab and its direct messages, as pure functions of what they show.

The Home tab lists the workspace's linked channels with their trips and whether each
link is relaying, then the commands. A direct message that is no trip command (those
run for a linked channel the person is in: `direct.py`) is answered with what the app
does, how to link, and the linked channels. Every text a person or Osoto supplied (trip
titles, channel names) goes into ``plain_text`` objects or escaped mrkdwn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from osoto_bridge.chat.base import CommandCatalog, LinkHealth
from osoto_bridge.store.models import Link
from osoto_bridge.text import Document, bold, code, doc, paragraph

__all__ = ["MAX_LINKS", "dm_help", "home_view"]


_MAX_TEXT = 3000
MAX_LINKS = 40  # a Home view holds at most 100 blocks
_MAX_LINKS = MAX_LINKS


def _escape(text: str) -> str:
    # mrkdwn control characters; the text stays readable, nothing in it can mention
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:_MAX_TEXT] or " "}}


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def _health(link: Link, health: LinkHealth | None) -> str:
    if not link.enabled:
        return "⏸️ paused (the chat refused the bot; link again)"
    if health is None:
        return "✅ relaying"
    line = (
        f"✅ relaying · last from Osoto {_age(health.since_to_chat)}, "
        f"to Osoto {_age(health.since_to_osoto)}"
    )
    if health.waiting:
        line += f" · ⏳ {health.waiting} waiting to reach Osoto"
    return line


def _link_line(link: Link, health: LinkHealth | None) -> str:
    return (
        f"<#{link.chat_id}> → *{_escape(link.trip_title)}* "
        f"(#{_escape(link.channel_name)}) · {_health(link, health)}"
    )


def _commands(catalog: CommandCatalog, language: str) -> str:
    entries = catalog.menu(language)
    return "\n".join(f"`/osoto {name}` {_escape(summary)}" for name, summary in entries.items())


def home_view(
    catalog: CommandCatalog,
    language: str,
    links: Sequence[Link],
    health: Mapping[int, LinkHealth] | None = None,
) -> dict[str, Any]:
    """The Home tab (``views.publish``) for the workspace's Slack links, with each
    link's health (by link id) where known."""
    health = health or {}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Osoto", "emoji": True}},
        _section(
            "I keep a Slack channel and an Osoto trip's channel in one conversation, "
            "and answer questions about the trip with `/osoto`."
        ),
        {"type": "divider"},
        _section("*Linked channels*"),
    ]
    if not links:
        blocks.append(
            _section(
                "No channel is linked yet. A workspace admin runs `/osoto link` in the "
                "channel and pastes the trip's API key into the private form."
            )
        )
    blocks.extend(_section(_link_line(link, health.get(link.id))) for link in links[:_MAX_LINKS])
    if len(links) > _MAX_LINKS:
        blocks.append(_section(f"… and {len(links) - _MAX_LINKS} more."))
    blocks.extend(
        [
            {"type": "divider"},
            _section("*Commands* (in a linked channel)\n" + _commands(catalog, language)),
            _section("`/osoto link` and `/osoto unlink`: workspace admins, in the channel."),
        ]
    )
    return {"type": "home", "blocks": blocks}


def dm_help(links: Sequence[Link]) -> Document:
    """The answer to a direct message: what the app does, where its answers are."""
    blocks = [
        paragraph(
            "Hi! I relay an Osoto trip's channel into a Slack channel and answer trip "
            "questions there."
        ),
        paragraph(
            "Ask in a linked channel, or here about the trip of a linked channel you are in: ",
            code("/osoto where tuesday"),
            ", ",
            code("/osoto todo"),
            ", ",
            code("/osoto help"),
            ".",
        ),
    ]
    if links:
        trips = ", ".join(
            f"{link.trip_title} (#{link.channel_name})" for link in links[:_MAX_LINKS]
        )
        blocks.append(paragraph("Trips linked in this workspace: ", bold(trips), "."))
    else:
        blocks.append(
            paragraph("To link a channel, a workspace admin runs ", code("/osoto link"), " in it.")
        )
    blocks.append(paragraph("The app's Home tab shows the linked channels and all commands."))
    return doc(*blocks)
