"""Chat platform adapters behind one small interface (`ChatAdapter`)."""

from osoto_bridge.chat.base import (
    Capabilities,
    ChatAdapter,
    ChatAddress,
    ChatError,
    ChatGone,
    ChatUnavailable,
    InboundAction,
    InboundMessage,
    InboundSink,
    MessageEditor,
    OutboundMessage,
)
from osoto_bridge.chat.console import ConsoleChat
from osoto_bridge.chat.recording import RecordingChat, SentMessage

__all__ = [
    "Capabilities",
    "ChatAdapter",
    "ChatAddress",
    "ChatError",
    "ChatGone",
    "ChatUnavailable",
    "ConsoleChat",
    "InboundAction",
    "InboundMessage",
    "InboundSink",
    "MessageEditor",
    "OutboundMessage",
    "RecordingChat",
    "SentMessage",
]
