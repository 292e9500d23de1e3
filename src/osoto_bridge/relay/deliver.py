"""Into a chat: turn the lines at a lane's head into chat messages, recorded in the map.

The `Deliverer` is every chat lane's sender (`relay/lanes.py`). Delivery is recorded
per chat in the store's message map, so the map is also the record of what was
delivered: a message already mapped for a chat is never sent to it again (DESIGN
invariants 1, 2, 3). Only a send whose response was lost, followed by a crash before
the map was written, can show a message twice.
"""

from __future__ import annotations

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
from osoto_bridge.relay.coalesce import CHAT_MAX_LINES, chat_run, merged_document
from osoto_bridge.relay.copy_tag import copy_tag
from osoto_bridge.relay.labels import ATTRIBUTION_LABELS
from osoto_bridge.relay.lanes import Line, Taken
from osoto_bridge.relay.recent import RecentMessages
from osoto_bridge.store import Link, MessageRef, Store
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
    """Sends lines into chats (the `LineSender` of every chat lane)."""

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

    async def send_lines(self, link: Link, lines: Sequence[Line], *, merge: bool = False) -> Taken:
        """Deliver the head of a chat's lane; how many of ``lines`` are done now.

        Lines the chat already has (the map says so) are skipped; otherwise the first
        is sent, with the lines queued behind it merged in when they fit
        (`relay/coalesce.py`), and every line it carries recorded in one write.

        Raises:
            ChatUnavailable: the chat could not take it now (its lane retries).
        """
        adapter = self._adapters.get(link.platform)
        if adapter is None:
            if link.platform not in self._warned_platforms:
                self._warned_platforms.add(link.platform)
                logger.warning(
                    "links on platform %s are not served: the platform is not configured",
                    link.platform,
                )
            return Taken(len(lines), sent=False)
        # A fresh line (handed over at its write) is in no chat yet: the map is asked
        # only about the others (a conversation's line then goes out with no read).
        unsure = [line.ref for line in lines if not line.fresh]
        delivered = (
            await self._store.delivered_among(unsure, link.platform, link.chat_id)
            if unsure
            else set()
        )
        skipped = 0
        while skipped < len(lines) and lines[skipped].ref in delivered:
            skipped += 1
        if skipped:
            return Taken(skipped, sent=False)
        if merge and len(lines) > 1:
            merged = await self._send_merged(link, adapter, lines, delivered)
            if merged:
                return Taken(merged)
        line = lines[0]
        outbound = await self._outbound(line, link, adapter)
        sent = await self._send(adapter, outbound, link, line.ref)
        if sent is None:
            return Taken(1)
        await self._store.record_chat_messages(
            osoto_message_id=line.ref,
            trip_id=link.trip_id,
            channel_id=link.channel_id,
            platform=link.platform,
            chat_id=link.chat_id,
            thread_id=link.thread_id,
            chat_message_ids=sent,
            origin="osoto",
            activity_of=link.id,
        )
        self._relayed(link, line)
        return Taken(1)

    async def _send_merged(
        self, link: Link, adapter: ChatAdapter, lines: Sequence[Line], delivered: set[MessageRef]
    ) -> int:
        """Send the lines at the head as one message if more than one fits; how many.

        0: the first goes alone (a reply, or nothing else fits beside it).
        """
        run: list[Line] = []
        texts: set[str] = set()
        for line in lines[:CHAT_MAX_LINES]:
            # A line may be queued twice, under its entry and its Osoto id (the poll
            # met its post first): the run ends there, and the map check of the
            # next round skips the copy once this one is recorded.
            if line.ref in delivered or line.message.content in texts:
                break
            texts.add(line.message.content)
            run.append(line)
        documents = [self._line_document(line) for line in run]
        count = chat_run(
            documents,
            ids=[line.ref for line in run],
            parents=[line.parent for line in run],
            max_length=adapter.capabilities.max_length,
        )
        if count < 2:
            return 0
        outbound = OutboundMessage(
            address=ChatAddress(link.platform, link.chat_id, link.thread_id),
            document=merged_document(documents[:count]),
            # lets the chat recognise its echo (issue 14.2): the line a reply answers
            meta={COPY_OF: copy_tag(run[count - 1].ref)},
        )
        sent = await self._send(adapter, outbound, link, run[0].ref)
        if sent is None:
            return count
        await self._store.record_chat_lines(
            osoto_message_ids=[line.ref for line in run[:count]],
            trip_id=link.trip_id,
            channel_id=link.channel_id,
            platform=link.platform,
            chat_id=link.chat_id,
            thread_id=link.thread_id,
            chat_message_ids=sent,
            activity_of=link.id,
        )
        self._metrics.messages_coalesced(link.platform, count)
        for line in run[:count]:
            self._relayed(link, line)
        return count

    @staticmethod
    def _line_document(line: Line) -> Document:
        """A line as it reads among others: always with its author's name in front."""
        body = from_osoto(line.message.content)
        if line.by_bridge:
            # its content names its chat author already
            return emphasize_attribution(body, ATTRIBUTION_LABELS)
        return attributed(line.message.author_name or "someone", body)

    def _relayed(self, link: Link, line: Line) -> None:
        self._metrics.message_relayed(
            "chat_to_chat" if line.by_bridge else "osoto_to_chat",
            link.platform,
            created_at=line.message.creation_time / 1000.0,
        )

    async def _send(
        self, adapter: ChatAdapter, outbound: OutboundMessage, link: Link, ref: MessageRef
    ) -> list[str] | None:
        """Send; the chat's message ids, or None when the chat will never take it."""
        try:
            return await adapter.send(outbound)
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
            return None
        except ChatUnavailable:
            raise  # transient: the lane retries
        except ChatError as exc:
            # The platform refused this one message for good (too long, markup it
            # will not take): retrying would stall the lane forever, so it is
            # logged and the conversation goes on.
            self._metrics.error("chat_refused")
            logger.error(
                "%s refused Osoto message %s for link %d: %s",
                link.platform,
                copy_tag(ref),
                link.id,
                exc,
            )
            return None

    async def _outbound(self, line: Line, link: Link, adapter: ChatAdapter) -> OutboundMessage:
        message, by_bridge, parent = line.message, line.by_bridge, line.parent
        body = from_osoto(message.content)
        reply_to: str | None = None
        if parent:
            parents = await self._store.chat_messages_for(
                parent, link.platform, link.chat_id, seen_copies=True
            )
            if parents:
                reply_to = parents[0]
            else:
                # This chat has no copy of the parent we know of (sent before the
                # link, or its send response was lost): a quote stands in.
                self._metrics.reply_unthreaded(link.platform)
                body = self._with_quote(parent, body)
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
            meta={COPY_OF: copy_tag(line.ref)},  # lets the chat recognise its echo (issue 14.2)
        )

    def _with_quote(self, parent_ref: MessageRef, body: Document) -> Document:
        # Only messages polled from Osoto are kept for quoting: a line still on its
        # way has none (its quote says no more than "a reply").
        parent = self._recent.get(parent_ref) if isinstance(parent_ref, str) else None
        if parent is None:
            quote = Quote((Paragraph((Text("↪ reply to an earlier message"),)),))
        else:
            snippet = f"{parent.author_name}: {quote_snippet(parent.content)}"
            quote = Quote((Paragraph((Text(snippet),)),))
        return Document((quote, *body.blocks), buttons=body.buttons)
