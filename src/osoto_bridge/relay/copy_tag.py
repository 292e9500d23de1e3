"""The tag a chat copy carries (`COPY_OF`): the line's `MessageRef`, spelled for a chat.

A platform that shows the bot its own messages (Slack) keeps the tag in the copy's
metadata, where only a string fits, and hands it back with the echo
(`SeenCopy.osoto_message_id`). An Osoto id is its own tag; a line still on its way
to Osoto is tagged ``outbox:<entry id>``, as copies posted before the map typed it
(schema 6) still are. This is the one place the spelling is written and read.
"""

from __future__ import annotations

from osoto_bridge.store import MessageRef, PendingPost

__all__ = ["copy_tag", "tagged_ref"]

_ON_ITS_WAY = "outbox:"


def copy_tag(ref: MessageRef) -> str:
    """The tag of a copy of ``ref``."""
    if isinstance(ref, PendingPost):
        return f"{_ON_ITS_WAY}{ref.entry_id}"
    return ref


def tagged_ref(tag: str) -> MessageRef:
    """The `MessageRef` a copy's tag names (`copy_tag` read back)."""
    entry_id = tag.removeprefix(_ON_ITS_WAY)
    if entry_id != tag and entry_id.isascii() and entry_id.isdigit():
        return PendingPost(int(entry_id))
    return tag
