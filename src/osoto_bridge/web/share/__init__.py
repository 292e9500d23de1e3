"""The shared trip's face: a page people open on a phone, and a calendar feed.

`ShareSource` reads Osoto's share export (token only, no key; briefly cached),
`share_plan` prepares what the page shows, `render_page` and `build_feed` write the
HTML and the `.ics`, and `share_routes` serves both under `/share/{token}`.
`ShareAddresses.links` is the `ShareUrl` the `/share` command is given.
"""

from osoto_bridge.web.share.feed import PRODID, build_feed
from osoto_bridge.web.share.page import STYLE_HASH, PageLinks, render_message, render_page
from osoto_bridge.web.share.plan import DayPlan, Group, LegPlan, SharePlan, share_plan
from osoto_bridge.web.share.routes import (
    FEED_PATH,
    PAGE_PATH,
    ShareAddresses,
    pick_language,
    share_headers,
    share_routes,
)
from osoto_bridge.web.share.source import TOKEN_PATTERN, ShareSource, valid_token

__all__ = [
    "FEED_PATH",
    "PAGE_PATH",
    "PRODID",
    "STYLE_HASH",
    "TOKEN_PATTERN",
    "DayPlan",
    "Group",
    "LegPlan",
    "PageLinks",
    "ShareAddresses",
    "SharePlan",
    "ShareSource",
    "build_feed",
    "pick_language",
    "render_message",
    "render_page",
    "share_headers",
    "share_plan",
    "share_routes",
    "valid_token",
]
