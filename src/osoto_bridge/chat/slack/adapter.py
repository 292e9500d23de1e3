"""`SlackChat`: Slack channels as the relay sees them, on slack-bolt and slack-sdk.

Events arrive over Socket Mode when an app-level token is configured, or otherwise
as signed HTTP requests at ``/slack/events`` (`slack_events_route` mounts it on the
bridge's HTTP server). Both reach the same bolt app and handlers.

Outbound, `sender.SlackSender` renders a message to mrkdwn and posts it under the
Osoto author's name in its thread, paced per channel, with 429s waited out (`webapi`).

The adapter owns an aiohttp session, a job queue and, in Socket Mode, a WebSocket
connection; `start` opens them in order and `stop` closes them in reverse, also
when start-up fails half way.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response

from osoto_bridge.chat.base import (
    Capabilities,
    ChatAddress,
    ChatUnavailable,
    InboundSink,
    OutboundMessage,
    SharedChatPace,
)
from osoto_bridge.chat.slack.bolt_app import build_bolt_app
from osoto_bridge.chat.slack.direct import DirectMessages, channel_members
from osoto_bridge.chat.slack.events import EventHandlers
from osoto_bridge.chat.slack.handlers import BotIdentity
from osoto_bridge.chat.slack.inbound import PLATFORM
from osoto_bridge.chat.slack.interactions import InteractionHandlers
from osoto_bridge.chat.slack.jobs import InFlight, JobQueue
from osoto_bridge.chat.slack.linkflow import ANSWER_WITHIN, LinkFlow
from osoto_bridge.chat.slack.memory import RecentSlackMessages
from osoto_bridge.chat.slack.pacing import DEFAULT_BURST, DEFAULT_INTERVAL, ChannelPacer
from osoto_bridge.chat.slack.sender import SlackSender
from osoto_bridge.chat.slack.slash import SlashReplies
from osoto_bridge.chat.slack.socket_mode import SocketModeConnection
from osoto_bridge.chat.slack.users import UserDirectory
from osoto_bridge.chat.slack.webapi import SlackWebApi
from osoto_bridge.text import SLACK_MAX_TEXT
from osoto_bridge.util import RateShare

__all__ = ["CAPABILITIES", "DEFAULT_API_URL", "SlackChat"]

logger = logging.getLogger(__name__)

DEFAULT_API_URL: str = AsyncWebClient.BASE_URL
CAPABILITIES = Capabilities(
    max_length=SLACK_MAX_TEXT,
    buttons=True,
    custom_username=True,
    threads=True,
    per_user_language=True,
)


STOP_GRACE = 10.0
"""Seconds `stop` waits for sends already under way."""
START_WAIT = 2.0
"""Seconds an event arriving while the adapter starts waits for it (Slack allows 3)."""
ACK_WINDOW = 2.5
"""Seconds a stop keeps the Socket Mode connection open for the envelopes in hand
to be acknowledged on it (Slack hands one unacknowledged after 3 s to another)."""


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    DRAINING = "draining"  # no more events taken in; queued work and sends finish
    STOPPED = "stopped"


@dataclass
class _Running:
    """What exists only while the adapter runs."""

    session: aiohttp.ClientSession
    api: SlackWebApi
    identity: BotIdentity
    users: UserDirectory
    jobs: JobQueue
    link_flow: LinkFlow
    http: AsyncSlackRequestHandler
    socket: SocketModeConnection | None = None


class SlackChat:
    """The Slack adapter.

    Args:
        bot_token: The bot token (``xoxb-…``).
        signing_secret: Verifies HTTP events; required unless ``app_token`` is set.
        app_token: An app-level token (``xapp-…``): events come over Socket Mode.
        api_url: The Web API base URL (tests and proxies); Slack's own by default.
        clock: Monotonic time (pacing, caches, expiry).
        sleep: Waits a number of seconds (pacing, 429s, backoff).
        pace_interval: Seconds per post into one channel, sustained.
        pace_burst: Posts one channel may take at once after a quiet spell.
        rate_share: This process's part of the workspace's posting rate (PostgreSQL
            replicas share it).
        chat_pace: The channels' paces shared by PostgreSQL replicas (None: one
            process paces every channel itself).
        form_wait: Seconds a link-form submission waits for Osoto before answering
            "checking…" and updating the form later.
    """

    def __init__(
        self,
        *,
        bot_token: str,
        signing_secret: str | None = None,
        app_token: str | None = None,
        api_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        pace_interval: float = DEFAULT_INTERVAL,
        pace_burst: int = DEFAULT_BURST,
        form_wait: float = ANSWER_WITHIN,
        start_wait: float = START_WAIT,
        rate_share: RateShare | None = None,
        chat_pace: SharedChatPace | None = None,
    ) -> None:
        if not bot_token:
            raise ValueError("a Slack bot token is required")
        if not app_token and not signing_secret:
            raise ValueError(
                "Slack needs a signing secret for HTTP events "
                "(OSOTO_BRIDGE_SLACK_SIGNING_SECRET), or an app-level token for Socket "
                "Mode (OSOTO_BRIDGE_SLACK_APP_TOKEN)"
            )
        self._bot_token = bot_token
        self._signing_secret = signing_secret or None
        self._app_token = app_token or None
        base = api_url or DEFAULT_API_URL
        self._api_url = base if base.endswith("/") else base + "/"
        self._clock = clock
        self._sleep = sleep
        self._pace_interval = pace_interval
        self._pace_burst = pace_burst
        self._rate_share = rate_share
        self._chat_pace = chat_pace
        self._form_wait = form_wait
        # An event that arrives while the adapter is starting (the HTTP server is up
        # first) waits for the start, within Slack's 3 s, rather than being refused.
        self._start_wait = start_wait
        self._starting = False
        self._started = asyncio.Event()
        self._memory = RecentSlackMessages()
        self._replies = SlashReplies(clock)
        self._sender = SlackSender(self._api, memory=self._memory, replies=self._replies)
        self._state = _State.NEW
        self._running: _Running | None = None
        self._requests = InFlight()  # events being handled
        self._calls = InFlight()  # everything that uses the session, requests included

    # -- the adapter interface ------------------------------------------------------

    @property
    def platform(self) -> str:
        return PLATFORM

    @property
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    @property
    def bot_username(self) -> str | None:
        return None  # Slack addresses the bot by user id (a mention), never /cmd@name

    @property
    def socket_mode(self) -> bool:
        """Whether events come over Socket Mode (else over HTTP)."""
        return self._app_token is not None

    @property
    def bot_user_id(self) -> str | None:
        """The bot's user id, once started."""
        return self._running.identity.user_id if self._running else None

    async def start(self, sink: InboundSink) -> None:
        if self._state is not _State.NEW:
            raise RuntimeError(f"the Slack adapter cannot start when {self._state.value}")
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        jobs = JobQueue("slack")
        self._starting = True
        try:
            running = await self._open(sink, session, jobs)
            jobs.start()
            # Running before the socket connects: its first envelopes are taken in.
            self._running, self._state = running, _State.RUNNING
            if self._app_token is not None:
                running.socket = SocketModeConnection(
                    running.http.app,
                    self._app_token,
                    self._bolt_client(session),
                    gate=lambda: self._using(inbound=True),
                )
                await running.socket.connect()
        except BaseException:
            self._running, self._state = None, _State.NEW
            await jobs.stop()
            await session.close()
            raise
        finally:
            self._starting = False
        self._started.set()
        logger.info(
            "Slack adapter started as %s (%s)",
            running.identity.user_id,
            "Socket Mode" if self._app_token else "HTTP events",
        )

    def _bolt_client(self, session: aiohttp.ClientSession) -> AsyncWebClient:
        return AsyncWebClient(base_url=self._api_url, session=session, retry_handlers=[])

    async def _open(
        self, sink: InboundSink, session: aiohttp.ClientSession, jobs: JobQueue
    ) -> _Running:
        client = AsyncWebClient(
            token=self._bot_token, base_url=self._api_url, session=session, retry_handlers=[]
        )
        pacer = ChannelPacer(
            self._pace_interval,
            burst=self._pace_burst,
            clock=self._clock,
            sleep=self._sleep,
            share=self._rate_share,
            shared=self._chat_pace,
        )
        api = SlackWebApi(client, session=session, pacer=pacer, sleep=self._sleep)
        auth = await api.call("auth.test")
        identity = BotIdentity(
            user_id=str(auth.get("user_id") or ""),
            bot_id=auth.get("bot_id"),
            team_id=auth.get("team_id"),
            enterprise_id=auth.get("enterprise_id") or None,
        )
        users = UserDirectory(api, clock=self._clock)
        link_flow = LinkFlow(
            api=api,
            users=users,
            jobs=jobs,
            links=lambda: sink.links,
            announce=self._sender.announce,
            clock=self._clock,
            answer_within=self._form_wait,
        )
        direct = DirectMessages(
            sink=sink, members=lambda channel: channel_members(api, channel), clock=self._clock
        )
        events = EventHandlers(
            sink=sink,
            users=users,
            memory=self._memory,
            jobs=jobs,
            identity=identity,
            send=self.send,
            publish_home=self.publish_home,
            direct=direct,
        )
        interactions = InteractionHandlers(
            sink=sink,
            users=users,
            jobs=jobs,
            link_flow=link_flow,
            replies=self._replies,
            send=self.send,
            whisper=self.whisper,
            direct=direct,
        )
        app = build_bolt_app(
            events,
            interactions,
            client=self._bolt_client(session),
            bot_token=self._bot_token,
            identity=identity,
            signing_secret=None if self._app_token else self._signing_secret,
        )
        return _Running(
            session=session,
            api=api,
            identity=identity,
            users=users,
            jobs=jobs,
            link_flow=link_flow,
            http=AsyncSlackRequestHandler(app),
        )

    async def stop_intake(self) -> None:
        """Stop taking events in and finish the work they queued; sends keep working.

        A graceful stop's first step (`Bridge.stop`): events arriving from now on are
        answered 503 (Slack delivers them again), the events being handled finish and
        their queued work (answers) drains.

        Socket Mode: the connection closes once the envelopes in hand are handled
        (within `ACK_WINDOW`), as their acknowledgements go out on it; those that
        arrive meanwhile are left unacknowledged and Slack hands them to another
        connection (another replica). Closed first, the acknowledgements of the
        envelopes in hand were lost (the SDK logged an error for each) and Slack
        handed them again to another replica, which found them handled.
        """
        running = self._running
        if running is None or self._state is not _State.RUNNING:
            return  # never started, or stopping already
        self._state = _State.DRAINING
        if running.socket is not None:
            if not await self._requests.settled(ACK_WINDOW):
                logger.warning("Slack envelopes still being handled: closing the connection")
            await running.socket.close()
        # Events under way may still queue work: let them, then drain the queue.
        if not await self._requests.settled(STOP_GRACE):
            logger.warning("Slack events still being handled at shutdown")
        await running.jobs.stop()

    async def stop(self) -> None:
        """Stop taking events in (unless `stop_intake` did), finish sends, disconnect.

        Sends still work while the queued work finishes (its answers go out); then
        new sends are refused (`ChatUnavailable`: the relay keeps the message for
        the next start) and the session closes once the last send under way ended.
        """
        running = self._running
        if running is None or self._state not in (_State.RUNNING, _State.DRAINING):
            return  # never started, or stopped already
        try:
            await self.stop_intake()
            await running.jobs.stop()  # again: a cancelled `stop_intake` left it running
        finally:
            self._state = _State.STOPPED
            if not await self._calls.settled(STOP_GRACE):
                logger.warning("Slack calls still under way at shutdown: %d", self._calls.count)
            running.link_flow.forget_all()
            self._running = None
            await running.session.close()
        logger.info("Slack adapter stopped")

    async def idle(self) -> None:
        """Wait until the queued commands, presses and form steps are done (tests)."""
        if self._running is not None:
            await self._running.jobs.join()

    @asynccontextmanager
    async def _using(self, *, inbound: bool = False) -> AsyncIterator[_Running]:
        """The running parts, for one send or request; `stop` waits for it to end."""
        allowed = (_State.RUNNING,) if inbound else (_State.RUNNING, _State.DRAINING)
        if self._running is None or self._state not in allowed:
            raise ChatUnavailable("the Slack adapter is not running")
        with self._calls.track(), self._requests.track() if inbound else nullcontext():
            yield self._running

    @asynccontextmanager
    async def _api(self) -> AsyncIterator[SlackWebApi]:
        """The Web API, for one send (`SlackSender`); `stop` waits for it to end."""
        async with self._using() as running:
            yield running.api

    async def handle_http(self, request: Request) -> Response:
        """Handle one request from Slack (signature checked by bolt).

        An event that arrives before the adapter has started (while it starts, or
        before its start began) waits for it, up to ``start_wait`` seconds. Answers
        503 when the adapter is not running then (Slack delivers again later) and
        when events come over Socket Mode instead; the web app logs and counts
        every such refusal (`osoto_bridge_events_refused`).
        """
        if self._app_token is not None:
            return Response("events come over Socket Mode", status_code=503)
        if self._state is _State.NEW:
            # Starting, or not yet (the HTTP server is up first; the bridge starts
            # its adapters one after another): held for the start, within Slack's 3 s.
            try:
                async with asyncio.timeout(self._start_wait):
                    await self._started.wait()
            except TimeoutError:
                return Response("the Slack adapter is still starting", status_code=503)
        try:
            async with self._using(inbound=True) as running:
                return await running.http.handle(request)
        except ChatUnavailable:
            return Response("the Slack adapter is not running", status_code=503)

    # -- sending: `SlackSender` --------------------------------------------------------

    async def send(self, message: OutboundMessage) -> list[str]:
        return await self._sender.send(message)

    async def edit(self, address: ChatAddress, message_id: str, message: OutboundMessage) -> bool:
        """Replace a bot message's text and blocks; False when the caller posts anew."""
        return await self._sender.edit(address, message_id, message)

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Show ``view`` as ``user_id``'s Home tab of the app (``views.publish``)."""
        await self._sender.publish_home(user_id, view)

    async def whisper(self, address: ChatAddress, user_id: str, text: str) -> None:
        """Show ``text`` to ``user_id`` alone in the channel (``chat.postEphemeral``)."""
        await self._sender.whisper(address, user_id, text)

    async def delete(self, address: ChatAddress, message_id: str) -> bool:
        return await self._sender.delete(address, message_id)

    async def is_admin(self, address: ChatAddress, user_id: str) -> bool:
        """Workspace admins and owners administer every channel the bot is in."""
        async with self._using() as running:
            return (await running.users.get(user_id)).is_admin
