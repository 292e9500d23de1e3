"""The Telegram adapter: python-telegram-bot's ``Application`` inside the bridge's lifecycle.

The ``Application`` is initialised and started by `TelegramChat.start` (never
``run_polling``); updates come from the adapter's own `Poller` (long polling, the
default) or from the webhook route (`webhook_route`) when a webhook URL is set.
Every update passes one handler, `updates.UpdateRouter` (dedupe, migration,
membership, buttons, private chats, group messages, in that order).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackContext, TypeHandler

from osoto_bridge.chat.base import (
    Capabilities,
    ChatAddress,
    ChatUnavailable,
    CommandCatalog,
    InboundSink,
    OutboundMessage,
)
from osoto_bridge.chat.telegram.callbacks import CallbackCodec
from osoto_bridge.chat.telegram.flood import FloodControl, Sleep
from osoto_bridge.chat.telegram.inbound import PLATFORM
from osoto_bridge.chat.telegram.linking import LinkFlow
from osoto_bridge.chat.telegram.menu import register_menu
from osoto_bridge.chat.telegram.polling import ALLOWED_UPDATES, Poller
from osoto_bridge.chat.telegram.sending import RetryPolicy, TelegramSender
from osoto_bridge.chat.telegram.updates import UpdateRouter
from osoto_bridge.chat.telegram.webhook import webhook_secret

logger = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
_ADMIN_STATUSES = frozenset({"creator", "administrator"})
_ADMIN_CACHE_SECONDS = 60.0
_CAPABILITIES = Capabilities(max_length=4096, buttons=True)


class TelegramChat:
    """Telegram groups, supergroups and forum topics as a `ChatAdapter`.

    Args:
        token: the bot token from @BotFather.
        base_url: the Bot API base URL in python-telegram-bot's sense (the token is
            appended); None for Telegram's own.
        webhook_url: the public URL of the webhook route; None for long polling.
        flood: the flood control (pacing and 429 retries).
        sleep: how to wait between retries (tests pass a fake).
        clock: monotonic seconds, for caches and link sessions.
        poll_timeout: seconds one long poll may wait.
        retry: how network faults on sends are retried.
        register_commands: register the command menu at start.
        poll_at_start: in long-polling mode, begin ``getUpdates`` in `start`; False
            when replicas lease the one poller (`start_polling` / `stop_polling`).
    """

    def __init__(
        self,
        *,
        token: str,
        base_url: str | None = None,
        webhook_url: str | None = None,
        flood: FloodControl | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        poll_timeout: int = 30,
        retry: RetryPolicy | None = None,
        register_commands: bool = True,
        poll_at_start: bool = True,
    ) -> None:
        self._token = token
        self._base_url = base_url
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret(token)
        self._flood = flood or FloodControl(sleep=sleep, clock=clock)
        self._sleep = sleep
        self._clock = clock
        self._poll_timeout = poll_timeout
        self._retry = retry
        self._register_commands = register_commands
        self._poll_at_start = poll_at_start
        self._codec = CallbackCodec()
        self._admins: dict[tuple[str, str], tuple[bool, float]] = {}
        self._app: App | None = None
        self._sink: InboundSink | None = None
        self._sender: TelegramSender | None = None
        self._flow: LinkFlow | None = None
        self._router: UpdateRouter | None = None
        self._poller: Poller | None = None
        self._polling: asyncio.Task[None] | None = None
        self._intake_open = False
        self.bot_username: str | None = None

    @property
    def platform(self) -> str:
        return PLATFORM

    @property
    def capabilities(self) -> Capabilities:
        return _CAPABILITIES

    @property
    def running(self) -> bool:
        """Started and taking updates in (not stopping): updates can be handled."""
        return self._sink is not None and self._intake_open

    # -- lifecycle --------------------------------------------------------------------

    def _build(self) -> App:
        builder = ApplicationBuilder().token(self._token).rate_limiter(self._flood)
        if self._base_url:
            builder = builder.base_url(self._base_url)
        app: App = builder.updater(None).job_queue(None).build()
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)
        return app

    async def start(self, sink: InboundSink) -> None:
        """Connect (``getMe``), register the menu, and begin receiving updates."""
        if self._app is not None:
            raise RuntimeError("the Telegram adapter is already started")
        app = self._build()
        await app.initialize()
        try:
            bot = app.bot
            self.bot_username = bot.username
            self._sender = TelegramSender(
                bot, self._codec, on_migrate=self._migrated, sleep=self._sleep, retry=self._retry
            )
            self._flow = LinkFlow(
                bot=bot,
                sender=self._sender,
                is_admin=self.is_admin,
                bot_username=bot.username,
                can_read_groups=bool(bot.can_read_all_group_messages),
                clock=self._clock,
            )
            self._router = UpdateRouter(
                sink=sink,
                flow=self._flow,
                codec=self._codec,
                sender=self._sender,
                bot_username=bot.username,
                on_migrate=self._migrated,
                forget_admins=self._forget_admins,
            )
            if self._register_commands:
                await self._register_menu(app, sink.commands)
            if self.webhook_url:
                await bot.set_webhook(
                    self.webhook_url,
                    secret_token=self.webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            else:
                await bot.delete_webhook()
            await app.start()
        except BaseException:
            await app.shutdown()
            raise
        self._app, self._sink = app, sink
        self._intake_open = True
        if not self.webhook_url and self._poll_at_start:
            await self.start_polling()
        logger.info(
            "Telegram bot @%s started (%s)",
            self.bot_username,
            "webhook" if self.webhook_url else "long polling",
        )

    async def _register_menu(self, app: App, catalog: CommandCatalog) -> None:
        try:
            await register_menu(app.bot, catalog)
        except TelegramError as exc:
            logger.warning("could not register the Telegram command menu: %s", exc)

    async def start_polling(self) -> None:
        """Begin long polling (``getUpdates``); the adapter must be started."""
        app = self._require_app()
        sink = self._sink
        if self._polling is None and sink is not None:
            self._poller = Poller(
                app.bot,
                self._process,
                timeout=self._poll_timeout,
                sleep=self._sleep,
                batch=lambda updates, maybe_handled: sink.batch(
                    PLATFORM, [str(u.update_id) for u in maybe_handled]
                ),
                room=sink.room,
            )
            self._polling = asyncio.create_task(self._poller.run(), name="telegram-poller")
            self._polling.add_done_callback(_report_poller_end)

    async def stop_polling(self) -> None:
        """End long polling: the update in hand finishes and is confirmed to Telegram."""
        poller, polling = self._poller, self._polling
        self._poller = self._polling = None
        if poller is not None and polling is not None:
            poller.stop()
            await asyncio.gather(polling, return_exceptions=True)
            await poller.confirm()

    async def stop_intake(self) -> None:
        """Stop receiving updates (the ones being handled finish first); sends still work.

        Long polling ends (a poll under way is cancelled, the handled updates are
        confirmed); the webhook route answers 503 from now on, so Telegram keeps
        what comes for the next start.
        """
        self._intake_open = False
        await self.stop_polling()

    async def stop(self) -> None:
        """Stop receiving (unless `stop_intake` did), then disconnect."""
        app = self._app
        if app is None:
            return
        await self.stop_intake()
        self._app = None
        self._sink = None
        try:
            await app.stop()
        finally:
            await app.shutdown()

    # -- the adapter interface -----------------------------------------------------------

    async def send(self, message: OutboundMessage) -> list[str]:
        return await self._require_sender().send(message)

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        return await self._require_sender().delete(address, message_id)

    async def edit(self, address: ChatAddress, message_id: str, message: OutboundMessage) -> bool:
        return await self._require_sender().edit(address, message_id, message)

    async def is_admin(self, address: ChatAddress, user_id: str) -> bool:
        """Whether ``user_id`` administers the chat (``getChatMember``, cached a minute)."""
        if user_id == address.chat_id:
            return True  # a private chat's own user, or a group's anonymous admin
        key = (address.chat_id, user_id)
        cached = self._admins.get(key)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        app = self._require_app()
        try:
            member = await app.bot.get_chat_member(int(address.chat_id), int(user_id))
        except ValueError:
            return False
        except TelegramError as exc:
            logger.warning("getChatMember in %s failed: %s", address.chat_id, exc)
            return False
        admin = member.status in _ADMIN_STATUSES
        self._admins[key] = (admin, self._clock() + _ADMIN_CACHE_SECONDS)
        return admin

    def _require_app(self) -> App:
        if self._app is None:
            raise ChatUnavailable("the Telegram adapter is not started")
        return self._app

    def _require_sender(self) -> TelegramSender:
        if self._sender is None:
            raise ChatUnavailable("the Telegram adapter is not started")
        return self._sender

    # -- updates --------------------------------------------------------------------------

    async def handle_update_data(self, data: dict[str, Any]) -> None:
        """Handle one update as Telegram posts it to the webhook (JSON object)."""
        app, sink = self._require_app(), self._sink
        update = Update.de_json(data, app.bot)
        if sink is None:
            await self._process(update)
            return
        # Written (lines and dedupe mark) before the route answers Telegram 200.
        async with sink.batch(PLATFORM, [str(update.update_id)]):
            await self._process(update)

    async def _process(self, update: Update) -> None:
        await self._require_app().process_update(update)

    async def _on_error(self, update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        logger.error("handling a Telegram update failed", exc_info=context.error)

    async def _on_update(
        self, update: Update, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        router = self._router
        if self._sink is None or router is None:
            return
        await router.handle(update)

    def _forget_admins(self, chat_id: str) -> None:
        self._admins = {k: v for k, v in self._admins.items() if k[0] != chat_id}

    async def _migrated(self, old_chat_id: str, new_chat_id: str) -> None:
        if self._sink is None:
            return
        logger.info("Telegram group %s is now supergroup %s", old_chat_id, new_chat_id)
        await self._sink.migrate_chat(PLATFORM, old_chat_id, new_chat_id)


def _report_poller_end(task: asyncio.Task[None]) -> None:
    # The poller only ends on its own for a fatal error (a revoked token): say so
    # at once instead of when the bridge is stopped.
    if not task.cancelled() and task.exception() is not None:
        logger.error("Telegram polling stopped", exc_info=task.exception())
