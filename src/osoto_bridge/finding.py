"""`Finding`: the outcome of one health check, shared by every room that checks itself.

A leaf (it imports nothing of the bridge), so the client, the store and the chat
adapters can each say what they know about their own health in the same words, and
`osoto-bridge doctor` (under ``cli/doctor/``) renders them all in one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "Status"]

Status = Literal["ok", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Finding:
    """The outcome of one check.

    Attributes:
        check: the check's short name, the first column of the doctor's table.
        status: ok, warn (works, but something is missing), fail, or skip.
        detail: what was seen, in one line, never a secret.
        fix: what the operator does about it (a command, a setting, a page).
    """

    check: str
    status: Status
    detail: str
    fix: str = ""
