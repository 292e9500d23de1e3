"""Linking a Slack channel by modal: the key goes into a private form, never a channel.

1. ``/osoto link`` in the channel: a workspace admin or owner (``users.info``) gets
   the key form (``views.open``); anyone else an ephemeral refusal.
2. Submitting the key: Osoto checks it; the modal then offers the trip's channels,
   or shows the step-one form again with the reason.
3. Submitting the channel: the link is made through the sink's `Linking` (the
   relay's `LinkService`), the bot joins the channel if it can, the modal says
   "done" and the channel is told.

Slack wants a form submission answered within three seconds, and an answer that
replaces the modal lands after any ``views.update`` sent before Slack read it. So a
slow step runs on the job queue and the submission waits for it a little
(``answer_within``): done by then, the new view *is* the answer; otherwise the
answer is a "checking…" view, and the job replaces it with ``views.update`` once
done, long after Slack applied the answer.

Between the steps the key lives only in this process's memory, under a random token
that is the view's ``private_metadata``, and for at most fifteen minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from osoto_bridge.chat.base import ChatAddress, ChatError, Linking
from osoto_bridge.chat.slack.inbound import PLATFORM
from osoto_bridge.chat.slack.jobs import JobQueue
from osoto_bridge.chat.slack.texts import language_of, say
from osoto_bridge.chat.slack.users import UserDirectory
from osoto_bridge.chat.slack.views import (
    CHANNEL_BLOCK,
    KEY_BLOCK,
    TRIP_BLOCK,
    channel_view,
    key_view,
    message_view,
)
from osoto_bridge.chat.slack.webapi import SlackRefused, SlackWebApi
from osoto_bridge.osoto.key_detection import contains_api_key
from osoto_bridge.osoto.key_inspection import KeyReport, LinkError

__all__ = ["LinkFlow", "PendingLink"]

logger = logging.getLogger(__name__)

FLOW_TTL = 15 * 60.0
ANSWER_WITHIN = 2.0
"""Seconds a form submission waits for its step before answering "checking…"."""

Announce = Callable[[ChatAddress, str], Awaitable[None]]


@dataclass
class PendingLink:
    """A link in the making: who asked, for which channel, and the checked key."""

    channel_id: str
    user_id: str
    user_name: str
    language: str
    started: float
    api_key: str | None = None
    report: KeyReport | None = None


@dataclass
class _Step:
    """A slow form step: its resulting view, and who must show it."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    view: dict[str, Any] | None = None
    deferred: bool = False  # the submission answered "checking…": update when done


def _value(values: Mapping[str, Any], block: str) -> Any:
    state = values.get(block)
    if not isinstance(state, Mapping):
        return None
    element = state.get(block)
    if not isinstance(element, Mapping):
        return None
    if "selected_option" in element:
        option = element.get("selected_option")
        return option.get("value") if isinstance(option, Mapping) else None
    return element.get("value")


class LinkFlow:
    """The link modal's three steps.

    Args:
        api: The Web API.
        users: The user directory (admin checks, names).
        jobs: Where the slow steps run.
        links: Returns the relay's link service (available once the adapter started).
        announce: Posts a line into a channel (the "now linked" notice).
        clock: Monotonic time, for the flow's expiry.
        answer_within: Seconds a submission waits for a slow step (see above).
    """

    def __init__(
        self,
        *,
        api: SlackWebApi,
        users: UserDirectory,
        jobs: JobQueue,
        links: Callable[[], Linking],
        announce: Announce,
        clock: Callable[[], float],
        answer_within: float = ANSWER_WITHIN,
    ) -> None:
        self._api = api
        self._answer_within = answer_within
        self._users = users
        self._jobs = jobs
        self._links = links
        self._announce = announce
        self._clock = clock
        self._pending: dict[str, PendingLink] = {}

    def forget_all(self) -> None:
        """Drop every flow in progress (the keys with them)."""
        self._pending.clear()

    async def open(
        self, *, channel_id: str, user_id: str, trigger_id: str, link_language: str | None
    ) -> str | None:
        """Open the key form for an admin; returns the refusal to show otherwise."""
        user = await self._users.get(user_id, fresh=True)
        language = language_of(user.locale, link_language)
        if not user.is_admin:
            return say(language, "admins_only")
        self._prune()
        token = secrets.token_urlsafe(24)
        self._pending[token] = PendingLink(
            channel_id=channel_id,
            user_id=user_id,
            user_name=user.name,
            language=language,
            started=self._clock(),
        )
        try:
            await self._api.call(
                "views.open", trigger_id=trigger_id, view=key_view(language, token=token)
            )
        except ChatError:
            self._pending.pop(token, None)
            raise
        return None

    def _prune(self) -> None:
        now = self._clock()
        for token in [t for t, p in self._pending.items() if now - p.started >= FLOW_TTL]:
            del self._pending[token]

    async def _flow_of(
        self, view: Mapping[str, Any], user_id: str
    ) -> tuple[str, PendingLink | None]:
        self._prune()
        token = str(view.get("private_metadata") or "")
        pending = self._pending.get(token)
        if pending is None or pending.user_id != user_id:
            return token, None
        if not (await self._users.get(user_id, fresh=True)).is_admin:
            del self._pending[token]
            return token, None
        return token, pending

    async def key_submitted(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Step two begins: answer "checking…" and check the key in the background.

        Returns:
            The view submission's answer (``response_action``).
        """
        view, user_id = _view_and_user(body)
        token, pending = await self._flow_of(view, user_id)
        if pending is None:
            return await self._expired(user_id)
        values = _state(view)
        key = str(_value(values, KEY_BLOCK) or "").strip()
        trip_id = str(_value(values, TRIP_BLOCK) or "").strip() or None
        if not contains_api_key(key):
            return {
                "response_action": "errors",
                "errors": {KEY_BLOCK: say(pending.language, "key_malformed")},
            }
        checking = message_view(pending.language, say(pending.language, "checking"), token=token)
        return await self._step(
            "link: check key", view, checking, lambda: self._check(token, pending, key, trip_id)
        )

    async def _step(
        self,
        what: str,
        view: Mapping[str, Any],
        waiting: dict[str, Any],
        work: Callable[[], Awaitable[tuple[dict[str, Any], Callable[[], Awaitable[None]]]]],
    ) -> dict[str, Any]:
        """Run ``work`` (which returns the next view and what to do once it shows)."""
        view_id = str(view.get("id") or "")
        step = _Step()

        async def job() -> None:
            step.view, then = await work()
            if step.deferred:
                await self._show(view_id, step.view)
            else:
                step.done.set()
            await then()

        self._jobs.submit(what, job)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._answer_within):
                await step.done.wait()
        # No await from here on: the job either finished, or sees `deferred` set.
        if step.done.is_set() and step.view is not None:
            return _update(step.view)
        step.deferred = True
        return _update(waiting)

    async def _expired(self, user_id: str) -> dict[str, Any]:
        language = language_of((await self._users.get(user_id)).locale)
        return _update(message_view(language, say(language, "expired")))

    async def _check(
        self, token: str, pending: PendingLink, key: str, trip_id: str | None
    ) -> tuple[dict[str, Any], Callable[[], Awaitable[None]]]:
        try:
            report = await self._links().verify(key, trip_id=trip_id)
        except LinkError as exc:
            return key_view(pending.language, token=token, error=str(exc)), _nothing
        pending.api_key, pending.report = key, report
        return channel_view(pending.language, token=token, report=report), _nothing

    async def channel_submitted(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Step three: answer "linking…" and link in the background."""
        view, user_id = _view_and_user(body)
        token, pending = await self._flow_of(view, user_id)
        if pending is None or pending.report is None or pending.api_key is None:
            return await self._expired(user_id)
        choice = str(_value(_state(view), CHANNEL_BLOCK) or pending.report.channel.id)
        del self._pending[token]  # one link per form, whatever happens next
        linking = message_view(pending.language, say(pending.language, "linking"), token=token)
        return await self._step(
            "link: link channel", view, linking, lambda: self._link(pending, choice)
        )

    async def _link(
        self, pending: PendingLink, choice: str
    ) -> tuple[dict[str, Any], Callable[[], Awaitable[None]]]:
        language = pending.language
        assert pending.report is not None and pending.api_key is not None
        chosen = next((c for c in pending.report.channels if c.id == choice), None)
        if chosen is None:
            return message_view(language, say(language, "expired")), _nothing
        report = dataclasses.replace(pending.report, channel=chosen)
        address = ChatAddress(PLATFORM, pending.channel_id)
        try:
            if not await self._join(pending.channel_id):
                return message_view(language, say(language, "invite_first")), _nothing
            await self._links().link(
                address,
                api_key=pending.api_key,
                report=report,
                created_by=f"slack:{pending.user_id}",
                language=language,
            )
        except (LinkError, ChatError) as exc:
            reason = exc.code if isinstance(exc, SlackRefused) else str(exc)
            return message_view(language, say(language, "link_failed", reason=reason)), _nothing
        logger.info(
            "slack channel %s linked to trip %s by %s",
            pending.channel_id,
            report.trip_id,
            pending.user_id,
        )
        done = say(language, "done", trip=report.trip_title, channel=chosen.name)
        notice = say(
            language, "linked", trip=report.trip_title, channel=chosen.name, name=pending.user_name
        )
        return message_view(language, done), lambda: self._announce(address, notice)

    async def _join(self, channel_id: str) -> bool:
        """Make sure the bot is in the channel; False when only an invitation can do it."""
        info = await self._api.call("conversations.info", params={"channel": channel_id})
        channel = info.get("channel") if isinstance(info.get("channel"), Mapping) else {}
        assert isinstance(channel, Mapping)
        if channel.get("is_member"):
            return True
        if channel.get("is_private"):
            return False
        await self._api.call("conversations.join", channel=channel_id)
        return True

    async def _show(self, view_id: str, view: dict[str, Any]) -> None:
        try:
            await self._api.call("views.update", view_id=view_id, view=view)
        except ChatError as exc:
            # The admin closed the modal meanwhile; nothing is left to show.
            logger.info("could not update the link modal: %s", exc)


def _view_and_user(body: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    view = body.get("view") if isinstance(body.get("view"), Mapping) else {}
    user = body.get("user") if isinstance(body.get("user"), Mapping) else {}
    assert isinstance(view, Mapping) and isinstance(user, Mapping)
    return view, str(user.get("id") or "")


def _state(view: Mapping[str, Any]) -> Mapping[str, Any]:
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    return values if isinstance(values, Mapping) else {}


def _update(view: dict[str, Any]) -> dict[str, Any]:
    return {"response_action": "update", "view": view}


async def _nothing() -> None:
    """Nothing more to do once a view shows."""
