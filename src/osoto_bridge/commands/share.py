"""What `/share` hands the group: the addresses of the trip's page and calendar.

The commands know no web server: whoever runs them passes a `ShareUrl` that turns a
share token into the page's and the feed's addresses (the bridge's web app builds
them under its public URL). Without one, `/share` says what the operator must set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from osoto_bridge.osoto import ShareToken

__all__ = ["PUBLIC_URL_SETTING", "ShareLinks", "ShareUrl"]

PUBLIC_URL_SETTING = "OSOTO_BRIDGE_PUBLIC_URL"
"""The setting that gives the bridge the address people reach it at."""


@dataclass(frozen=True)
class ShareLinks:
    """The addresses of one shared trip.

    Attributes:
        page: The trip's read-only page.
        feed: Its iCalendar feed (http or https, for the chat), if there is one.
    """

    page: str
    feed: str | None = None


ShareUrl = Callable[[ShareToken], ShareLinks]
"""Builds a shared trip's addresses from its token."""
