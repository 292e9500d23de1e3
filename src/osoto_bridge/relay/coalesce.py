"""Coalescing under pressure: consecutive lines queued for one destination, as one message.

Pure decisions, no I/O. A destination is under pressure when its pacer holds its
lines: for Osoto, the key's limiter would not let the next post start now; for a
chat, its last send was held by the platform's pace (or failed) while more lines
queued behind it. Toward Osoto, also when more lines queue than a quick run of
them, or than half of what the key has left this minute (`osoto_pressed`): sent one
by one they would spend the key's minute in a rush, and its polls (Osoto → chats)
and the posts after them would then stand still until requests age out. Then the
lines at the head of its lane merge, each keeping its attribution, as long as:

- none is a reply or an edit (a message has one reply target: such a line goes
  alone, and ends the run before it);
- none is one part of a split line (a line's parts stay consecutive, each its own
  message, #14 item 6);
- all were written through one link (toward Osoto: one key posts the message);
- toward Osoto, this process saw each written and never posted it alone (one that
  may have been posted alone before a crash or a hand-over goes alone again, under
  its own key);
- the merged text stays within the destination's length limit (so it is never
  split).

With no pressure, or nothing queued, one line stays one message.

What a merged message resolves to: a chat message that carries several lines maps
to each of them; a reply to it in that chat answers the **last** line it carries
(`Store.osoto_message_for`), the one just above the reply. An Osoto post of several
chat lines maps to each line's chat message; a reply to it in Osoto threads, in
each chat, under the copy of its **first** line (`Store.chat_messages_for`, part
order), where the post begins.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence

from osoto_bridge.store import MessageRef, OutboxEntry
from osoto_bridge.text import Document

__all__ = [
    "CHAT_MAX_LINES",
    "OSOTO_MAX_LINES",
    "OSOTO_SEPARATOR",
    "batch_key",
    "chat_pressed",
    "chat_run",
    "merged_content",
    "merged_document",
    "osoto_pressed",
    "osoto_run",
]

CHAT_MAX_LINES = 30
"""Lines one merged chat message carries at most (still a message one reads at once:
at Slack's one a second, 300 queued lines cross in ten of them)."""

OSOTO_MAX_LINES = 50
"""Lines one merged Osoto post carries at most (within `limit` characters): each post
is one request of the key's 60 a minute."""

_MIN_OSOTO_QUEUE = 4
"""Lines queued toward Osoto that go one by one whatever the key has left (a
person's four quick lines stay four messages)."""

_DEEP_OSOTO_QUEUE = 10
"""Lines queued toward Osoto beyond which they merge however generous the key: a
post per line is a request, its answer and its record each, and a burst of them
(a paste, a busy group) then takes seconds of the bridge's and Osoto's time."""

OSOTO_SEPARATOR = "\n\n"
"""Between the lines of a merged Osoto post (each line is a paragraph of its own)."""

_CHAT_SHARE = 0.8
"""Of a chat's length limit, what merged plain text may take (rendering adds markup)."""


_DEEP_CHAT_QUEUE = 10
"""Lines queued for one chat beyond which they merge however quick the chat answers:
a burst (a paste, a busy group, a backlog after an outage) sent one message a line
takes a request, its answer and its record each, seconds of the bridge's time."""


def chat_pressed(queued: int, *, held: bool) -> bool:
    """Whether the lines queued for a chat merge: its last send was ``held`` by the
    platform's pace (or failed), or more queue than a quick run of lines."""
    return held or queued > _DEEP_CHAT_QUEUE


def osoto_pressed(queued: int, *, ready: bool, remaining: int) -> bool:
    """Whether the lines queued toward Osoto merge: the key's pacer holds the next
    post (not ``ready``), or more queue than a quick run of lines
    (`_DEEP_OSOTO_QUEUE`), or than half of the ``remaining`` requests of the key's
    window (sent one by one they would spend it in a rush)."""
    if not ready:
        return True
    return queued > max(_MIN_OSOTO_QUEUE, min(_DEEP_OSOTO_QUEUE, remaining // 2))


def osoto_run(
    entries: Sequence[OutboxEntry], *, limit: int, fresh: Callable[[OutboxEntry], bool]
) -> int:
    """How many entries at the head merge into one Osoto post (1: the first alone).

    Only ``fresh`` entries merge: ones this process saw written and never tried to
    post alone. Another (a process that died, a replica that held the channel)
    may have posted an entry alone, its answer lost before it was recorded; merged
    now, under the batch's key, it would show twice in Osoto.
    """
    split = Counter((e.source_platform, e.source_chat_id, e.source_message_id) for e in entries)
    first = entries[0]

    def mergeable(entry: OutboxEntry) -> bool:
        return (
            entry.parent is None
            and entry.batch_id is None
            and entry.link_id == first.link_id
            and split[(entry.source_platform, entry.source_chat_id, entry.source_message_id)] == 1
            and fresh(entry)
        )

    if not mergeable(first):
        return 1
    size = len(first.content)
    count = 1
    for entry in entries[1:OSOTO_MAX_LINES]:
        size += len(OSOTO_SEPARATOR) + len(entry.content)
        if not mergeable(entry) or size > limit:
            break
        count += 1
    return count


def merged_content(entries: Sequence[OutboxEntry]) -> str:
    """The content of the post holding these lines: each as written, in order."""
    return OSOTO_SEPARATOR.join(entry.content for entry in entries)


def batch_key(entries: Sequence[OutboxEntry]) -> str:
    """The post's Idempotency-Key, derived from the lines it holds (their own keys).

    The same lines always give the same key, so the post replays after a crash;
    no line's own key is reused, so a line is never mistaken for the batch.
    """
    joined = "\n".join(entry.idempotency_key for entry in entries)
    return "batch:sha256:" + hashlib.sha256(joined.encode()).hexdigest()


def chat_run(
    documents: Sequence[Document],
    *,
    ids: Sequence[MessageRef],
    parents: Sequence[MessageRef | None],
    max_length: int,
) -> int:
    """How many lines at the head merge into one chat message (1: the first alone).

    Args:
        documents: each line as it would read in the merged message (attributed).
        ids: each line's Osoto id (or entry, on its way): a line queued twice ends the run.
        parents: each line's parent id: a reply goes alone.
        max_length: the chat's message length limit.
    """
    if parents[0] is not None:
        return 1
    budget = int(max_length * _CHAT_SHARE)
    size = len(documents[0].plain_text())
    seen = {ids[0]}
    count = 1
    for document, line_id, parent in zip(
        documents[1:CHAT_MAX_LINES],
        ids[1:CHAT_MAX_LINES],
        parents[1:CHAT_MAX_LINES],
        strict=True,
    ):
        size += 2 + len(document.plain_text())
        if parent is not None or line_id in seen or size > budget:
            break
        seen.add(line_id)
        count += 1
    return count


def merged_document(documents: Sequence[Document]) -> Document:
    """One message of these lines, in order, each keeping its own blocks."""
    return Document(tuple(block for document in documents for block in document.blocks))
