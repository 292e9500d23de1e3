"""Telegram messages in neutral form: pure functions, no network.

A message becomes an `InboundMessage` when it carries something a person wrote or
shared: text, a caption, or media. Media without a text of its own relays as one
clear line ("📷 Photo", "📍 Location: <map link>", "📊 Poll: …") followed by the
caption, so nothing silently vanishes. Service messages (joins, leaves, title
changes, topic events, pins, migrations) carry none of these and give None.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, User

from osoto_bridge.chat.base import ChatAddress, InboundMessage
from osoto_bridge.text import (
    Block,
    Document,
    Paragraph,
    Span,
    Text,
    bullet_list,
    doc,
    from_telegram,
    link,
)

PLATFORM = "telegram"


def address_of(message: Message) -> ChatAddress:
    """Where ``message`` lives: its chat, and its forum topic if it is in one.

    Telegram also sets ``message_thread_id`` on replies in ordinary supergroups
    (the reply chain's root); only a forum topic makes it part of the address.
    """
    thread_id: str | None = None
    if message.is_topic_message and message.message_thread_id is not None:
        thread_id = str(message.message_thread_id)
    return ChatAddress(PLATFORM, str(message.chat.id), thread_id)


def author_of(message: Message) -> tuple[str, str]:
    """``(id, display name)`` of who wrote ``message``.

    A message sent on behalf of a chat (an anonymous admin, a linked channel) is
    attributed to that chat.
    """
    if message.sender_chat is not None:
        chat = message.sender_chat
        return str(chat.id), chat.title or chat.username or "a channel"
    user = message.from_user
    if user is None:
        return "unknown", "someone"
    return str(user.id), display_name(user)


def display_name(user: User) -> str:
    """A person's name as the group sees it."""
    return user.full_name or (f"@{user.username}" if user.username else str(user.id))


def map_url(latitude: float, longitude: float) -> str:
    """A map link centred on a point (OpenStreetMap, no account or app needed)."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=17/{latitude:.6f}/{longitude:.6f}"
    )


def _spans_for_media(message: Message) -> tuple[Span, ...] | None:
    """The one-line description of a message's media, or None when it has none."""
    if message.venue is not None:
        venue = message.venue
        where = map_url(venue.location.latitude, venue.location.longitude)
        label = ", ".join(part for part in (venue.title, venue.address) if part)
        return (Text(f"📍 {label}: "), link(where, where))
    if message.location is not None:
        where = map_url(message.location.latitude, message.location.longitude)
        return (Text("📍 Location: "), link(where, where))
    if message.animation is not None:
        return (Text("🎞 GIF"),)
    if message.photo:
        return (Text("📷 Photo"),)
    if message.video is not None:
        return (Text("🎬 Video"),)
    if message.video_note is not None:
        return (Text("📹 Video message"),)
    if message.voice is not None:
        return (Text("🎤 Voice message"),)
    if message.audio is not None:
        audio = message.audio
        name = " – ".join(part for part in (audio.performer, audio.title) if part)
        return (Text(f"🎵 Audio: {name or audio.file_name or 'untitled'}"),)
    if message.document is not None:
        return (Text(f"📎 File: {message.document.file_name or 'unnamed'}"),)
    if message.sticker is not None:
        return (Text(f"Sticker {message.sticker.emoji or ''}".rstrip()),)
    if message.contact is not None:
        contact = message.contact
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        return (Text(f"👤 Contact: {name}"),)
    if message.dice is not None:
        return (Text(f"{message.dice.emoji} rolled {message.dice.value}"),)
    if message.story is not None:
        return (Text("📖 Story"),)
    if message.checklist is not None:
        return (Text(f"☑ Checklist: {message.checklist.title}"),)
    if message.paid_media is not None:
        return (Text("⭐ Paid media"),)
    return None


def _entities(entities: tuple[MessageEntity, ...]) -> list[dict[str, object]]:
    return [entity.to_dict() for entity in entities]


def message_document(message: Message) -> Document | None:
    """``message`` as a document: its text, or its media line and caption; None if neither."""
    if message.text is not None:
        return from_telegram(message.text, _entities(message.entities))
    blocks: list[Block] = []
    if message.poll is not None:
        poll = message.poll
        blocks.append(Paragraph((Text(f"📊 Poll: {poll.question}"),)))
        options = [option.text for option in poll.options]
        if options:
            blocks.append(bullet_list(*options))
    else:
        media = _spans_for_media(message)
        if media is not None:
            blocks.append(Paragraph(media))
    if message.caption:
        blocks.extend(from_telegram(message.caption, _entities(message.caption_entities)).blocks)
    if not blocks:
        return None
    return doc(*blocks)


def _replied(message: Message) -> Message | None:
    """The message ``message`` answers, unless that is only its forum topic's opening.

    Telegram marks every message in a topic as a reply to the topic's first
    message; that is no reply a person made.
    """
    parent = message.reply_to_message
    if parent is None:
        return None
    if parent.forum_topic_created is not None:
        return None
    if message.is_topic_message and parent.message_id == message.message_thread_id:
        return None
    return parent


def to_inbound(message: Message, *, edited: bool = False) -> InboundMessage | None:
    """``message`` in neutral form, or None for a service message.

    Args:
        message: the Telegram message (``message`` or ``edited_message``).
        edited: it came as an ``edited_message`` update: relayed as a marked
            follow-up of the original, since Osoto has no edits.
    """
    document = message_document(message)
    if document is None:
        return None
    author_id, author_name = author_of(message)
    parent = _replied(message)
    reply_to_id = reply_author = reply_text = None
    if parent is not None:
        reply_to_id = str(parent.message_id)
        reply_author = author_of(parent)[1]
        parent_document = message_document(parent)
        reply_text = parent_document.plain_text() if parent_document is not None else None
    edit_of = edit_marker = None
    if edited:
        edit_of = str(message.message_id)
        stamp = message.edit_date or message.date
        edit_marker = str(int(stamp.timestamp()))
    user = message.from_user
    return InboundMessage(
        address=address_of(message),
        message_id=str(message.message_id),
        author_id=author_id,
        author_name=author_name,
        document=document,
        raw_text=message.text or message.caption or "",
        reply_to_message_id=reply_to_id,
        reply_to_author=reply_author,
        reply_to_text=reply_text,
        edit_of=edit_of,
        edit_marker=edit_marker,
        is_private=message.chat.type == "private",
        language_hint=user.language_code if user is not None else None,
    )
