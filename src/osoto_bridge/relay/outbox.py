"""Chat → Osoto: the content and idempotency keys of an inbound chat message.

A message from a chat is written to the store's outbox before anything is posted,
under an Idempotency-Key derived from its identity (platform, chat, message id,
edit, part), so a crash, a retry or a redelivered update posts it to Osoto at most
once (DESIGN invariant 2). This module is pure: it decides what to enqueue.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from osoto_bridge.chat.base import InboundMessage
from osoto_bridge.relay.deliver import quote_snippet
from osoto_bridge.relay.labels import platform_label
from osoto_bridge.text import (
    Document,
    Paragraph,
    Quote,
    Text,
    attributed,
    render_osoto_parts,
)

# Osoto's documented ceiling is unknown; the sandbox enforces 8,000 characters and
# the relay stays below it with room for the attribution line.
OSOTO_MAX_CONTENT = 8_000
_MAX_IDEMPOTENCY_KEY = 255


@dataclass(frozen=True)
class OutboxPart:
    """One Osoto message to post for an inbound chat message."""

    idempotency_key: str
    content: str


def idempotency_key(message: InboundMessage, part: int, parts: int) -> str:
    """The key that makes posting this part of ``message`` happen once."""
    address = message.address
    key = f"{address.platform}:{address.chat_id}:{address.thread_id or '-'}:{message.message_id}"
    if message.edit_of is not None:
        key += f":edit:{message.edit_marker or ''}"
    if parts > 1:
        key += f":part{part}"
    if len(key) > _MAX_IDEMPOTENCY_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def compose(
    message: InboundMessage,
    *,
    parent_known: bool,
    limit: int = OSOTO_MAX_CONTENT,
) -> list[OutboxPart]:
    """The Osoto posts for one inbound chat message, attributed and split.

    Args:
        message: the chat message.
        parent_known: whether its reply target maps to an Osoto message (then the
            reply is a real Osoto reply and needs no quote).
        limit: the longest Osoto message content.
    """
    body = message.document
    if message.reply_to_message_id is not None and not parent_known and message.reply_to_text:
        who = message.reply_to_author or "someone"
        snippet = f"{who}: {quote_snippet(message.reply_to_text)}"
        body = Document((Quote((Paragraph((Text(snippet),)),)), *body.blocks))
    label = platform_label(message.address.platform)
    if message.edit_of is not None:
        label += ", edited"
    # Plain text toward Osoto: `Alice (Telegram): hi` reads right whether or not
    # Osoto renders Markdown; chats get the name bold back (emphasize_attribution).
    document = attributed(message.author_name, body, platform_label=label, emphasis=False)
    contents = render_osoto_parts(document, limit=limit)
    return [
        OutboxPart(idempotency_key(message, index, len(contents)), content)
        for index, content in enumerate(contents)
    ]
