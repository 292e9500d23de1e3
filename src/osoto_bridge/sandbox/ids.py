"""Identifiers and secrets: Convex-style ids, API keys, share tokens, request ids."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid

# Convex ids are lowercase base32 without the ambiguous letters; the sandbox mimics
# their look so that clients never come to rely on a friendlier format.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ID_LENGTH = 32
_ID_PREFIX = "jx7"
_FROM_RFC4648 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET.encode())


def new_id() -> str:
    """Return a fresh opaque id that looks like a Convex document id."""
    # 20 random bytes are 32 base32 characters, mapped onto Convex's alphabet.
    tail = base64.b32encode(secrets.token_bytes(20)).translate(_FROM_RFC4648).decode()
    return _ID_PREFIX + tail[: _ID_LENGTH - len(_ID_PREFIX)]


def new_api_key() -> str:
    """Return a fresh plaintext API key (`osk_…`); only its hash is ever stored."""
    return "osk_" + secrets.token_urlsafe(30)


def hash_api_key(key: str) -> str:
    """Return the stored form of an API key (hex SHA-256)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_share_token() -> str:
    """Return a fresh share token, safe to put in a URL path."""
    return "shr_" + secrets.token_urlsafe(24)


def new_request_id() -> str:
    """Return a fresh request id (`req_<uuid4>`)."""
    return f"req_{uuid.uuid4()}"
