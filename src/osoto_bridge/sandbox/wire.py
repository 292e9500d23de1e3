"""JSON helpers shared by the services and routes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def dumps(value: Any) -> str:
    """Serialise compactly, keeping non-ASCII text as it is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def page_json(items: Sequence[str], next_cursor: str | None, has_more: bool) -> bytes:
    """Assemble the list envelope from already-serialised items."""
    cursor = "null" if next_cursor is None else f'"{next_cursor}"'
    more = "true" if has_more else "false"
    return (
        '{"data":[' + ",".join(items) + '],"nextCursor":' + cursor + ',"hasMore":' + more + "}"
    ).encode()
