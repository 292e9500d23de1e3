"""Slack users as the adapter needs them: display name, locale, admin or owner.

``users.info`` (with ``include_locale``) is asked once per user and cached for a few
minutes, so a busy channel costs one lookup per person, not per message. Admin
checks for linking ask afresh (``fresh=True``): a demoted admin must not link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from osoto_bridge.chat.base import ChatError
from osoto_bridge.chat.slack.webapi import SlackWebApi

__all__ = ["SlackUser", "UserDirectory", "user_from_info"]

logger = logging.getLogger(__name__)

DEFAULT_TTL = 300.0


@dataclass(frozen=True)
class SlackUser:
    """A workspace member, as far as the bridge cares."""

    id: str
    name: str
    locale: str | None = None
    is_admin: bool = False
    is_bot: bool = False


def user_from_info(data: Mapping[str, Any]) -> SlackUser:
    """Read a ``users.info`` user object: the name people see, locale, admin rights."""
    profile = data.get("profile") if isinstance(data.get("profile"), Mapping) else {}
    assert isinstance(profile, Mapping)
    name = next(
        (
            str(value).strip()
            for value in (
                profile.get("display_name"),
                profile.get("real_name"),
                data.get("real_name"),
                data.get("name"),
            )
            if isinstance(value, str) and value.strip()
        ),
        str(data.get("id", "someone")),
    )
    locale = data.get("locale")
    return SlackUser(
        id=str(data.get("id", "")),
        name=name,
        locale=locale if isinstance(locale, str) and locale else None,
        is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
        is_bot=bool(data.get("is_bot")),
    )


class UserDirectory:
    """Looks users up through ``users.info``, with a short cache.

    Args:
        api: The Web API.
        clock: Monotonic time, for the cache.
        ttl: Seconds a lookup stays fresh.
    """

    def __init__(
        self, api: SlackWebApi, *, clock: Callable[[], float], ttl: float = DEFAULT_TTL
    ) -> None:
        self._api = api
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[str, tuple[float, SlackUser]] = {}

    async def get(self, user_id: str, *, fresh: bool = False) -> SlackUser:
        """The user, or a stand-in named by the id when Slack cannot say (never an admin)."""
        cached = self._cache.get(user_id)
        if cached is not None and not fresh and self._clock() - cached[0] < self._ttl:
            return cached[1]
        try:
            data = await self._api.call(
                "users.info", params={"user": user_id, "include_locale": "true"}
            )
        except ChatError as exc:
            logger.warning("users.info for %s failed: %s", user_id, exc)
            return cached[1] if cached is not None and not fresh else SlackUser(user_id, user_id)
        user_data = data.get("user")
        user = (
            user_from_info(user_data)
            if isinstance(user_data, Mapping)
            else SlackUser(user_id, user_id)
        )
        self._cache[user_id] = (self._clock(), user)
        return user

    async def names(self, user_ids: set[str]) -> dict[str, str]:
        """Display names of several users, by id."""
        return {user_id: (await self.get(user_id)).name for user_id in sorted(user_ids)}
