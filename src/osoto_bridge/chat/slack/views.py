"""The link modal's views, as pure functions of what they show.

Step one asks for the key (and, rarely, the trip); while Osoto checks it the modal
says so; step two offers the trip's channels. Every text an admin or Osoto supplied
(trip titles, channel names, error reasons) goes into ``plain_text`` objects, which
Slack shows verbatim: nothing in them is markup or a mention. The key is never put
into a view: ``private_metadata`` holds only the flow's random token.
"""

from __future__ import annotations

from typing import Any

from osoto_bridge.chat.slack.texts import say
from osoto_bridge.osoto.key_inspection import KeyReport

__all__ = [
    "CHANNEL_BLOCK",
    "CHANNEL_VIEW",
    "KEY_BLOCK",
    "KEY_VIEW",
    "TRIP_BLOCK",
    "channel_view",
    "key_view",
    "message_view",
]

KEY_VIEW = "osoto_link_key"
CHANNEL_VIEW = "osoto_link_channel"
KEY_BLOCK = "key"
TRIP_BLOCK = "trip"
CHANNEL_BLOCK = "channel"
_MAX_PLAIN = 3000
_MAX_OPTION = 75
_MAX_OPTIONS = 100


def _plain(text: str, limit: int = _MAX_PLAIN) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit] or " ", "emoji": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _plain(text)}


def _modal(
    language: str,
    *,
    callback_id: str,
    token: str,
    blocks: list[dict[str, Any]],
    submit: str | None,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": token,
        "title": _plain(say(language, "modal_title"), 24),
        "close": _plain(say(language, "modal_cancel" if submit else "modal_close"), 24),
        "blocks": blocks,
    }
    if submit is not None:
        view["submit"] = _plain(say(language, submit), 24)
    return view


def key_view(language: str, *, token: str, error: str | None = None) -> dict[str, Any]:
    """Step one: the key (and an optional trip id), with the last refusal if any."""
    blocks: list[dict[str, Any]] = []
    if error is not None:
        blocks.append(_section(say(language, "key_refused", reason=error)))
    blocks += [
        _section(say(language, "modal_intro")),
        {
            "type": "input",
            "block_id": KEY_BLOCK,
            "label": _plain(say(language, "key_label")),
            "hint": _plain(say(language, "key_hint")),
            "element": {
                "type": "plain_text_input",
                "action_id": KEY_BLOCK,
                "placeholder": _plain("osk_…"),
                "min_length": 8,
                "max_length": 512,
            },
        },
        {
            "type": "input",
            "block_id": TRIP_BLOCK,
            "optional": True,
            "label": _plain(say(language, "trip_label")),
            "hint": _plain(say(language, "trip_hint")),
            "element": {"type": "plain_text_input", "action_id": TRIP_BLOCK, "max_length": 128},
        },
    ]
    return _modal(language, callback_id=KEY_VIEW, token=token, blocks=blocks, submit="modal_check")


def channel_view(language: str, *, token: str, report: KeyReport) -> dict[str, Any]:
    """Step two: the trip the key reaches and a choice among its channels."""
    options = [
        {"text": _plain(f"#{channel.name}", _MAX_OPTION), "value": channel.id}
        for channel in report.channels[:_MAX_OPTIONS]
    ]
    initial = next((o for o in options if o["value"] == report.channel.id), None)
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": CHANNEL_BLOCK,
        "options": options,
    }
    if initial is not None:
        select["initial_option"] = initial
    blocks: list[dict[str, Any]] = [
        _section(say(language, "trip_line", trip=report.trip_title)),
        {
            "type": "input",
            "block_id": CHANNEL_BLOCK,
            "label": _plain(say(language, "channel_label")),
            "element": select,
        },
    ]
    if report.warnings:
        blocks.append(
            {
                "type": "context",
                "elements": [_plain("⚠️ " + warning) for warning in report.warnings[:10]],
            }
        )
    return _modal(
        language, callback_id=CHANNEL_VIEW, token=token, blocks=blocks, submit="modal_link"
    )


def message_view(language: str, text: str, *, token: str = "") -> dict[str, Any]:
    """A modal that only says something (checking…, done, expired, failed)."""
    return _modal(
        language, callback_id="osoto_link_info", token=token, blocks=[_section(text)], submit=None
    )
