"""The store's value types: what the rest of the bridge reads back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from osoto_bridge.osoto.scopes import Scopes

__all__ = [
    "ChatParent",
    "Direction",
    "Ingested",
    "IntakeLine",
    "Link",
    "MessageOrigin",
    "MessageRef",
    "NotifySettings",
    "OsotoParent",
    "OutboxEntry",
    "OutboxStatus",
    "Parent",
    "PendingParent",
    "PendingPost",
]

OutboxStatus = Literal["pending", "sent", "failed"]
"""`pending` waits to be posted, `sent` has an Osoto id, `failed` was refused for good."""

MessageOrigin = Literal["osoto", "chat"]
"""Where a mapped message was written first: in Osoto, or in a chat (then posted by us)."""

Direction = Literal["in", "out"]
"""Relay direction seen from the chat: `in` is chat → Osoto, `out` is Osoto → chat."""


@dataclass(frozen=True, slots=True)
class PendingPost:
    """A chat line on its way to Osoto, named by its outbox entry until Osoto has it.

    A chat line reaches the channel's other chats before its Osoto post completes;
    their copies are mapped under the entry (`message_map.outbox_entry_id`) and moved
    to the Osoto id in the transaction that records the post
    (`Store.complete_outbox_post`).
    """

    entry_id: int


MessageRef = str | PendingPost
"""A message the map knows: its Osoto id, or a chat line on its way (`PendingPost`).
A string is always an Osoto id: nothing is read into its spelling."""


@dataclass(frozen=True, slots=True)
class OsotoParent:
    """The parent is an Osoto message (its id is known)."""

    message_id: str


@dataclass(frozen=True, slots=True)
class ChatParent:
    """The parent is a message of the entry's own source chat, not mapped yet.

    Resolved through the message map when the entry is posted (an edit of a line
    whose outbox entry the bridge cannot name, e.g. written before it knew the chat).
    """

    message_id: str


@dataclass(frozen=True, slots=True)
class PendingParent:
    """The parent is another outbox entry, still on its way to Osoto.

    Entries of a channel are posted in order, so by the time this one is posted the
    parent's entry has its Osoto id (or failed for good: then there is no parent).
    """

    entry_id: int


Parent = OsotoParent | ChatParent | PendingParent
"""What an outbox entry answers (or edits): one typed value, one column each."""


@dataclass(frozen=True, slots=True)
class IntakeLine:
    """One chat line to write to the outbox with its batch (`Store.ingest`).

    Attributes:
        parts: (idempotency key, content) of each part, in order.
        parent: what the line answers, when that is known already.
        parent_line: the position, in the same batch, of an earlier line this one
            answers (or edits): its first part's entry becomes the parent once written.
    """

    parts: tuple[tuple[str, str], ...]
    link_id: int
    trip_id: str
    channel_id: str
    source_platform: str
    source_chat_id: str
    source_thread_id: str | None
    source_message_id: str
    parent: Parent | None = None
    parent_line: int | None = None


@dataclass(frozen=True, slots=True)
class Ingested:
    """What one `Store.ingest` wrote.

    Attributes:
        lines: for each line handed in, its parts' entry ids and whether this call
            created them (False: a redelivery, the entries written before; a line
            whose link was removed meanwhile: ``((), False)``).
        created: the entries this call created, in id order, as written (a reply to
            a line of the same batch already threaded to that line's entry): what a
            caller can hand on without reading them back.
    """

    lines: list[tuple[tuple[int, ...], bool]]
    created: tuple[OutboxEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """A chat (platform, chat, optional thread) tied to one Osoto trip channel.

    The API key itself is not here: only its fingerprint. Ask
    `Store.api_key_for(link)` for the plaintext, and only to talk to Osoto.
    """

    id: int
    platform: str
    chat_id: str
    thread_id: str | None
    trip_id: str
    trip_title: str
    channel_id: str
    channel_name: str
    key_id: int
    key_fingerprint: str
    owner_user_id: str
    scopes: tuple[str, ...]
    language: str
    show_sensitive: bool
    enabled: bool
    created_at: float
    created_by: str | None

    @property
    def access(self) -> Scopes:
        """What the link's key may do on its trip: ask this, never `scopes` itself."""
        return Scopes(self.trip_id, self.scopes)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A chat message waiting to be (or already) posted to Osoto.

    `attempts` counts posting attempts whose outcome was recorded (sent, retry or
    failed); `next_attempt_at` is epoch seconds. Entries of one `batch_id` are
    posted together as one message and share its outcome.
    """

    id: int
    idempotency_key: str
    link_id: int
    trip_id: str
    channel_id: str
    content: str
    parent: Parent | None
    source_platform: str
    source_chat_id: str
    source_thread_id: str | None
    source_message_id: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: float
    last_error: str | None
    osoto_message_id: str | None
    created_at: float
    batch_id: int | None = None
    """The lead entry of the merged Osoto post this entry was cut into, if any."""


@dataclass(frozen=True, slots=True)
class NotifySettings:
    """What a linked chat is told without asking (`/notify`, `/remind`, `/brief`).

    Attributes:
        changes: Post a digest when the plan changes in Osoto.
        reminders: Post reminders at all (the leads below say when).
        commitment_lead: Seconds before a commitment's start; None for no reminder.
        flight_lead: Seconds before a flight's departure; None for no reminder.
        stay_mornings: A note on the morning of a check-in or check-out.
        brief_at: Local `HH:MM` of the morning briefing; None when off (the default).
    """

    changes: bool = True
    reminders: bool = True
    commitment_lead: int | None = 3600
    flight_lead: int | None = 3 * 3600
    stay_mornings: bool = True
    brief_at: str | None = None
