"""Chat platform adapters behind one small interface (`ChatAdapter`)."""

from osoto_bridge.chat.base import (
    COPY_OF,
    Capabilities,
    ChatAdapter,
    ChatAddress,
    ChatError,
    ChatGone,
    ChatUnavailable,
    InboundAction,
    InboundMessage,
    InboundSink,
    IntakeControl,
    MessageEditor,
    OutboundMessage,
    SeenCopy,
    SharedChatPace,
)
from osoto_bridge.chat.console import ConsoleChat
from osoto_bridge.chat.recording import RecordingChat, SentMessage

__all__ = [
    "COPY_OF",
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
    "IntakeControl",
    "MessageEditor",
    "OutboundMessage",
    "RecordingChat",
    "SeenCopy",
    "SentMessage",
    "SharedChatPace",
]
