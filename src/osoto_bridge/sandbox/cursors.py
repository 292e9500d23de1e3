"""Opaque pagination cursors.

A cursor is base64url JSON `[kind, scopeId, *position]`: the list it belongs to and
the sort key of the last row returned. Lists page by keyset (`WHERE (keys) > (…)`),
so rows inserted between pages cause neither gaps nor repeats. A cursor that does
not decode, or belongs to another list, is a 400.
"""

from __future__ import annotations

import base64
import binascii
import json

from osoto_bridge.sandbox.errors import Detail, validation_error


def encode(kind: str, scope_id: str, *position: str | int) -> str:
    """Build the cursor after `position` in the list `kind` of `scope_id`."""
    raw = json.dumps([kind, scope_id, *position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(cursor: str, kind: str, scope_id: str, shape: tuple[type, ...]) -> list[str | int]:
    """Return the position encoded in `cursor`; raise a 400 ApiError when it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if (
        isinstance(value, list)
        and len(value) == 2 + len(shape)
        and value[0] == kind
        and value[1] == scope_id
        and all(type(v) is t for v, t in zip(value[2:], shape, strict=True))
    ):
        return list(value[2:])
    raise validation_error(
        [Detail("cursor", "unknown cursor: pass nextCursor from a previous page of this list")]
    )
