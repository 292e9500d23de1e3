"""From Slack message events to the relay's `InboundMessage`: pure functions.

Which events count (`read_message_event`):

- a plain message, a thread reply (also one "sent to the channel"), a ``/me``
  message and a file share are relayed; files become a link line each;
- an edit (``message_changed`` with ``edited``) becomes a marked follow-up
  (``edit_of`` + ``edit_marker``); the other ``message_changed`` events (a reply
  count going up, a link unfurling) change no text and are dropped;
- deletions are not relayed, and neither are bot messages (ours included), joins,
  leaves, topic changes and the other channel notices.

A message that starts by mentioning the bot (``@Osoto where tuesday``) is a
command: `mention_command` gives its command text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from osoto_bridge.chat.base import ChatAddress, InboundMessage
from osoto_bridge.text import Block, Document, Link, Paragraph, Text, from_slack

__all__ = [
    "PLATFORM",
    "SlackFile",
    "SlackMessage",
    "mention_command",
    "mentioned_users",
    "read_message_event",
    "to_inbound",
    "unescape_slack",
    "with_names",
]

PLATFORM = "slack"

RELAYED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})
"""Message subtypes that carry something a person wrote."""

_USER_REF = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_LEADING_MENTION = re.compile(r"^\s*<@([UW][A-Z0-9]+)(?:\|[^>]*)?>[\s:,]*")
_NAME_UNSAFE = re.compile(r"[<>|\n]")


@dataclass(frozen=True)
class SlackFile:
    """A file shared with a message: its name and where to see it."""

    name: str
    url: str


@dataclass(frozen=True)
class SlackMessage:
    """What a relayable message event says, before names are looked up."""

    channel: str
    ts: str
    user: str
    text: str
    thread_ts: str | None = None
    channel_type: str | None = None
    edit_of: str | None = None
    edit_marker: str | None = None
    files: tuple[SlackFile, ...] = ()

    @property
    def is_reply(self) -> bool:
        """Whether the message is a reply in a thread (not the thread's first message)."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def root(self) -> str:
        """The ts of the thread the message belongs to (its own when it starts one)."""
        return self.thread_ts or self.ts


def _files(raw: Any) -> tuple[SlackFile, ...]:
    files: list[SlackFile] = []
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, Mapping) or item.get("mode") == "tombstone":
            continue
        url = item.get("permalink") or item.get("url_private")
        if isinstance(url, str) and url:
            name = item.get("title") or item.get("name") or "file"
            files.append(SlackFile(str(name), url))
    return tuple(files)


def _is_from_bot(message: Mapping[str, Any]) -> bool:
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def read_message_event(event: Mapping[str, Any]) -> SlackMessage | None:
    """The relayable content of a ``message`` event, or None when it carries none."""
    channel = event.get("channel")
    if not isinstance(channel, str):
        return None
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _read_edit(channel, event)
    if subtype not in RELAYED_SUBTYPES or _is_from_bot(event):
        return None
    user, ts = event.get("user"), event.get("ts")
    if not isinstance(user, str) or not isinstance(ts, str):
        return None
    text = event.get("text") or ""
    files = _files(event.get("files"))
    if not text.strip() and not files:
        return None
    return SlackMessage(
        channel=channel,
        ts=ts,
        user=user,
        text=text,
        thread_ts=event.get("thread_ts"),
        channel_type=event.get("channel_type"),
        files=files,
    )


def _read_edit(channel: str, event: Mapping[str, Any]) -> SlackMessage | None:
    message = event.get("message")
    if not isinstance(message, Mapping) or _is_from_bot(message):
        return None
    edited = message.get("edited")
    user, ts = message.get("user"), message.get("ts")
    if not isinstance(edited, Mapping) or not isinstance(user, str) or not isinstance(ts, str):
        return None  # a reply count or an unfurl changed, not the text
    previous = event.get("previous_message")
    text = message.get("text") or ""
    if isinstance(previous, Mapping) and (previous.get("text") or "") == text:
        return None
    if not text.strip():
        return None
    marker = edited.get("ts") or event.get("event_ts") or event.get("ts")
    return SlackMessage(
        channel=channel,
        ts=ts,
        user=user,
        text=text,
        thread_ts=message.get("thread_ts"),
        channel_type=event.get("channel_type"),
        edit_of=ts,
        edit_marker=str(marker) if marker else ts,
        files=_files(message.get("files")),
    )


def unescape_slack(text: str) -> str:
    """Decode the three entities Slack encodes in message text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentioned_users(text: str) -> set[str]:
    """The user ids mentioned as ``<@U…>`` in Slack text."""
    return {match.group(1) for match in _USER_REF.finditer(text)}


def with_names(text: str, names: Mapping[str, str]) -> str:
    """Slack text with each ``<@U…>`` carrying the user's name, for the parser."""

    def named(match: re.Match[str]) -> str:
        user = match.group(1)
        name = names.get(user) or match.group(2)
        if not name:
            return match.group(0)
        return f"<@{user}|{_NAME_UNSAFE.sub(' ', name)}>"

    return _USER_REF.sub(named, text)


def mention_command(
    text: str,
    bot_user_id: str | None,
    *,
    is_command: Callable[[str], bool],
    also: Collection[str] = (),
) -> str | None:
    """The command in a message that starts by mentioning the bot, as ``/name args``.

    ``@Osoto where tuesday`` gives ``/where tuesday``; the bare mention gives
    ``/help``. A mention followed by anything that is not one of our commands
    (``@Osoto thanks!``) is a message like any other: None.

    Args:
        text: The message's Slack text.
        bot_user_id: The bot's user id.
        is_command: Whether text is one of the bridge's commands (the sink's
            `CommandCatalog.is_command`: the adapter parses no commands).
        also: Further command names the adapter answers itself (``link``).
    """
    if bot_user_id is None:
        return None
    match = _LEADING_MENTION.match(text)
    if match is None or match.group(1) != bot_user_id:
        return None
    rest = unescape_slack(text[match.end() :]).strip()
    if not rest:
        return "/help"
    name = rest.lstrip("/／").split(maxsplit=1)[0].casefold() if rest.lstrip("/／") else ""
    if not is_command(rest) and name not in also:
        return None
    return rest if rest.startswith(("/", "／")) else "/" + rest


def file_blocks(files: Iterable[SlackFile]) -> tuple[Block, ...]:
    """One "📎 name" link line per file."""
    return tuple(Paragraph((Text("📎 "), Link(item.url, (Text(item.name),)))) for item in files)


def to_inbound(
    message: SlackMessage,
    *,
    author_name: str,
    names: Mapping[str, str],
    locale: str | None = None,
    reply_author: str | None = None,
    reply_text: str | None = None,
) -> InboundMessage:
    """The relay's view of a Slack message.

    Args:
        message: The message's facts.
        author_name: The author's display name.
        names: Display names of the users it mentions, by id.
        locale: The author's Slack locale (``ko-KR``), when known.
        reply_author: The author of the thread's first message, for a quote.
        reply_text: That message's text, for a quote.
    """
    body = from_slack(with_names(message.text, names)) if message.text.strip() else None
    blocks = (body.blocks if body is not None else ()) + file_blocks(message.files)
    return InboundMessage(
        address=ChatAddress(PLATFORM, message.channel),
        message_id=message.ts,
        author_id=message.user,
        author_name=author_name,
        document=Document(blocks),
        raw_text=unescape_slack(message.text),
        reply_to_message_id=message.thread_ts if message.is_reply else None,
        reply_to_author=reply_author if message.is_reply else None,
        reply_to_text=reply_text if message.is_reply else None,
        edit_of=message.edit_of,
        edit_marker=message.edit_marker,
        is_private=message.channel_type == "im",
        language_hint=locale,
    )
