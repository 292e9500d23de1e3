"""From a neutral document to Slack posts: mrkdwn parts and Block Kit buttons.

Pure functions, so the shapes are tested without a network. The text renderer does
all escaping and mention neutralisation (``osoto_bridge.text``); this module only
cuts the document into posts and turns its button rows into ``actions`` blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from osoto_bridge.text import SLACK_MAX_TEXT, Button, Document, render_slack_parts

__all__ = [
    "ACTION_SEPARATOR",
    "SlackPost",
    "action_name",
    "button_blocks",
    "clean_username",
    "render_posts",
]

ACTION_SEPARATOR = "#"
"""Joins a button's action to its position: Slack wants the action ids of one
message unique, while every "done" button shares one action."""

MAX_BUTTONS_PER_BLOCK = 25
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_USERNAME = 80
BUTTON_BLOCK_PREFIX = "osoto_buttons_"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SlackPost:
    """One ``chat.postMessage``: its mrkdwn text and, for the last part, its blocks."""

    text: str
    blocks: tuple[dict[str, Any], ...] = ()


def render_posts(document: Document, *, limit: int = SLACK_MAX_TEXT) -> list[SlackPost]:
    """The posts that show ``document``: mrkdwn parts, buttons under the last one.

    Args:
        document: What to show.
        limit: The most characters of one part (a Block Kit section holds 3,000).

    Returns:
        At least one post when the document shows anything or has buttons.
    """
    parts = [] if document.is_empty() else render_slack_parts(document, limit)
    if not document.buttons:
        return [SlackPost(part) for part in parts]
    buttons = button_blocks(document.buttons)
    if not parts:
        return [SlackPost(" ", tuple(buttons))]
    last = parts[-1]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": last}}
    return [*(SlackPost(part) for part in parts[:-1]), SlackPost(last, (section, *buttons))]


def button_blocks(rows: tuple[tuple[Button, ...], ...]) -> list[dict[str, Any]]:
    """Block Kit ``actions`` blocks for button rows (labels are plain text: no markup)."""
    blocks: list[dict[str, Any]] = []
    position = 0
    for row_index, row in enumerate(rows):
        elements: list[dict[str, Any]] = []
        for button in row[:MAX_BUTTONS_PER_BLOCK]:
            elements.append(
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": button.label[:MAX_LABEL], "emoji": True},
                    "action_id": f"{button.action_id}{ACTION_SEPARATOR}{position}",
                    "value": button.value[:MAX_VALUE],
                }
            )
            position += 1
        if elements:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"{BUTTON_BLOCK_PREFIX}{row_index}",
                    "elements": elements,
                }
            )
    return blocks


def action_name(action_id: str) -> str:
    """The button's action from a Block Kit action id (``todo_done#3`` → ``todo_done``)."""
    return action_id.split(ACTION_SEPARATOR, 1)[0]


def clean_username(name: str) -> str:
    """A sender name Slack accepts: one line, at most 80 characters, never empty."""
    flat = _SPACES.sub(" ", name).strip()
    return flat[:MAX_USERNAME] or "someone"
