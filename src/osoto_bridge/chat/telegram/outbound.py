"""What one `OutboundMessage` becomes in Telegram: pure planning, no network.

The document is split into parts that Telegram accepts (4,096 UTF-16 units of
visible text each), rendered as HTML, and its button rows become an inline keyboard
on the last part. Each part keeps a plain-text rendering too, sent if Telegram ever
refuses the markup, so a formatting bug costs formatting, never the message.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from osoto_bridge.chat.base import OutboundMessage
from osoto_bridge.chat.telegram.callbacks import CallbackCodec
from osoto_bridge.text import (
    TELEGRAM_MAX_TEXT,
    ButtonRows,
    attributed,
    render_plain,
    render_telegram_html,
    split_telegram,
)


@dataclass(frozen=True)
class MessagePart:
    """One Telegram message of an outbound message.

    Attributes:
        html: the text in Telegram HTML.
        plain: the same text without markup (the fallback).
        keyboard: the inline keyboard (on the last part only).
    """

    html: str
    plain: str
    keyboard: InlineKeyboardMarkup | None = None


def keyboard(rows: ButtonRows, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """An inline keyboard for a reply's button rows (None when there are none)."""
    built = [
        [
            InlineKeyboardButton(
                button.label, callback_data=codec.encode(button.action_id, button.value)
            )
            for button in row
        ]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(built) if built else None


def plan_parts(
    message: OutboundMessage, codec: CallbackCodec, *, limit: int = TELEGRAM_MAX_TEXT
) -> list[MessagePart]:
    """The Telegram messages that show ``message``, in order.

    Args:
        message: what to show.
        codec: encodes the buttons' actions into ``callback_data``.
        limit: the most visible UTF-16 units one message may hold.
    """
    document = message.document
    if message.username:
        # Telegram cannot show another sender's name, so it goes into the text.
        document = attributed(message.username, document)
    documents = split_telegram(document, limit=limit)
    parts: list[MessagePart] = []
    for index, part in enumerate(documents):
        last = index == len(documents) - 1
        parts.append(
            MessagePart(
                html=render_telegram_html(part),
                plain=render_plain(part),
                keyboard=keyboard(document.buttons, codec) if last else None,
            )
        )
    return parts
