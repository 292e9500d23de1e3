"""Telegram on python-telegram-bot: groups, forum topics, linking, commands, webhooks."""

from osoto_bridge.chat.telegram.adapter import TelegramChat
from osoto_bridge.chat.telegram.callbacks import MAX_CALLBACK_DATA, ButtonAction, CallbackCodec
from osoto_bridge.chat.telegram.flood import FloodControl
from osoto_bridge.chat.telegram.inbound import to_inbound
from osoto_bridge.chat.telegram.menu import menu_commands
from osoto_bridge.chat.telegram.outbound import MessagePart, plan_parts
from osoto_bridge.chat.telegram.polling import ALLOWED_UPDATES
from osoto_bridge.chat.telegram.sending import RetryPolicy
from osoto_bridge.chat.telegram.webhook import (
    SECRET_HEADER,
    webhook_app,
    webhook_path,
    webhook_route,
    webhook_secret,
)

__all__ = [
    "ALLOWED_UPDATES",
    "MAX_CALLBACK_DATA",
    "SECRET_HEADER",
    "ButtonAction",
    "CallbackCodec",
    "FloodControl",
    "MessagePart",
    "RetryPolicy",
    "TelegramChat",
    "menu_commands",
    "plan_parts",
    "to_inbound",
    "webhook_app",
    "webhook_path",
    "webhook_route",
    "webhook_secret",
]
