"""`/pins [category]` (map pins with map links) and `/who` (members and roles)."""

from __future__ import annotations

from osoto_bridge.commands.pin_categories import fold, same_category
from osoto_bridge.commands.render import SpanLike, pin_link, role_label
from osoto_bridge.commands.view import TripView
from osoto_bridge.osoto import MapPin
from osoto_bridge.text import Block, Document, bold, bullet_list, doc, heading, italic, paragraph

__all__ = ["answer_pins", "answer_who"]


def _pin_spans(pin: MapPin) -> list[SpanLike]:
    spans: list[SpanLike] = ["📍 ", pin_link(pin)]
    if pin.notes:
        spans += [" · ", italic(pin.notes)]
    return spans


def _select(pins: list[MapPin], wanted: str) -> list[MapPin]:
    # The category as written, or the same place in other words or languages
    # (food ↔ restaurant ↔ 맛집); a narrower category counts (a café is food).
    by_category = [
        p
        for p in pins
        if p.category and (fold(p.category) == wanted or same_category(wanted, p.category))
    ]
    if by_category or len(wanted) < 2:
        return by_category  # one letter is in every other word: no part-matching
    return [
        p for p in pins if (p.category and wanted in fold(p.category)) or wanted in fold(p.name)
    ]


def answer_pins(view: TripView, category: str = "") -> Document:
    """Answer `/pins [category]`: the trip's map pins, grouped by category.

    Args:
        view: The snapshot as the chat may see it.
        category: A category (or part of one, or of a pin's name) to keep.

    Returns:
        The answer; when nothing matches, the categories there are.
    """
    tr = view.tr
    pins = list(view.export.map_pins)
    if not pins:
        return doc(paragraph(tr.gettext("No map pins yet.")))
    wanted = fold(category)[:100]
    chosen = _select(pins, wanted) if wanted else pins
    if not chosen:
        categories = sorted({p.category for p in pins if p.category}, key=fold)
        blocks: list[Block] = [
            paragraph(tr.gettext("No pins match “{text}”.", text=category.strip()[:100]))
        ]
        if categories:
            blocks.append(paragraph(tr.gettext("Categories: {names}", names=", ".join(categories))))
        return doc(*blocks)
    blocks = [heading(tr.ngettext("{n} map pin", "{n} map pins", len(chosen)))]
    categories_in_order = list(dict.fromkeys(p.category or "" for p in chosen))
    for name in categories_in_order:
        group = [p for p in chosen if (p.category or "") == name]
        if len(categories_in_order) > 1:
            blocks.append(paragraph(bold(name or tr.gettext("Other places"))))
        blocks.append(bullet_list(*(_pin_spans(p) for p in group)))
    return doc(*blocks)


def answer_who(view: TripView) -> Document:
    """Answer `/who`: members and roles; contact details only outside groups.

    Args:
        view: The snapshot as the chat may see it.

    Returns:
        The answer.
    """
    tr = view.tr
    members = view.export.members
    if not members:
        return doc(paragraph(tr.gettext("No members listed for this trip.")))
    lines: list[list[SpanLike]] = []
    for member in members:
        spans: list[SpanLike] = [bold(member.name), " · ", role_label(tr, member.role)]
        if not view.is_group:
            contacts = [c for c in (member.email, member.phone) if c]
            if contacts:
                spans.append(" · " + ", ".join(contacts))
        lines.append(spans)
    blocks: list[Block] = [
        heading(tr.ngettext("{n} member", "{n} members", len(members))),
        bullet_list(*lines),
    ]
    if view.is_group:
        blocks.append(paragraph(tr.gettext("Contact details are never shown in a group.")))
    return doc(*blocks)
