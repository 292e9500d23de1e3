"""`/todo`, `/todo add` and `/done`: the trip's checklist in the chat."""

from __future__ import annotations

from collections.abc import Sequence

from osoto_bridge.commands.render import SpanLike, rich, urgency_label
from osoto_bridge.commands.todo_args import URGENCIES, ItemMatch, numbered_open_items
from osoto_bridge.commands.view import TripView
from osoto_bridge.i18n import Translator
from osoto_bridge.osoto import ActionItem
from osoto_bridge.text import Block, Button, Document, bold, bullet_list, doc, heading, paragraph

__all__ = [
    "DONE_ACTION",
    "MAX_BUTTONS",
    "answer_done",
    "answer_done_lookup",
    "answer_todo",
    "answer_todo_added",
    "done_button",
]

DONE_ACTION = "todo_done"
"""The `action_id` of the buttons that mark an item done; the value is the item id."""

MAX_BUTTONS = 20
"""Buttons shown at most; items beyond them are marked done with `/done N`."""

_BUTTONS_PER_ROW = 5
# Telegram's callback_data holds 64 bytes in all; the adapter packs the action id
# beside the value, so the value keeps well under that.
_MAX_VALUE_BYTES = 48


def done_button(number: int, item: ActionItem) -> Button | None:
    """The "mark done" button of an item, or None when its id is too long to carry."""
    if len(item.id.encode()) > _MAX_VALUE_BYTES:
        return None
    return Button(f"✓ {number}", DONE_ACTION, item.id)


def _item_spans(view: TripView, number: int, item: ActionItem) -> list[SpanLike]:
    spans: list[SpanLike] = [f"{number}. ", item.text]
    owner = view.members.get(item.owner or "")
    if owner is not None:
        spans += [" · ", bold(owner.name)]
    return spans


def _rows(buttons: Sequence[Button]) -> list[list[Button]]:
    return [
        list(buttons[i : i + _BUTTONS_PER_ROW]) for i in range(0, len(buttons), _BUTTONS_PER_ROW)
    ]


def answer_todo(view: TripView) -> Document:
    """Answer `/todo`: open items grouped by urgency, numbered, owners by name,
    with a done button per item.

    Args:
        view: The snapshot as the chat may see it.

    Returns:
        The answer.
    """
    tr = view.tr
    items = numbered_open_items(view.export)
    done_count = sum(1 for item in view.export.action_items if item.done)
    if not items:
        message = tr.gettext("Nothing left to do. 🎉")
        if done_count:
            message += " " + tr.ngettext("{n} item is done.", "{n} items are done.", done_count)
        return doc(heading(tr.gettext("To do")), paragraph(message))
    blocks: list[Block] = [
        heading(tr.ngettext("To do: {n} open item", "To do: {n} open items", len(items)))
    ]
    numbered = list(enumerate(items, start=1))
    groups = [*URGENCIES, None]
    for urgency in groups:
        members = [
            (n, item)
            for n, item in numbered
            if (item.urgency == urgency if urgency else item.urgency not in URGENCIES)
        ]
        if not members:
            continue
        blocks.append(paragraph(bold(urgency_label(tr, urgency or ""))))
        blocks.append(bullet_list(*(_item_spans(view, n, item) for n, item in members)))
    blocks.append(
        paragraph(tr.gettext("Mark one done with its button, /done NUMBER or /done WORD."))
    )
    buttons = [b for n, item in numbered[:MAX_BUTTONS] if (b := done_button(n, item))]
    return doc(*blocks, buttons=_rows(buttons))


def answer_todo_added(tr: Translator, item: ActionItem) -> Document:
    """Confirm `/todo add`."""
    return doc(
        paragraph(
            "✅ ",
            *rich(
                tr.gettext("Added to the list ({urgency}): {text}"),
                urgency=urgency_label(tr, item.urgency),
                text=bold(item.text),
            ),
        )
    )


def answer_done(tr: Translator, item: ActionItem) -> Document:
    """Confirm that an item was marked done."""
    return doc(paragraph("☑️ ", *rich(tr.gettext("Done: {text}"), text=bold(item.text))))


def answer_done_lookup(view: TripView, query: str, match: ItemMatch) -> Document:
    """Explain a `/done` that did not point at exactly one open item.

    Args:
        view: The snapshot the numbers come from.
        query: What followed `/done`.
        match: What `find_item` found.

    Returns:
        The candidates with buttons, "already done", or "not found" with the usage.
    """
    tr = view.tr
    if match.candidates:
        buttons = [b for n, item in match.candidates[:MAX_BUTTONS] if (b := done_button(n, item))]
        return doc(
            paragraph(tr.gettext("Several items match “{text}”. Which one?", text=query)),
            bullet_list(*(_item_spans(view, n, item) for n, item in match.candidates)),
            buttons=_rows(buttons),
        )
    if match.already_done is not None:
        return doc(
            paragraph(
                *rich(tr.gettext("Already done: {text}"), text=bold(match.already_done.text))
            ),
        )
    if not query.strip():
        return doc(
            paragraph(tr.gettext("Which item? Use /done 2 or /done ferry; /todo lists them."))
        )
    return doc(
        paragraph(tr.gettext("No open item matches “{text}”. /todo lists them.", text=query))
    )
