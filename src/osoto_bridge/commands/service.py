"""The thin I/O layer of the commands: parse, fetch (cached), answer, write.

Formatting happens in the pure answer functions; this module only decides which
one to call, fetches the snapshot through the `SnapshotCache` at interactive
priority, performs the few writes (`/todo add`, `/done`, `/share`) after checking
the key's scope, and turns every Osoto or network failure into a short apology
with the request id.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from osoto_bridge.commands.answers.help import answer_help
from osoto_bridge.commands.answers.meta import (
    READ_SCOPE,
    answer_error,
    answer_lang_set,
    answer_lang_usage,
    answer_missing_scope,
    answer_not_admin,
    answer_share_link,
    answer_share_revoked,
    answer_share_unconfigured,
    answer_status,
    answer_unknown_command,
    answer_usage,
)
from osoto_bridge.commands.answers.notices import answer_notify_settings
from osoto_bridge.commands.answers.places import answer_pins, answer_who
from osoto_bridge.commands.answers.schedule import answer_next, answer_plan
from osoto_bridge.commands.answers.todo import (
    DONE_ACTION,
    answer_done,
    answer_done_lookup,
    answer_todo,
    answer_todo_added,
)
from osoto_bridge.commands.answers.trip import answer_trip
from osoto_bridge.commands.answers.where import answer_where
from osoto_bridge.commands.cache import SnapshotCache
from osoto_bridge.commands.context import WRITE_SCOPE, CommandContext, CommandReply, has_scope
from osoto_bridge.commands.notify_args import apply_notify_args
from osoto_bridge.commands.parser import ParsedCommand, looks_like_command, parse_command
from osoto_bridge.commands.share import ShareUrl
from osoto_bridge.commands.todo_args import find_item, parse_new_item
from osoto_bridge.commands.view import TripView
from osoto_bridge.i18n import Translator, match_language, translator
from osoto_bridge.osoto import OsotoClient, OsotoError, Priority, TripExport
from osoto_bridge.store import NotifySettings
from osoto_bridge.text import Document, doc, paragraph

__all__ = ["CommandService", "NotifySettingsPort", "OnWrite"]

logger = logging.getLogger(__name__)

_OFF_WORDS = frozenset({"off", "revoke", "stop", "끄기", "취소", "해제"})
_ADD_WORDS = frozenset({"add", "new", "+", "추가"})
_DONE_WORDS = frozenset({"done", "완료"})


OnWrite = Callable[[str, str], None]
"""Told `(trip_id, entity_id)` after a command changed the plan in Osoto (the
announcements then fetch the plan at once, and do not tell the chat its own change)."""


class NotifySettingsPort(Protocol):
    """Where the notification settings of the chat a command came from live."""

    async def load(self, ctx: CommandContext) -> NotifySettings | None:
        """The settings of the command's chat; None when the chat has no link."""

    async def save(self, ctx: CommandContext, settings: NotifySettings) -> None:
        """Store new settings for the command's chat."""


class _MissingScope(Exception):
    """Raised inside a command when the link's key lacks a scope it needs."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


def _idempotency_key(ctx: CommandContext, action: str) -> str | None:
    # Derived from the chat message, so a platform redelivering it (a Telegram
    # webhook retry) replays the write instead of doubling it.
    if ctx.message_id is None:
        return None
    source = f"{ctx.platform}\x00{ctx.trip_id}\x00{ctx.message_id}\x00{action}"
    return "cmd-" + hashlib.sha256(source.encode()).hexdigest()[:40]


class CommandService:
    """Answers chat commands for linked trips.

    Args:
        cache: The snapshot cache shared by every chat of the process.
        share_url: Builds the trip page's and feed's addresses `/share` shows from a
            token (the web app's, under the public URL); None when the bridge has no
            public address, and `/share` then says what the operator must set.
        slack_command: The Slack slash command that carries every command, for the
            help and hints shown in Slack.
        notify_settings: Where `/remind`, `/brief` and `/notify` read and store the
            chat's settings; None when the process announces nothing.
        on_write: Told of each change a command made to the plan.
    """

    def __init__(
        self,
        *,
        cache: SnapshotCache,
        share_url: ShareUrl | None = None,
        slack_command: str = "/osoto",
        notify_settings: NotifySettingsPort | None = None,
        on_write: OnWrite | None = None,
    ) -> None:
        self._cache = cache
        self._share_url = share_url
        self._slack_prefix = slack_command.strip() + " "
        self._notify_settings = notify_settings
        self._on_write = on_write

    def attach_notifications(self, notify_settings: NotifySettingsPort, on_write: OnWrite) -> None:
        """Serve `/remind`, `/brief`, `/notify` from these settings and report writes.

        The bridge calls it when it runs the plan watch (the service is built first).
        """
        self._notify_settings = notify_settings
        self._on_write = on_write

    def _wrote(self, trip_id: str, entity_id: str) -> None:
        self._cache.invalidate(trip_id)
        if self._on_write is not None:
            self._on_write(trip_id, entity_id)

    async def handle(
        self,
        text: str,
        ctx: CommandContext,
        client: OsotoClient,
        *,
        bot_username: str | None = None,
        slashless: bool = False,
    ) -> CommandReply | None:
        """Answer a chat message if it is a command.

        Args:
            text: The message text.
            ctx: The chat it came from.
            client: An Osoto client with the link's key.
            bot_username: The bot's username, to ignore `/cmd@OtherBot`.
            slashless: The platform already addressed the text to the bot (Slack's
                `/osoto where tue`); empty text then shows the help.

        Returns:
            The reply, or None when the text is no command for us (relay it).
        """
        tr = translator(ctx.language)
        parsed = parse_command(text, bot_username=bot_username, slashless=slashless)
        if parsed is None:
            if slashless and not text.strip():
                return CommandReply(
                    answer_help(tr, prefix=self._prefix(ctx), today=ctx.now.date()), ephemeral=True
                )
            if looks_like_command(text, bot_username=bot_username, slashless=slashless):
                name = text.strip().split(maxsplit=1)[0].split("@", 1)[0][:40]
                shown = name if name.startswith(("/", "／")) else self._prefix(ctx) + name
                return CommandReply(answer_unknown_command(tr, shown), ephemeral=True)
            return None
        logger.debug("command %s for trip %s on %s", parsed.name, ctx.trip_id, ctx.platform)
        try:
            return await self._dispatch(parsed, ctx, client, tr)
        except _MissingScope as missing:
            return CommandReply(
                answer_missing_scope(tr, ctx.trip_id, missing.scope), ephemeral=True
            )
        except OsotoError as exc:
            logger.warning(
                "command %s for trip %s failed: %s", parsed.name, ctx.trip_id, type(exc).__name__
            )
            return CommandReply(answer_error(tr, exc, ctx.trip_id), ephemeral=True)

    async def handle_action(
        self, action_id: str, value: str, ctx: CommandContext, client: OsotoClient
    ) -> CommandReply:
        """Answer a button press.

        Args:
            action_id: The button's action (`todo_done`).
            value: Its value (the action item id).
            ctx: The chat it came from.
            client: An Osoto client with the link's key.

        Returns:
            The reply.
        """
        tr = translator(ctx.language)
        if action_id != DONE_ACTION:
            message = tr.gettext("This button no longer works. Try the command again.")
            return CommandReply(doc(paragraph(message)), ephemeral=True)
        try:
            if not has_scope(ctx.scopes, WRITE_SCOPE, ctx.trip_id):
                return CommandReply(answer_missing_scope(tr, ctx.trip_id), ephemeral=True)
            item = await client.update_action_item(
                ctx.trip_id,
                value,
                done=True,
                priority=Priority.INTERACTIVE,
                idempotency_key=_idempotency_key(ctx, f"done:{value}"),
            )
            self._wrote(ctx.trip_id, item.id)
        except OsotoError as exc:
            logger.warning("button %s for trip %s failed: %s", action_id, ctx.trip_id, exc)
            return CommandReply(answer_error(tr, exc, ctx.trip_id), ephemeral=True)
        toast = "☑️ " + tr.gettext("Done: {text}", text=item.text)
        try:
            # The pressed list, redrawn without the ticked item (as the chat would
            # see it after a fresh /todo), replaces the old one in place.
            view = await self._view(ctx, client)
        except (_MissingScope, OsotoError):
            return CommandReply(answer_done(tr, item))
        return CommandReply(answer_done(tr, item), replacement=answer_todo(view), toast=toast)

    def _prefix(self, ctx: CommandContext) -> str:
        return self._slack_prefix if ctx.platform == "slack" else "/"

    async def _snapshot(self, ctx: CommandContext, client: OsotoClient) -> TripExport:
        async def fetch() -> TripExport:
            return await client.export_trip(ctx.trip_id, priority=Priority.INTERACTIVE)

        return await self._cache.get(ctx.trip_id, fetch)

    async def _view(self, ctx: CommandContext, client: OsotoClient) -> TripView:
        if not has_scope(ctx.scopes, READ_SCOPE, ctx.trip_id):
            # The cache is shared by every chat of the trip: a key that may not read
            # the trip must not be served another link's snapshot.
            raise _MissingScope(READ_SCOPE)
        export = await self._snapshot(ctx, client)
        return TripView.of(
            export,
            now=ctx.now,
            language=ctx.language,
            show_sensitive=ctx.show_sensitive,
            is_group=ctx.is_group,
        )

    async def _dispatch(
        self,
        command: ParsedCommand,
        ctx: CommandContext,
        client: OsotoClient,
        tr: Translator,
    ) -> CommandReply:
        name, args = command.name, command.args
        if name == "help":
            return CommandReply(
                answer_help(tr, args, prefix=self._prefix(ctx), today=ctx.now.date())
            )
        if name == "lang":
            return self._lang(args, tr)
        if name == "status":
            return CommandReply(answer_status(tr, ctx.status, trip_id=ctx.trip_id, now=ctx.now))
        if name == "share":
            return await self._share(args, ctx, client, tr)
        if name in ("remind", "brief", "notify"):
            return await self._settings(name, args, ctx, tr)
        if name == "todo":
            return await self._todo(args, ctx, client, tr)
        if name == "done":
            return await self._done(args, ctx, client, tr)
        readers: dict[str, Callable[[TripView], Document]] = {
            "where": lambda view: answer_where(view, args),
            "next": answer_next,
            "plan": answer_plan,
            "pins": lambda view: answer_pins(view, args),
            "who": answer_who,
            "trip": answer_trip,
        }
        return CommandReply(readers[name](await self._view(ctx, client)))

    @staticmethod
    def _lang(args: str, tr: Translator) -> CommandReply:
        chosen = match_language(args.split()[0]) if args.split() else None
        if chosen is None:
            return CommandReply(answer_lang_usage(tr), ephemeral=True)
        return CommandReply(answer_lang_set(translator(chosen)), set_language=chosen)

    async def _settings(
        self, name: str, args: str, ctx: CommandContext, tr: Translator
    ) -> CommandReply:
        port = self._notify_settings
        current = await port.load(ctx) if port is not None else None
        if port is None or current is None:
            message = tr.gettext("This bridge does not post notifications.")
            return CommandReply(doc(paragraph(message)), ephemeral=True)
        update = apply_notify_args(name, args, current)
        if update.usage is not None:
            return CommandReply(answer_usage(tr, update.usage), ephemeral=True)
        if update.changed:
            if not ctx.is_admin:
                return CommandReply(answer_not_admin(tr), ephemeral=True)
            await port.save(ctx, update.settings)
        prefix = self._prefix(ctx)
        return CommandReply(answer_notify_settings(tr, update.settings, prefix=prefix))

    async def _write(
        self,
        ctx: CommandContext,
        tr: Translator,
        write: Callable[[], Awaitable[Document]],
    ) -> CommandReply:
        if not has_scope(ctx.scopes, WRITE_SCOPE, ctx.trip_id):
            return CommandReply(answer_missing_scope(tr, ctx.trip_id), ephemeral=True)
        return CommandReply(await write())

    async def _share(
        self, args: str, ctx: CommandContext, client: OsotoClient, tr: Translator
    ) -> CommandReply:
        if not ctx.is_admin:
            return CommandReply(answer_not_admin(tr), ephemeral=True)
        revoke = args.strip().casefold() in _OFF_WORDS
        if args.strip() and not revoke:
            return CommandReply(answer_usage(tr, "/share [off]"), ephemeral=True)

        share_url = self._share_url

        async def write() -> Document:
            key = _idempotency_key(ctx, "share-off" if revoke else "share")
            if not revoke and share_url is None:
                return answer_share_unconfigured(tr)  # no token made for nobody to open
            if revoke:
                await client.revoke_share_token(
                    ctx.trip_id, priority=Priority.INTERACTIVE, idempotency_key=key
                )
                return answer_share_revoked(tr)
            token = await client.create_share_token(
                ctx.trip_id, priority=Priority.INTERACTIVE, idempotency_key=key
            )
            assert share_url is not None
            return answer_share_link(tr, share_url(token))

        return await self._write(ctx, tr, write)

    async def _todo(
        self, args: str, ctx: CommandContext, client: OsotoClient, tr: Translator
    ) -> CommandReply:
        head, _, rest = args.strip().partition(" ")
        word = head.casefold()
        if not head:
            return CommandReply(answer_todo(await self._view(ctx, client)))
        if word in _DONE_WORDS:
            return await self._done(rest, ctx, client, tr)
        if word not in _ADD_WORDS:
            return CommandReply(answer_usage(tr, "/todo add TEXT"), ephemeral=True)
        new = parse_new_item(rest)
        if new is None:
            return CommandReply(answer_usage(tr, "/todo add TEXT [--now]"), ephemeral=True)

        async def write() -> Document:
            urgency = new.urgency
            if urgency is None:
                # During the trip, "before the trip" makes no sense any more.
                view = await self._view(ctx, client)
                urgency = "before_trip" if view.today < view.calendar.start else "now"
            item = await client.create_action_item(
                ctx.trip_id,
                text=new.text,
                urgency=urgency,
                priority=Priority.INTERACTIVE,
                idempotency_key=_idempotency_key(ctx, "todo-add"),
            )
            self._wrote(ctx.trip_id, item.id)
            return answer_todo_added(tr, item)

        return await self._write(ctx, tr, write)

    async def _done(
        self, args: str, ctx: CommandContext, client: OsotoClient, tr: Translator
    ) -> CommandReply:
        if not has_scope(ctx.scopes, WRITE_SCOPE, ctx.trip_id):
            return CommandReply(answer_missing_scope(tr, ctx.trip_id), ephemeral=True)
        view = await self._view(ctx, client)
        match = find_item(view.export, args)
        if match.item is None:
            return CommandReply(answer_done_lookup(view, args.strip()[:100], match))
        item_id = match.item.id

        async def write() -> Document:
            item = await client.update_action_item(
                ctx.trip_id,
                item_id,
                done=True,
                priority=Priority.INTERACTIVE,
                idempotency_key=_idempotency_key(ctx, f"done:{item_id}"),
            )
            self._wrote(ctx.trip_id, item.id)
            return answer_done(tr, item)

        return await self._write(ctx, tr, write)
