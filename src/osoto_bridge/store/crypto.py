"""API keys at rest: Fernet encryption with rotation, and safe fingerprints.

The first secret key encrypts; every configured key is tried to decrypt (`MultiFernet`),
so an operator rotates by putting a new key first, calling `Store.rotate_secrets()`,
then dropping the old key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from osoto_bridge.store.errors import SecretError

__all__ = ["KeyCipher", "fingerprint", "generate_secret_key", "key_digest"]


def generate_secret_key() -> str:
    """Return a fresh secret key suitable for `OSOTO_BRIDGE_SECRET_KEY`.

    Returns:
        A url-safe base64 Fernet key (44 characters).
    """
    return Fernet.generate_key().decode("ascii")


def key_digest(api_key: str) -> str:
    """Return the full SHA-256 hex digest of an API key (the dedupe identity).

    API keys are long random tokens, so an unsalted digest reveals nothing usable.
    """
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def fingerprint(api_key: str) -> str:
    """Return a short fingerprint of an API key, safe to log and to show to admins.

    Args:
        api_key: the plaintext key.

    Returns:
        The first 12 hex digits of the key's SHA-256.
    """
    return key_digest(api_key)[:12]


class KeyCipher:
    """Encrypts and decrypts API keys with the configured secret keys."""

    __slots__ = ("_fernet",)

    def __init__(self, secret_keys: Sequence[str]) -> None:
        """Build the cipher.

        Args:
            secret_keys: Fernet keys, primary first. Older keys only decrypt.

        Raises:
            SecretError: no key given, or one is not a valid Fernet key (the message
                names its position, never its value).
        """
        if isinstance(secret_keys, str):
            # A bare string is a Sequence[str] of characters: a classic slip.
            raise SecretError("secret_keys must be a list of keys, not a single string")
        if not secret_keys:
            raise SecretError("at least one secret key is required to encrypt API keys")
        fernets: list[Fernet] = []
        for position, key in enumerate(secret_keys):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # `from None`: the original exception's frame holds the key.
                raise SecretError(
                    f"secret key #{position + 1} is not a valid Fernet key "
                    "(44 url-safe base64 characters; create one with `osoto-bridge secret-key`)"
                ) from None
        self._fernet = MultiFernet(fernets)

    def __repr__(self) -> str:
        return "KeyCipher(<secret>)"

    def encrypt(self, plaintext: str) -> str:
        """Encrypt with the primary key."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, *, what: str) -> str:
        """Decrypt with any configured key.

        Args:
            token: the stored ciphertext.
            what: how to name the key in an error (id and fingerprint, never the key).

        Raises:
            SecretError: no configured secret decrypts it.
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretError(
                f"cannot decrypt {what}: none of the configured secret keys fits "
                "(was the secret key changed, or an old one dropped before "
                "`osoto-bridge links rotate-secret`?)"
            ) from None

    def rotate(self, token: str, *, what: str) -> str:
        """Re-encrypt a stored ciphertext with the primary key.

        Raises:
            SecretError: no configured secret decrypts it.
        """
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretError(
                f"cannot rotate {what}: none of the configured secret keys fits"
            ) from None
