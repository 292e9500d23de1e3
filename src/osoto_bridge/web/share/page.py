"""The share page and its message pages, rendered with Jinja2 (autoescaped).

The style sheet is inlined and allowed by its hash (`STYLE_HASH`, for the page's
Content-Security-Policy), so the page makes no request at all beyond itself: no
fonts, scripts or map tiles, nothing a captive hotel Wi-Fi could block and nothing
a third party could log.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from osoto_bridge.i18n import SUPPORTED_LANGUAGES, Translator
from osoto_bridge.web.share.plan import SharePlan

__all__ = ["STYLE_HASH", "PageLinks", "render_message", "render_page"]

# Markup: the style sheet is ours and goes in as written (escaping its quotes would
# change both the rules and the hash the CSP allows).
_CSS = Markup(
    (files("osoto_bridge.web.share") / "templates" / "share.css").read_text("utf-8").strip()
)

STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(str(_CSS).encode()).digest()).decode()
"""The CSP source that allows the inline style sheet and nothing else."""

_ENV = Environment(
    loader=PackageLoader("osoto_bridge.web.share", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class PageLinks:
    """Where the page's links go.

    Attributes:
        feed: The calendar feed (relative or absolute http/https).
        webcal: The feed as a `webcal://` address (calendar apps subscribe to it).
        other_language: The page in the other language.
    """

    feed: str
    webcal: str
    other_language: str


def other_language(language: str) -> str:
    """The language the page's switch offers."""
    return next(lang for lang in SUPPORTED_LANGUAGES if lang != language)


def _labels(tr: Translator) -> dict[str, str]:
    return {
        "switch": tr.language_name(other_language(tr.language)),
        "add_to_calendar": tr.gettext("Add to calendar"),
        "download": tr.gettext("Download .ics"),
        "local_times": tr.gettext("Times are local to each place."),
        "itinerary": tr.gettext("Itinerary"),
        "today": tr.gettext("Today"),
        "nothing_planned": tr.gettext("Nothing is planned for this day yet."),
        "stays": tr.gettext("Legs and stays"),
        "places": tr.gettext("Places"),
        "todo": tr.gettext("To do"),
        "members": tr.gettext("Travellers"),
        "footer": tr.gettext(
            "A read-only view of the trip, shared from Osoto: without door codes, Wi-Fi "
            "passwords, phone numbers or booking numbers."
        ),
    }


def render_page(plan: SharePlan, tr: Translator, links: PageLinks) -> str:
    """The trip's page.

    Args:
        plan: What to show (see `share_plan`).
        tr: The page's language.
        links: Where the calendar and language links go.

    Returns:
        The HTML document.
    """
    return _ENV.get_template("page.html").render(
        plan=plan,
        labels=_labels(tr),
        links=links,
        other_language=other_language(tr.language),
        css=_CSS,
    )


@dataclass(frozen=True)
class _Switch:
    href: str
    language: str
    label: str


def render_message(tr: Translator, title: str, text: str, *, switch_href: str = "") -> str:
    """A short page that says one thing (the link was turned off, Osoto is away).

    Args:
        tr: The page's language.
        title: Its heading.
        text: What to do about it.
        switch_href: The same page in the other language, if it has one.

    Returns:
        The HTML document.
    """
    other = other_language(tr.language)
    switch = _Switch(switch_href, other, tr.language_name(other)) if switch_href else None
    return _ENV.get_template("message.html").render(
        language=tr.language, title=title, text=text, switch=switch, css=_CSS
    )
