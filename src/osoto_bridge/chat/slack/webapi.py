"""The Slack Web API as the adapter uses it: retries, pacing, and one error tree.

Every call to Slack goes through `SlackWebApi.call`, the one place where Slack's
answers are translated into the adapter's errors:

    ChatError                       (osoto_bridge.chat.base)
     ├── ChatGone                   the channel is gone for the bot: channel_not_found,
     │                              is_archived, not_in_channel … (the relay disables
     │                              the link)
     ├── ChatUnavailable            network errors and 5xx after retries, and the
     │                              token's own faults (invalid_auth …), which an
     │                              operator must fix and which must not disable links
     └── SlackRefused               any other error Slack answered, with its code
                                    (cant_delete_message, user_not_found …)

A 429 is never an error here: the call waits ``Retry-After`` seconds and tries again,
as often as Slack asks (DESIGN invariant 4). Time is injected, so tests never wait.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from osoto_bridge.chat.base import ChatError, ChatGone, ChatUnavailable
from osoto_bridge.chat.slack.pacing import ChannelPacer
from osoto_bridge.util import Backoff

__all__ = ["SlackRefused", "SlackWebApi", "translate"]

logger = logging.getLogger(__name__)

GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "channel_is_archived",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
    }
)
"""Errors meaning the channel will not take the bot's messages again."""

TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
    }
)
"""Errors of the token itself: the operator's to fix, never a reason to unlink."""

TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

DEFAULT_RETRY_AFTER = 1.0
MAX_ATTEMPTS = 5
MAX_BACKOFF = 30.0
_BACKOFF = Backoff(first=1.0, cap=MAX_BACKOFF)  # 1, 2, 4 … s


class SlackRefused(ChatError):
    """Slack refused a call for a reason of its own; ``code`` is Slack's error code."""

    def __init__(self, method: str, code: str) -> None:
        super().__init__(f"{method}: {code}")
        self.method = method
        self.code = code


def translate(method: str, status: int, code: str) -> ChatError:
    """Map a failed call onto the adapter's error tree (the only place it happens)."""
    if code in GONE_ERRORS:
        return ChatGone(f"{method}: {code}")
    if code in TOKEN_ERRORS:
        logger.error(
            "Slack refused the bot token on %s: %s (check the app's token and scopes)", method, code
        )
        return ChatUnavailable(f"{method}: {code}")
    if status >= 500 or code in TRANSIENT_ERRORS:
        return ChatUnavailable(f"{method}: {code or status}")
    return SlackRefused(method, code or f"http_{status}")


def _retry_after(headers: Mapping[str, Any] | None) -> float:
    if headers:
        for name, value in headers.items():
            if str(name).lower() == "retry-after":
                try:
                    return max(0.0, float(value))
                except (TypeError, ValueError):
                    break
    return DEFAULT_RETRY_AFTER


class _Failure(Exception):
    """One failed attempt: what it was, and whether trying again may help."""

    def __init__(self, status: int, code: str, headers: Mapping[str, Any] | None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers


class SlackWebApi:
    """Calls the Slack Web API with retries, pacing and error translation.

    Args:
        client: The SDK client (its base URL and session decide where calls go).
        session: The aiohttp session for response URLs.
        pacer: The per-channel posting pace.
        sleep: Waits a number of seconds (for 429s and backoff).
        max_attempts: Attempts at a call failing transiently (network, 5xx) before
            `ChatUnavailable`; 429s do not count.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        session: aiohttp.ClientSession,
        pacer: ChannelPacer,
        sleep: Callable[[float], Awaitable[object]],
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.client = client
        self._session = session
        self._pacer = pacer
        self._sleep = sleep
        self._max_attempts = max_attempts
        self.rate_limited = 0

    async def call(
        self, method: str, *, params: Mapping[str, Any] | None = None, **body: Any
    ) -> dict[str, Any]:
        """Call ``method``: ``params`` as a query (read methods) or ``body`` as JSON.

        Returns:
            Slack's answer (``ok`` is true).

        Raises:
            ChatGone, ChatUnavailable, SlackRefused: see the module docstring.
        """

        async def attempt() -> dict[str, Any]:
            try:
                if params is not None:
                    response = await self.client.api_call(
                        method, http_verb="GET", params=dict(params)
                    )
                else:
                    response = await self.client.api_call(method, json=body)
            except SlackApiError as exc:
                data = exc.response.data if isinstance(exc.response.data, dict) else {}
                raise _Failure(
                    exc.response.status_code, str(data.get("error", "")), exc.response.headers
                ) from exc
            answer = response.data
            return answer if isinstance(answer, dict) else {}

        return await self._with_retries(method, attempt)

    async def post(self, channel: str, **body: Any) -> dict[str, Any]:
        """``chat.postMessage`` into ``channel``, in the channel's turn and pace."""
        async with self._pacer.turn(channel):
            return await self.call("chat.postMessage", channel=channel, **body)

    async def respond(self, response_url: str, payload: Mapping[str, Any]) -> None:
        """Post to a slash command's or an action's ``response_url``."""
        webhook = AsyncWebhookClient(response_url, session=self._session, retry_handlers=[])

        async def attempt() -> dict[str, Any]:
            response = await webhook.send_dict(dict(payload))
            if response.status_code != 200:
                raise _Failure(response.status_code, response.body or "", response.headers)
            return {"ok": True}

        await self._with_retries("response_url", attempt)

    async def _with_retries(
        self, method: str, attempt: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        failures = 0
        while True:
            try:
                return await attempt()
            except _Failure as failure:
                if failure.status == 429 or failure.code == "ratelimited":
                    delay = _retry_after(failure.headers)
                    self.rate_limited += 1
                    logger.warning("Slack rate-limited %s; retrying in %.1fs", method, delay)
                    await self._sleep(delay)
                    continue
                error = translate(method, failure.status, failure.code)
                if not isinstance(error, ChatUnavailable) or failure.code in TOKEN_ERRORS:
                    raise error from failure
                cause: BaseException = failure
            except (aiohttp.ClientError, TimeoutError) as exc:
                error, cause = ChatUnavailable(f"{method}: {type(exc).__name__}"), exc
            failures += 1
            if failures >= self._max_attempts:
                raise error from cause
            delay = _BACKOFF.ceiling(failures)
            logger.warning(
                "Slack call %s failed (%s); attempt %d in %.1fs", method, error, failures + 1, delay
            )
            await self._sleep(delay)
