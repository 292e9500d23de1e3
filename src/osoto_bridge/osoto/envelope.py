"""Reading list answers, whatever envelope the server wraps them in.

The sandbox answers `{"data": [...], "nextCursor": ..., "hasMore": ...}`; the real
service may differ in plausible ways (Convex's own pagination says `page`,
`continueCursor` and `isDone`). Every list answer goes through `parse_page`, the one
place that knows the variations:

- items under `data`, `items` or `page` (or a bare JSON array);
- the resume cursor under `nextCursor`, `continueCursor` or `cursor`;
- `hasMore`, or `isDone` meaning the opposite; when both are missing, more pages
  are assumed while the page came with a cursor and was not empty;
- messages newest first: detected by `_creationTime` and turned oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from osoto_bridge.osoto.models import Page

__all__ = ["parse_page", "unwrap_object"]

M = TypeVar("M", bound=BaseModel)

_ITEM_KEYS = ("data", "items", "page")
_CURSOR_KEYS = ("nextCursor", "continueCursor", "cursor")


def _items(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in _ITEM_KEYS:
            value = body.get(key)
            if isinstance(value, list):
                return value
    raise ValueError("no list of items in the answer")


def _cursor(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in _CURSOR_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _has_more(body: Any, items: Sequence[Any], cursor: str | None) -> bool:
    if isinstance(body, dict):
        if isinstance(body.get("hasMore"), bool):
            return bool(body["hasMore"])
        if isinstance(body.get("isDone"), bool):
            return not body["isDone"]
    return cursor is not None and len(items) > 0


def _creation_time(item: Any) -> float | None:
    if isinstance(item, dict):
        value = item.get("_creationTime")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _oldest_first(items: list[Any]) -> list[Any]:
    """Reverse a list given newest first, judging by its first and last creation times."""
    if len(items) < 2:
        return items
    first, last = _creation_time(items[0]), _creation_time(items[-1])
    if first is not None and last is not None and first > last:
        return items[::-1]
    return items


def parse_page(body: Any, model: type[M], *, chronological: bool = False) -> Page[M]:
    """Normalise one list answer into a `Page`.

    Args:
        body: The decoded JSON answer.
        model: The model of one item.
        chronological: Return items oldest first (for messages), reversing a page the
            server sent newest first.

    Returns:
        The page, with `next_cursor` and `has_more` filled in from whichever names the
        server used.

    Raises:
        ValueError: The answer holds no list; pydantic's ValidationError when an item
            does not fit the model.
    """
    items = _items(body)
    if chronological:
        items = _oldest_first(items)
    cursor = _cursor(body)
    return Page(
        data=[model.model_validate(item) for item in items],
        next_cursor=cursor,
        has_more=_has_more(body, items, cursor),
    )


def unwrap_object(body: Any, *keys: str) -> Any:
    """Return a single object, unwrapping it from `data` or one of `keys` if nested.

    Some APIs answer `{"data": {...}}` or `{"trip": {...}}` for one object; a body that
    already looks like the object (it has an `_id`) is returned as it is.

    Args:
        body: The decoded JSON answer.
        keys: Extra wrapper names to try after `data`.
    """
    if isinstance(body, dict) and "_id" not in body:
        for key in ("data", *keys):
            value = body.get(key)
            if isinstance(value, dict):
                return value
    return body
