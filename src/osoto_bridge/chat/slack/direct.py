"""Trip commands in a direct message with the app.

A DM has no trip of its own: a link belongs to a channel. A command typed in the DM
(``where tuesday``, ``/osoto todo``) is answered for a linked channel the person is a
member of, with that channel's link, admin check and policy (`InboundMessage.acting_for`),
so a DM shows nothing the channel would not. With one such channel the answer comes at
once; with several, buttons ask which (as Telegram's link flow offers channels), and
the choice holds for the conversation (`CHOICE_TTL`), for later commands and for the
buttons under the answers. With none, the DM says how to link.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from osoto_bridge.chat.base import (
    ChatAddress,
    ChatError,
    InboundAction,
    InboundMessage,
    InboundSink,
)
from osoto_bridge.chat.slack.webapi import SlackWebApi
from osoto_bridge.store.models import Link
from osoto_bridge.text import Document, button, doc, paragraph

__all__ = ["CHOICE_ACTION", "CHOICE_TTL", "DIRECT_PREFIX", "DirectMessages", "channel_members"]

logger = logging.getLogger(__name__)

PLATFORM = "slack"
DIRECT_PREFIX = "dm:"
"""The made-up id of a DM's command: its answer is posted in the DM, not in a thread."""
CHOICE_ACTION = "dm.for"
"""The action id of the buttons that pick the channel a DM asks for."""
CHOICE_TTL = 15 * 60.0
"""How long a DM keeps asking for the channel picked last (seconds)."""
MEMBERS_TTL = 5 * 60.0
"""How long a linked channel's member list is trusted (seconds)."""
_MAX_PENDING = 1_000
_MAX_CHOICES = 10


class DirectMessages:
    """Runs trip commands typed in DMs for the linked channels their authors are in.

    Args:
        sink: the relay.
        members: a channel's member ids (``conversations.members``).
        clock: monotonic seconds.
    """

    def __init__(
        self,
        *,
        sink: InboundSink,
        members: Callable[[str], Awaitable[frozenset[str]]],
        clock: Callable[[], float],
    ) -> None:
        self._sink = sink
        self._members = members
        self._clock = clock
        self._member_cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._chosen: dict[str, tuple[float, str]] = {}
        self._pending: OrderedDict[str, InboundMessage] = OrderedDict()
        self._tokens = itertools.count(1)

    async def channels_for(self, user_id: str) -> list[Link]:
        """The enabled Slack links whose channel ``user_id`` is a member of, one per trip
        channel (the one that shows sensitive fields last: a DM never shows more)."""
        links = await self._sink.links.on_platform(PLATFORM)
        found: dict[tuple[str, str], Link] = {}
        for link in sorted(links, key=lambda link: (link.show_sensitive, link.id)):
            where = (link.trip_id, link.channel_id)
            if where in found or not link.enabled or link.thread_id is not None:
                continue
            if user_id in await self._in(link.chat_id):
                found[where] = link
        return list(found.values())

    async def _in(self, channel: str) -> frozenset[str]:
        now = self._clock()
        cached = self._member_cache.get(channel)
        if cached is not None and now - cached[0] < MEMBERS_TTL:
            return cached[1]
        members = await self._members(channel)
        self._member_cache[channel] = (now, members)
        return members

    async def command(self, message: InboundMessage) -> Document | None:
        """Hand ``message`` (a command in a DM) to the relay for the right channel.

        Returns what to show in the DM instead (no channel, or the choice of channel),
        or None when the relay answers.
        """
        links = await self.channels_for(message.author_id)
        if not links:
            return doc(
                paragraph(
                    "You are in no channel linked to a trip, so I have no trip to ask. "
                    "Ask in a linked channel, or have a workspace admin run /osoto link there."
                )
            )
        chosen = self._still_chosen(message.author_id, links)
        if len(links) == 1 or chosen is not None:
            channel = chosen or links[0].chat_id
            await self._run(message, channel)
            return None
        token = self._remember(message)
        rows = [
            [button(f"{link.trip_title} · #{link.channel_name}", CHOICE_ACTION, f"{token}|{i}")]
            for i, link in enumerate(links[:_MAX_CHOICES])
        ]
        return doc(
            paragraph("You are in several linked channels: which trip is this about?"),
            buttons=rows,
        )

    async def chosen(self, user_id: str, value: str) -> bool:
        """A channel button was pressed (``value`` is ``token|index``); whether it ran."""
        token, _, index = value.partition("|")
        message = self._pending.pop(token, None)
        if message is None or message.author_id != user_id or not index.isdigit():
            return False
        links = (await self.channels_for(user_id))[:_MAX_CHOICES]
        if int(index) >= len(links):
            return False
        await self._run(message, links[int(index)].chat_id)
        return True

    def acting_for(self, user_id: str) -> ChatAddress | None:
        """The channel a DM's buttons speak for: the one its last command asked about."""
        found = self._chosen.get(user_id)
        if found is None or self._clock() - found[0] >= CHOICE_TTL:
            return None
        return ChatAddress(PLATFORM, found[1])

    def for_action(self, action: InboundAction) -> InboundAction:
        """``action`` (pressed in a DM) speaking for the channel its answer came from."""
        return dataclasses.replace(action, acting_for=self.acting_for(action.user_id))

    async def _run(self, message: InboundMessage, channel: str) -> None:
        self._chosen[message.author_id] = (self._clock(), channel)
        acting = dataclasses.replace(message, acting_for=ChatAddress(PLATFORM, channel))
        await self._sink.on_message(acting)

    def _still_chosen(self, user_id: str, links: Sequence[Link]) -> str | None:
        address = self.acting_for(user_id)
        if address is None or all(link.chat_id != address.chat_id for link in links):
            return None
        return address.chat_id

    def _remember(self, message: InboundMessage) -> str:
        token = str(next(self._tokens))
        self._pending[token] = message
        while len(self._pending) > _MAX_PENDING:
            self._pending.popitem(last=False)
        return token


async def channel_members(api: SlackWebApi, channel: str) -> frozenset[str]:
    """Who is in ``channel`` (``conversations.members``, every page); none on a refusal."""
    members: set[str] = set()
    cursor = ""
    try:
        while True:
            query: dict[str, Any] = {"channel": channel, "limit": 1000}
            if cursor:
                query["cursor"] = cursor
            page = await api.call("conversations.members", params=query)
            members.update(str(member) for member in page.get("members") or ())
            metadata = page.get("response_metadata")
            cursor = str(metadata.get("next_cursor") or "") if isinstance(metadata, dict) else ""
            if not cursor:
                return frozenset(members)
    except ChatError as exc:
        logger.info("could not list the members of Slack channel %s: %s", channel, exc)
        return frozenset()
