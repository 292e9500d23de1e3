"""API keys as secrets: fingerprinted for logs, never shown."""

from __future__ import annotations

import hashlib

__all__ = ["Secret", "key_fingerprint"]


def key_fingerprint(api_key: str) -> str:
    """Return a short, stable, log-safe name for an API key.

    Args:
        api_key: The plaintext key (`osk_...`).

    Returns:
        `sha256:` and the first 12 hex digits of the key's SHA-256.
    """
    return "sha256:" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


class Secret:
    """Holds a secret string so that no repr, str or log line can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the plaintext, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
