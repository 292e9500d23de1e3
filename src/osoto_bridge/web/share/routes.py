"""The share page's HTTP side: `/share/{token}` (the page) and its calendar feed.

```
GET /share/{token}                the trip's page (HTML; ?lang=en|ko, else Accept-Language)
GET /share/{token}/calendar.ics   the trip as an iCalendar feed (?lang= for its titles)
```

Every answer is private to whoever holds the link: `Referrer-Policy: no-referrer`
(the token never leaves in a Referer header when a map link is followed),
`X-Robots-Tag: noindex`, and a Content-Security-Policy that allows nothing but the
page's own inline style sheet (by hash) and data: images. A path whose token does
not look like a share token is answered without asking Osoto; a token Osoto does
not know (never made, or turned off with `/share off`) gets a friendly 404 page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from osoto_bridge.commands import ShareLinks
from osoto_bridge.i18n import DEFAULT_LANGUAGE, Translator, match_language, translator
from osoto_bridge.osoto import OsotoError, ShareToken, TripExport
from osoto_bridge.web.share.feed import build_feed
from osoto_bridge.web.share.page import (
    STYLE_HASH,
    PageLinks,
    other_language,
    render_message,
    render_page,
)
from osoto_bridge.web.share.plan import share_plan
from osoto_bridge.web.share.source import ShareSource, valid_token

__all__ = [
    "FEED_PATH",
    "PAGE_PATH",
    "ShareAddresses",
    "pick_language",
    "share_headers",
    "share_routes",
]

logger = logging.getLogger(__name__)

PAGE_PATH = "/share/{token}"
FEED_PATH = "/share/{token}/calendar.ics"

_CSP = (
    "default-src 'none'; "
    f"style-src '{STYLE_HASH}'; "
    "img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def share_headers() -> dict[str, str]:
    """The headers of every answer under `/share/`."""
    return {
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "Content-Security-Policy": _CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=60",
        "Vary": "Accept-Language",
    }


class ShareAddresses:
    """The addresses of a shared trip under the bridge's public URL.

    Args:
        public_url: Where people reach the bridge (`https://bridge.example.org`).
    """

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")

    def page(self, token: str) -> str:
        """The trip's page."""
        return self.public_url + PAGE_PATH.format(token=quote(token, safe=""))

    def feed(self, token: str) -> str:
        """The calendar feed over http(s)."""
        return self.public_url + FEED_PATH.format(token=quote(token, safe=""))

    def links(self, token: ShareToken) -> ShareLinks:
        """The page's and the feed's addresses: the `ShareUrl` of `CommandService`."""
        return ShareLinks(page=self.page(token.token), feed=self.feed(token.token))


def webcal(url: str) -> str:
    """An http(s) feed address as `webcal://`, the scheme calendar apps subscribe to."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url


def pick_language(asked: str | None, accept_language: str | None) -> str:
    """The page's language: `?lang=`, else the best of `Accept-Language`, else English.

    Args:
        asked: The `lang` query parameter.
        accept_language: The request's `Accept-Language` header.

    Returns:
        A supported language.
    """
    chosen = match_language(asked)
    if chosen is not None:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = match_language(tag.strip())
        if language is not None and quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def _language_of(request: Request) -> Translator:
    asked = request.query_params.get("lang")
    return translator(pick_language(asked, request.headers.get("accept-language")))


def _switch(language: str) -> str:
    # Relative to the page itself: the link never names a host or a path it could
    # be steered to, whatever the request carried.
    return f"?lang={other_language(language)}"


def share_routes(
    source: ShareSource,
    *,
    public_url: str | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> list[Route]:
    """The routes of the share page and feed, to mount in the bridge's web app.

    Args:
        source: Where the shared trips come from.
        public_url: The bridge's public address, for the `webcal://` link (the
            request's own address without it).
        now: The current instant (aware), to mark today and stamp the feed.
    """
    addresses = ShareAddresses(public_url) if public_url else None

    def message(tr: Translator, status: int, title: str, text: str) -> Response:
        body = render_message(tr, title, text, switch_href=_switch(tr.language))
        return HTMLResponse(body, status_code=status, headers=share_headers())

    def gone(tr: Translator) -> Response:
        return message(
            tr,
            404,
            tr.gettext("This link was turned off"),
            tr.gettext(
                "The trip's share link was turned off, or it never existed. Ask the group "
                "for a new one: an admin of the chat can post it with /share."
            ),
        )

    def away(tr: Translator) -> Response:
        response = message(
            tr,
            503,
            tr.gettext("The trip can't be shown right now"),
            tr.gettext("Osoto, where the trip lives, did not answer. Try again in a minute."),
        )
        response.headers["Retry-After"] = "60"
        return response

    async def load(request: Request) -> tuple[Translator, str, Response | TripExport]:
        tr = _language_of(request)
        token = str(request.path_params["token"])
        if not valid_token(token):
            return tr, token, gone(tr)
        try:
            export = await source.export(token)
        except OsotoError as exc:
            logger.warning("share page: Osoto did not give the shared trip: %s", type(exc).__name__)
            return tr, token, away(tr)
        if export is None:
            return tr, token, gone(tr)
        return tr, token, export

    async def page(request: Request) -> Response:
        tr, token, loaded = await load(request)
        if isinstance(loaded, Response):
            return loaded
        if addresses is not None:
            feed_url = addresses.feed(token)
        else:
            feed_url = str(request.url_for("share_feed", token=token))
        links = PageLinks(
            # Relative to /share/{token}: right behind any path prefix of a proxy.
            feed=f"{quote(token, safe='')}/calendar.ics",
            webcal=webcal(feed_url),
            other_language=_switch(tr.language),
        )
        plan = share_plan(loaded, now=now(), language=tr.language)
        return HTMLResponse(render_page(plan, tr, links), headers=share_headers())

    async def feed(request: Request) -> Response:
        tr, _, loaded = await load(request)
        if isinstance(loaded, Response):
            return loaded
        body = build_feed(loaded, tr=tr, now=now())
        headers = {**share_headers(), "Content-Disposition": 'inline; filename="trip.ics"'}
        return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)

    async def unknown(request: Request) -> Response:
        # Anything else under /share/ (a token with a slash in it, a made-up path)
        return gone(_language_of(request))

    return [
        Route(FEED_PATH, feed, methods=["GET"], name="share_feed"),
        Route(PAGE_PATH, page, methods=["GET"], name="share_page"),
        Route("/share/{rest:path}", unknown, methods=["GET"], name="share_unknown"),
    ]
