"""Rendering a document into parts within each platform's message limit.

The parts come from :func:`~osoto_bridge.text.split.split_document` already in
canonical form, so the size checks render their blocks without normalising again.
"""

from __future__ import annotations

from osoto_bridge.text.limits import (
    OSOTO_MAX_CONTENT,
    SLACK_MAX_TEXT,
    TELEGRAM_MAX_MARKUP,
    TELEGRAM_MAX_TEXT,
    utf16_len,
)
from osoto_bridge.text.model import Document
from osoto_bridge.text.osoto_render import render_blocks as render_osoto_blocks
from osoto_bridge.text.osoto_render import render_osoto
from osoto_bridge.text.plain import render_plain
from osoto_bridge.text.slack_render import render_blocks as render_slack_blocks
from osoto_bridge.text.slack_render import render_slack_mrkdwn
from osoto_bridge.text.split import CONTINUATION, split_document
from osoto_bridge.text.telegram_render import measure_blocks, render_telegram_html


def split_telegram(
    document: Document,
    *,
    limit: int = TELEGRAM_MAX_TEXT,
    markup_limit: int = TELEGRAM_MAX_MARKUP,
    marker: str = CONTINUATION,
) -> list[Document]:
    """Split a document into parts that Telegram accepts, as documents.

    A part fits when its visible text is at most ``limit`` UTF-16 code units (what
    Telegram counts) and its HTML at most ``markup_limit`` characters.
    """

    def fits(part: Document) -> bool:
        markup, visible = measure_blocks(part.blocks)
        return visible <= limit and len(markup) <= markup_limit

    return split_document(document, fits, marker=marker)


def render_telegram_html_parts(
    document: Document,
    limit: int = TELEGRAM_MAX_TEXT,
    *,
    markup_limit: int = TELEGRAM_MAX_MARKUP,
    marker: str = CONTINUATION,
) -> list[str]:
    """Render a document as Telegram HTML messages, each within Telegram's limit."""
    parts = split_telegram(document, limit=limit, markup_limit=markup_limit, marker=marker)
    return [render_telegram_html(part) for part in parts]


def split_slack(
    document: Document, *, limit: int = SLACK_MAX_TEXT, marker: str = CONTINUATION
) -> list[Document]:
    """Split a document into parts whose mrkdwn is at most ``limit`` UTF-16 units."""

    def fits(part: Document) -> bool:
        return utf16_len(render_slack_blocks(part.blocks)) <= limit

    return split_document(document, fits, marker=marker)


def render_slack_parts(
    document: Document, limit: int = SLACK_MAX_TEXT, *, marker: str = CONTINUATION
) -> list[str]:
    """Render a document as Slack mrkdwn messages, each within ``limit``."""
    return [render_slack_mrkdwn(part) for part in split_slack(document, limit=limit, marker=marker)]


def render_osoto_parts(
    document: Document, limit: int = OSOTO_MAX_CONTENT, *, marker: str = CONTINUATION
) -> list[str]:
    """Render a document as Osoto message contents, each within ``limit`` characters."""

    def fits(part: Document) -> bool:
        return len(render_osoto_blocks(part.blocks)) <= limit

    return [render_osoto(part) for part in split_document(document, fits, marker=marker)]


def render_plain_parts(
    document: Document, limit: int = OSOTO_MAX_CONTENT, *, marker: str = CONTINUATION
) -> list[str]:
    """Render a document as plain-text messages, each within ``limit`` characters."""

    def fits(part: Document) -> bool:
        return len(render_plain(part)) <= limit

    return [render_plain(part) for part in split_document(document, fits, marker=marker)]
