"""Answers about the bot and the link rather than the trip: `/lang`, `/status`,
`/share`, refusals and errors."""

from __future__ import annotations

import datetime as dt

from osoto_bridge.commands.context import WRITE_SCOPE, LinkStatus, has_scope
from osoto_bridge.commands.render import SpanLike, rich
from osoto_bridge.commands.share import PUBLIC_URL_SETTING, ShareLinks
from osoto_bridge.i18n import SUPPORTED_LANGUAGES, Translator
from osoto_bridge.osoto import (
    ApiError,
    Forbidden,
    NotFound,
    OsotoError,
    RateLimited,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)
from osoto_bridge.text import (
    Block,
    Document,
    bold,
    bullet_list,
    code,
    doc,
    heading,
    link,
    paragraph,
)

__all__ = [
    "READ_SCOPE",
    "RELAY_SCOPES",
    "answer_error",
    "answer_lang_set",
    "answer_lang_usage",
    "answer_missing_scope",
    "answer_not_admin",
    "answer_share_link",
    "answer_share_revoked",
    "answer_share_unconfigured",
    "answer_status",
    "answer_unknown_command",
    "answer_usage",
]

READ_SCOPE = "trips:read"
"""The scope every answer from the snapshot needs (or its trip-limited form)."""

RELAY_SCOPES: tuple[str, ...] = (READ_SCOPE, "messages:read", "messages:write")
"""The scopes a link needs to relay messages and answer questions."""


def answer_lang_set(tr: Translator) -> Document:
    """Confirm `/lang`, in the new language."""
    return doc(
        paragraph("🌐 ", tr.gettext("Language set to {name}.", name=tr.language_name(tr.language)))
    )


def answer_lang_usage(tr: Translator) -> Document:
    """Explain `/lang` after a missing or unknown language."""
    options = ", ".join(f"{code} ({tr.language_name(code)})" for code in SUPPORTED_LANGUAGES)
    return doc(
        paragraph(
            tr.gettext(
                "This chat speaks {name}. Choose one of: {options}.",
                name=tr.language_name(tr.language),
                options=options,
            )
        ),
        paragraph(code("/lang ko"), " · ", code("/lang en")),
    )


def answer_usage(tr: Translator, usage: str) -> Document:
    """Show how a command is called, after wrong arguments."""
    return doc(paragraph(*rich(tr.gettext("Usage: {usage}"), usage=code(usage))))


def answer_unknown_command(tr: Translator, name: str) -> Document:
    """Answer a command we do not have."""
    return doc(
        paragraph(tr.gettext("Unknown command {command}. /help lists them all.", command=name))
    )


def answer_not_admin(tr: Translator) -> Document:
    """Refuse `/share` to someone who is not a chat admin."""
    return doc(paragraph(tr.gettext("Sorry, only a chat admin can manage the share link.")))


def answer_missing_scope(tr: Translator, trip_id: str, scope: str = WRITE_SCOPE) -> Document:
    """Say which scope the link's key lacks, and how to get it.

    Args:
        tr: The chat's language.
        trip_id: The linked trip (for the trip-limited form of the scope).
        scope: `trips:write` for changes, `trips:read` for answers.

    Returns:
        The explanation.
    """
    if scope == WRITE_SCOPE:
        template = tr.gettext(
            "To change the trip from the chat, the link's API key needs the scope "
            "{scope} (or {limited} for this trip only)."
        )
    else:
        template = tr.gettext(
            "To answer questions about the trip, the link's API key needs the scope "
            "{scope} (or {limited} for this trip only)."
        )
    return doc(
        paragraph(
            "🔒 ",
            *rich(template, scope=code(scope), limited=code(f"{scope}:{trip_id}")),
        ),
        paragraph(
            tr.gettext(
                "An admin can create a key with it in Osoto under Settings → API keys "
                "and link this chat again."
            )
        ),
    )


def answer_share_link(tr: Translator, links: ShareLinks) -> Document:
    """Show a freshly created share link: the trip's page and its calendar feed."""
    blocks = [
        paragraph(
            "🔗 ",
            *rich(
                tr.gettext(
                    "The trip's page, read-only and without door codes or other secrets: {url}"
                ),
                url=link(links.page),
            ),
        )
    ]
    if links.feed is not None:
        blocks.append(
            paragraph(
                "📅 ",
                *rich(
                    tr.gettext("Subscribe in your calendar app to keep the plan up to date: {url}"),
                    url=link(links.feed),
                ),
            )
        )
    blocks.append(
        paragraph(tr.gettext("Anyone with the link can read the trip. /share off revokes it."))
    )
    return doc(*blocks)


def answer_share_unconfigured(tr: Translator) -> Document:
    """`/share` on a bridge without a public address: what the operator must set."""
    return doc(
        paragraph(
            "🔗 ",
            *rich(
                tr.gettext(
                    "This bridge has no public address yet, so it cannot show the trip's "
                    "page. Its operator must set {setting} to the address people reach "
                    "the bridge at (e.g. {example})."
                ),
                setting=code(PUBLIC_URL_SETTING),
                example=code("https://bridge.example.org"),
            ),
        )
    )


def answer_share_revoked(tr: Translator) -> Document:
    """Confirm `/share off`."""
    return doc(
        paragraph(
            "🔗 ",
            tr.gettext(
                "The share link is revoked; the trip's page and calendar feed no longer work."
            ),
        )
    )


def _request_id(exc: OsotoError) -> str | None:
    if isinstance(exc, ApiError | UnexpectedResponse):
        return exc.request_id
    return None


def answer_error(tr: Translator, exc: OsotoError, trip_id: str) -> Document:
    """A short apology for a failed Osoto call, with the request id when there is one.

    Args:
        tr: The chat's language.
        exc: What the client raised.
        trip_id: The linked trip (to name the scope it needs).

    Returns:
        The apology; never a traceback.
    """
    if isinstance(exc, Forbidden):
        # A 403 has many causes (a missing scope, a viewer's change, not a member):
        # Osoto's own words name the one that applies; a guess here was often wrong.
        message = tr.gettext(
            "Osoto refused ({code}): {message}",
            code=exc.code or "FORBIDDEN",
            message=exc.message,
        )
    elif isinstance(exc, Unauthorized):
        message = tr.gettext(
            "Osoto no longer accepts the link's API key. An admin needs to link this chat "
            "again with a valid key."
        )
    elif isinstance(exc, NotFound):
        message = tr.gettext("Osoto can't find that any more; it may have been deleted.")
    elif isinstance(exc, RateLimited):
        message = tr.gettext("Osoto is busy right now. Please try again in a minute.")
    elif isinstance(exc, TransportError):
        message = tr.gettext("Sorry, I couldn't reach Osoto. Please try again in a minute.")
    else:
        message = tr.gettext("Sorry, Osoto couldn't answer that. Please try again later.")
    blocks: list[Block] = [paragraph("⚠️ ", message)]
    request_id = _request_id(exc)
    if request_id:
        blocks.append(paragraph(*rich(tr.gettext("Request id: {id}"), id=code(request_id))))
    return doc(*blocks)


def _ago(tr: Translator, when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return tr.gettext("never")
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return tr.ago(when - now)


def answer_status(
    tr: Translator, status: LinkStatus | None, *, trip_id: str, now: dt.datetime
) -> Document:
    """Answer `/status`: trip, channel, key, scopes and the relay's last activity.

    Args:
        tr: The chat's language.
        status: What the caller knows of the link (None when it knows nothing).
        trip_id: The linked trip.
        now: The current instant.

    Returns:
        The answer, with warnings for missing scopes and a waiting outbox.
    """
    if status is None:
        return doc(paragraph(tr.gettext("No link status is available for this chat.")))
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    scopes = ", ".join(status.scopes) or tr.gettext("none")
    items: list[list[SpanLike]] = [
        rich(tr.gettext("Trip: {title}"), title=bold(status.trip_title)),
        rich(tr.gettext("Osoto channel: {name}"), name=bold(f"#{status.channel_name}")),
        rich(tr.gettext("API key: {fingerprint}"), fingerprint=code(status.key_fingerprint)),
        rich(tr.gettext("Scopes: {scopes}"), scopes=scopes),
        rich(
            tr.gettext("Last message from Osoto: {when}"), when=_ago(tr, status.last_inbound, now)
        ),
        rich(tr.gettext("Last message to Osoto: {when}"), when=_ago(tr, status.last_outbound, now)),
        [
            tr.ngettext(
                "{n} message waiting to go to Osoto",
                "{n} messages waiting to go to Osoto",
                status.outbox_depth,
            )
        ],
    ]
    blocks: list[Block] = [heading(tr.gettext("Link status")), bullet_list(*items)]
    missing = [s for s in RELAY_SCOPES if not has_scope(status.scopes, s, trip_id)]
    if missing:
        blocks.append(
            paragraph(
                "⚠️ ",
                tr.gettext("Missing scopes for relaying: {scopes}.", scopes=", ".join(missing)),
            )
        )
    if not has_scope(status.scopes, WRITE_SCOPE, trip_id):
        blocks.append(
            paragraph(
                tr.gettext(
                    "Without {scope}, /todo add, /done and /share can't change the trip.",
                    scope=WRITE_SCOPE,
                )
            )
        )
    return doc(*blocks)
