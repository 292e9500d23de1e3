"""Osoto → chat: turn one Osoto message into chat messages, recorded in the map.

Delivery is recorded per chat in the store's message map, so the map is also the
record of what was delivered: a message already mapped for a chat is never sent to
it again (DESIGN invariants 1, 2, 3). Only a send whose response was lost, followed
by a crash before the map was written, can show a message twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence

from osoto_bridge.chat.base import (
    COPY_OF,
    ChatAdapter,
    ChatAddress,
    ChatError,
    ChatGone,
    ChatUnavailable,
    OutboundMessage,
)
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto.models import Message
from osoto_bridge.relay.labels import ATTRIBUTION_LABELS
from osoto_bridge.relay.recent import RecentMessages
from osoto_bridge.store import Link, Store
from osoto_bridge.text import (
    Document,
    Paragraph,
    Quote,
    Text,
    attributed,
    emphasize_attribution,
    from_osoto,
)

logger = logging.getLogger(__name__)

_QUOTE_CHARS = 120


def quote_snippet(text: str, limit: int = _QUOTE_CHARS) -> str:
    """The first ``limit`` characters of ``text`` on one line, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut + "…"


class Deliverer:
    """Delivers Osoto messages to the chats linked to their channel."""

    def __init__(
        self,
        *,
        store: Store,
        adapters: Mapping[str, ChatAdapter],
        recent: RecentMessages,
        metrics: RelayMetrics | None = None,
        on_link_changed: Callable[[Link], None] | None = None,
    ) -> None:
        self._store = store
        self._on_link_changed = on_link_changed
        self._metrics = metrics if metrics is not None else RelayMetrics()
        self._adapters = adapters
        self._recent = recent
        self._warned_platforms: set[str] = set()

    def remember(self, message: Message) -> None:
        """Keep ``message`` for quoting, without delivering it."""
        self._recent.remember(message.id, message.author_name or "someone", message.content)

    async def deliver(
        self, message: Message, links: Sequence[Link], *, by_bridge: bool = False
    ) -> int:
        """Send ``message`` to each of ``links`` that has not had it yet.

        ``by_bridge`` marks a message the bridge posted for a chat: its content
        already names its chat author ("Alice (Telegram): …"), so it is shown as is
        rather than under the name of the Osoto account that posted it.

        Returns how many chats received it now. Raises `ChatUnavailable` (from the
        adapter) when a chat could not take it; the caller retries later, and the
        chats already served are skipped then through the map.
        """
        self.remember(message)
        targets = [link for link in links if link.enabled]
        if len(targets) == 1:
            return int(await self._deliver_to(message, targets[0], by_bridge=by_bridge))
        # The chats are independent: each waits only for its own platform's pace, so
        # they are served at once (one chat's order is kept: its worker hands over one
        # message at a time). Every chat gets its try before a failure is raised.
        outcomes = await asyncio.gather(
            *(self._deliver_to(message, link, by_bridge=by_bridge) for link in targets),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(1 for outcome in outcomes if outcome is True)

    async def _deliver_to(self, message: Message, link: Link, *, by_bridge: bool) -> bool:
        """Send ``message`` to one chat unless it had it; whether it was sent now."""
        adapter = self._adapters.get(link.platform)
        if adapter is None:
            if link.platform not in self._warned_platforms:
                self._warned_platforms.add(link.platform)
                logger.warning(
                    "links on platform %s are not served: the platform is not configured",
                    link.platform,
                )
            return False
        already = await self._store.chat_messages_for(message.id, link.platform, link.chat_id)
        if already:
            return False
        outbound = await self._outbound(message, link, adapter, by_bridge=by_bridge)
        try:
            ids = await adapter.send(outbound)
        except ChatGone as exc:
            self._metrics.error("chat_gone")
            logger.warning(
                "link %d disabled: %s no longer accepts the bot (%s)",
                link.id,
                link.platform,
                exc,
            )
            await self._store.update_link(link.id, enabled=False)
            if self._on_link_changed is not None:
                self._on_link_changed(link)
            return False
        except ChatUnavailable:
            raise  # transient: the worker retries the page later
        except ChatError as exc:
            # The platform refused this one message for good (too long, markup it
            # will not take): retrying would stall the channel forever, so it is
            # logged and the conversation goes on.
            self._metrics.error("chat_refused")
            logger.error(
                "%s refused Osoto message %s for link %d: %s",
                link.platform,
                message.id,
                link.id,
                exc,
            )
            return False
        await self._store.record_chat_messages(
            osoto_message_id=message.id,
            trip_id=link.trip_id,
            channel_id=link.channel_id,
            platform=link.platform,
            chat_id=link.chat_id,
            thread_id=link.thread_id,
            chat_message_ids=ids,
            origin="osoto",
            activity_of=link.id,
        )
        self._metrics.message_relayed(
            "chat_to_chat" if by_bridge else "osoto_to_chat",
            link.platform,
            created_at=message.creation_time / 1000.0,
        )
        return True

    async def _outbound(
        self, message: Message, link: Link, adapter: ChatAdapter, *, by_bridge: bool
    ) -> OutboundMessage:
        body = from_osoto(message.content)
        reply_to: str | None = None
        if message.parent_id:
            parents = await self._store.chat_messages_for(
                message.parent_id, link.platform, link.chat_id
            )
            if parents:
                reply_to = parents[0]
            else:
                # This chat has no copy of the parent we know of (sent before the
                # link, or its send response was lost): a quote stands in.
                self._metrics.reply_unthreaded(link.platform)
                body = self._with_quote(message.parent_id, body)
        author = message.author_name or "someone"
        if by_bridge:
            document, username = emphasize_attribution(body, ATTRIBUTION_LABELS), None
        elif adapter.capabilities.custom_username:
            document, username = body, author
        else:
            document, username = attributed(author, body), None
        return OutboundMessage(
            address=ChatAddress(link.platform, link.chat_id, link.thread_id),
            document=document,
            reply_to=reply_to,
            username=username,
            meta={COPY_OF: message.id},  # lets the chat recognise its echo (issue 14.2)
        )

    def _with_quote(self, parent_id: str, body: Document) -> Document:
        parent = self._recent.get(parent_id)
        if parent is None:
            quote = Quote((Paragraph((Text("↪ reply to an earlier message"),)),))
        else:
            snippet = f"{parent.author_name}: {quote_snippet(parent.content)}"
            quote = Quote((Paragraph((Text(snippet),)),))
        return Document((quote, *body.blocks), buttons=body.buttons)
