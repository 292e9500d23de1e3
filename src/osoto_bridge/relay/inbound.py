"""Everything a chat hands the bridge passes here first, in this order:

1. a key pasted in a group is deleted (when the bot can) and never relayed, and the
   admin is told to revoke it (DESIGN invariant 7);
2. commands (``/where``, ``/todo`` …) are answered, never relayed;
3. anything else from a linked chat is staged for the outbox with its batch
   (`relay.intake`: written in one transaction with the batch's dedupe marks) and its
   channel's worker is woken once written; the worker posts it and hands it to the
   other chats.

Platform flows that need private conversations (linking by deep link or modal) live in
the adapters; this router is the part every platform shares.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from osoto_bridge.chat.base import (
    EPHEMERAL,
    ChatAdapter,
    ChatAddress,
    ChatError,
    InboundAction,
    InboundMessage,
    MessageEditor,
    OutboundMessage,
)
from osoto_bridge.commands import (
    CommandContext,
    CommandReply,
    CommandService,
    LinkStatus,
    match_language,
    parse_command,
)
from osoto_bridge.metrics import RelayMetrics
from osoto_bridge.osoto import OsotoClient
from osoto_bridge.osoto.key_detection import contains_api_key
from osoto_bridge.relay.intake import Intake
from osoto_bridge.relay.outbox import compose
from osoto_bridge.store import (
    ChatParent,
    IntakeLine,
    Link,
    OsotoParent,
    Parent,
    PendingParent,
    PendingPost,
    Store,
)
from osoto_bridge.text import Paragraph, Text, doc

logger = logging.getLogger(__name__)

KEY_WARNING = (
    "⚠️ That message contained an Osoto API key, so it was not relayed{deleted}. "
    "Anyone in this chat may have seen it: revoke that key in Osoto (Settings → API keys) "
    "and link again with a new one, in a private chat with the bot."
)

NOT_LINKED = (
    "This chat is not linked to an Osoto trip yet. A chat admin can link it with /link "
    "(the bot then asks for the trip's API key in a private chat)."
)


@dataclass(frozen=True)
class InboundDeps:
    """What the router needs from the running bridge."""

    store: Store
    intake: Intake
    adapter_for: Callable[[str], ChatAdapter | None]
    client_for: Callable[[Link], Awaitable[OsotoClient]]
    commands: CommandService | None
    wall_clock: Callable[[], float]
    bot_username: Callable[[str], str | None]
    metrics: RelayMetrics | None = None


class InboundRouter:
    """Routes inbound chat events: key guard, commands, relay."""

    def __init__(self, deps: InboundDeps) -> None:
        self._deps = deps

    async def on_message(self, message: InboundMessage) -> None:
        deps = self._deps
        address = message.address
        if not message.is_private and contains_api_key(message.raw_text):
            await self._guard_key(message)
            return
        link = await self._find_link(message.acting_for or address)
        if await self._answer_command(message, link):
            return
        if link is None or not link.enabled or message.is_private:
            return
        parent_line = self._staged_parent(message)
        parent = await self._parent(message) if parent_line is None else None
        parts = compose(message, parent_known=parent is not None or parent_line is not None)
        # Staged with the batch the message came in (written, with the batch's dedupe
        # marks, in one transaction before the platform is answered); a line's parts
        # stay consecutive in the queue, so another line split at the same moment
        # never comes between them.
        await deps.intake.write(
            IntakeLine(
                parts=tuple((part.idempotency_key, part.content) for part in parts),
                link_id=link.id,
                trip_id=link.trip_id,
                channel_id=link.channel_id,
                parent=parent,
                parent_line=parent_line,
                source_platform=address.platform,
                source_chat_id=address.chat_id,
                source_thread_id=address.thread_id,
                source_message_id=message.message_id,
            )
        )

    def _staged_parent(self, message: InboundMessage) -> int | None:
        """The place in the current batch of the line ``message`` answers (or edits),
        when that line came in the same batch and is not written yet."""
        target = message.edit_of or message.reply_to_message_id
        if target is None:
            return None
        address = message.address
        return self._deps.intake.staged_line(address.platform, address.chat_id, target)

    async def _parent(self, message: InboundMessage) -> Parent | None:
        """What ``message`` answers (or edits), however far that line has travelled.

        The map knows a line delivered or posted (by its Osoto id, or the entry of
        another chat's line still on its way, `PendingPost`); the outbox knows a
        line of this chat not yet posted, however quickly the reply follows it.
        """
        target = message.edit_of or message.reply_to_message_id
        if target is None:
            return None
        store = self._deps.store
        address = message.address
        mapped = await store.osoto_message_for(address.platform, address.chat_id, target)
        if mapped is not None:
            if isinstance(mapped, PendingPost):
                return PendingParent(mapped.entry_id)
            return await self._own_line(address, target) or OsotoParent(mapped)
        queued = await store.outbox_entry_for_source(address.platform, address.chat_id, target)
        if queued is not None and queued.status == "pending":
            return PendingParent(queued.id)
        if queued is not None and queued.status == "sent" and queued.osoto_message_id:
            return OsotoParent(queued.osoto_message_id)
        if message.edit_of is not None:
            # An edit of a line the bridge has no record of yet: resolved when posting.
            return ChatParent(message.edit_of)
        # A reply to a line the bridge never learned the id of (its send response
        # was lost, or it predates the link): relayed with a quote, and counted.
        if self._deps.metrics is not None:
            self._deps.metrics.reply_unthreaded(address.platform)
        return None

    async def _own_line(self, address: ChatAddress, message_id: str) -> PendingParent | None:
        """The line this chat's own message became, when Osoto holds it merged.

        A post of several lines has one Osoto id for all of them: the reply answers
        one line, named by its outbox entry, so that the other chats thread it under
        that line's copy, not the post's first line's.
        """
        queued = await self._deps.store.outbox_entry_for_source(
            address.platform, address.chat_id, message_id
        )
        if queued is None or queued.batch_id is None or queued.status != "sent":
            return None
        return PendingParent(queued.id)

    async def on_action(self, action: InboundAction) -> None:
        deps = self._deps
        if deps.commands is None:
            return
        link = await self._find_link(action.acting_for or action.address)
        if link is None:
            return
        adapter = deps.adapter_for(action.address.platform)
        if adapter is None:
            return
        is_admin = await adapter.is_admin(action.acting_for or action.address, action.user_id)
        context = await self._context(
            link,
            action.address,
            is_admin,
            is_group=True,
            language=self._language(adapter, link, action.language_hint),
        )
        client = await deps.client_for(link)
        reply = await deps.commands.handle_action(action.action_id, action.value, context, client)
        if reply.replacement is not None and await self._edit_pressed(adapter, action, reply):
            return
        await self._reply(adapter, action.address, reply, reply_to=None, link=link)

    async def _edit_pressed(
        self, adapter: ChatAdapter, action: InboundAction, reply: CommandReply
    ) -> bool:
        """Show ``reply.replacement`` in place of the pressed message, the toast to the
        presser only.

        False (nothing shown) where the adapter cannot edit or the edit failed: the
        caller then sends the reply as a new message.
        """
        if (
            reply.replacement is None
            or action.message_id is None
            or not isinstance(adapter, MessageEditor)
        ):
            return False
        message = OutboundMessage(action.address, reply.replacement)
        try:
            edited = await adapter.edit(action.address, action.message_id, message)
        except ChatError as exc:
            logger.warning("could not update the pressed message in %s: %s", action.address, exc)
            return False
        if edited and reply.toast is not None and action.notify is not None:
            await action.notify(reply.toast)
        return edited

    async def _find_link(self, address: ChatAddress) -> Link | None:
        store = self._deps.store
        # From memory after a chat's first line (the store forgets it on link changes).
        link = await store.cached_link(address.platform, address.chat_id, address.thread_id)
        if link is None and address.thread_id is not None:
            # A forum topic without a link of its own speaks for the whole chat's link.
            link = await store.cached_link(address.platform, address.chat_id, None)
        return link

    @staticmethod
    def _language(adapter: ChatAdapter, link: Link, hint: str | None) -> str:
        """The chat's language (/lang), unless the platform knows the asker's own."""
        if adapter.capabilities.per_user_language:
            own = match_language(hint)
            if own is not None:
                return own
        return link.language

    async def _guard_key(self, message: InboundMessage) -> None:
        adapter = self._deps.adapter_for(message.address.platform)
        if adapter is None:
            return
        deleted = False
        try:
            deleted = await adapter.delete(message.address, message.message_id)
        except ChatError:
            deleted = False
        logger.warning(
            "an API key was pasted in %s chat %s; message %s",
            message.address.platform,
            message.address.chat_id,
            "deleted" if deleted else "could not be deleted",
        )
        note = KEY_WARNING.format(deleted=" and was deleted" if deleted else "")
        await self._send(adapter, OutboundMessage(message.address, doc(Paragraph((Text(note),)))))

    async def _answer_command(self, message: InboundMessage, link: Link | None) -> bool:
        deps = self._deps
        if deps.commands is None or not message.raw_text.lstrip().startswith("/"):
            return False
        adapter = deps.adapter_for(message.address.platform)
        if adapter is None:
            return False
        if link is None:
            if (
                parse_command(
                    message.raw_text, bot_username=deps.bot_username(message.address.platform)
                )
                is None
            ):
                return False
            # A command in a chat that is not linked yet: say how to link, not nothing.
            await self._send(
                adapter,
                OutboundMessage(
                    message.address,
                    doc(Paragraph((Text(NOT_LINKED),))),
                    reply_to=message.message_id,
                ),
            )
            return True
        where = message.acting_for  # a private chat asking for a linked chat: its rules
        is_admin = (message.is_private and where is None) or await adapter.is_admin(
            where or message.address, message.author_id
        )
        context = await self._context(
            link,
            message.address,
            is_admin,
            is_group=not message.is_private or where is not None,
            message_id=message.message_id,
            language=self._language(adapter, link, message.language_hint),
        )
        client = await deps.client_for(link)
        reply = await deps.commands.handle(
            message.raw_text,
            context,
            client,
            bot_username=deps.bot_username(message.address.platform),
        )
        if reply is None:
            return False
        await self._reply(adapter, message.address, reply, reply_to=message.message_id, link=link)
        return True

    async def _context(
        self,
        link: Link,
        address: ChatAddress,
        is_admin: bool,
        *,
        is_group: bool,
        language: str,
        message_id: str | None = None,
    ) -> CommandContext:
        store = self._deps.store
        # The store counts directions from the chat's side ("in" = chat → Osoto);
        # /status speaks from the chat's reader's side ("inbound" = into the chat).
        to_osoto, to_chat = await store.link_activity(link.id)
        status = LinkStatus(
            trip_title=link.trip_title,
            channel_name=link.channel_name,
            scopes=link.scopes,
            last_inbound=_when(to_chat),
            last_outbound=_when(to_osoto),
            outbox_depth=await store.pending_outbox_count(link.trip_id, link.channel_id),
            key_fingerprint=link.key_fingerprint,
        )
        return CommandContext(
            trip_id=link.trip_id,
            language=language,
            show_sensitive=link.show_sensitive,
            scopes=link.scopes,
            is_admin=is_admin,
            is_group=is_group,
            now=datetime.fromtimestamp(self._deps.wall_clock(), UTC),
            platform=address.platform,
            status=status,
            # identifies the command message, so its writes happen once even if the
            # platform delivers it twice
            message_id=f"{address.platform}:{address.chat_id}:{message_id}" if message_id else None,
        )

    async def _reply(
        self,
        adapter: ChatAdapter,
        address: ChatAddress,
        reply: CommandReply,
        *,
        reply_to: str | None,
        link: Link,
    ) -> None:
        if reply.set_language is not None:
            await self._deps.store.update_link(link.id, language=reply.set_language)
        meta = {EPHEMERAL: "true"} if reply.ephemeral else {}
        await self._send(
            adapter, OutboundMessage(address, reply.document, reply_to=reply_to, meta=meta)
        )

    async def _send(self, adapter: ChatAdapter, message: OutboundMessage) -> None:
        try:
            await adapter.send(message)
        except ChatError as exc:
            logger.warning("could not answer in %s: %s", message.address, exc)


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
