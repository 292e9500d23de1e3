"""What the adapter's listeners share, and when their work happens.

The listeners are split by what Slack sends: `events` (messages, mentions, DMs, the
Home tab) and `interactions` (the slash command, button presses, the link form).

Handlers stay thin: read the payload (``inbound``, ``slash``), ask a service (the
relay's sink, the link flow), answer. Two rules decide *when* work happens:

- A relayed message is handed to the relay before Slack gets its answer: the relay
  writes it to its outbox with the event's "handled" mark, in one transaction
  (`InboundSink.batch`, shared by the events arriving meanwhile), so once Slack has
  a 200 the message cannot be lost. A redelivery (``X-Slack-Retry-Num``) of a
  handled event is skipped; one of an event whose write failed (an error answers
  500) is handled again, and the outbox's idempotency keys keep even a redelivery
  that races its first delivery from posting twice.
- A command, a button press or a form step is acknowledged at once and run on the
  adapter's job queue. These may be slow (a trip snapshot, a key check), and are
  not idempotent, so their event is first claimed in the store
  (``InboundSink.first_time``): a redelivery is acknowledged and dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from osoto_bridge.chat.base import InboundMessage, OutboundMessage
from osoto_bridge.chat.slack.direct import DirectMessages
from osoto_bridge.text import doc, render_slack_mrkdwn

__all__ = ["Ack", "BotIdentity", "Send", "answer_direct", "mapping", "tell"]

Send = Callable[[OutboundMessage], Awaitable[list[str]]]
"""Posts a message (the adapter's `send`)."""


class Ack(Protocol):
    """bolt's ``ack``: answers Slack's request (an ephemeral text, a modal action …)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Awaitable[Any]: ...


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in its workspace (from ``auth.test``)."""

    user_id: str
    bot_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping (a payload's object), else an empty one."""
    return value if isinstance(value, Mapping) else {}


async def tell(ack: Ack, text: str) -> None:
    """Answer a slash command with a line only its asker sees."""
    await ack(text=render_slack_mrkdwn(doc(text)), response_type="ephemeral")


async def answer_direct(direct: DirectMessages, command: InboundMessage, send: Send) -> None:
    """Run a trip command asked in a DM and post what it shows, if anything."""
    shown = await direct.command(command)
    if shown is not None:
        await send(OutboundMessage(command.address, shown, reply_to=command.message_id))
