"""The package's public surface: what the other rooms import is there, and only that."""

from __future__ import annotations

import osoto_bridge.osoto as osoto
from osoto_bridge.osoto.keys import Secret

AGREED = {
    # the names other engineers code against (see the client brief)
    "OsotoClient", "SharedTripClient", "RetryPolicy", "RateLimiter", "LimiterRegistry",
    "Priority", "safe_projection", "parse_local_datetime", "OsotoError", "ApiError",
    "Unauthorized", "Forbidden", "NotFound", "ValidationError", "IdempotencyConflict",
    "RateLimited", "ServerError", "TransportError", "Me", "User", "Group", "Trip",
    "Accommodation", "Stay", "Flight", "RentalCar", "Leg", "ActionItem", "Commitment",
    "MapPin", "Member", "Channel", "Message", "TripExport", "Page", "ShareToken",
    "ItemResult", "BatchResult", "SyncResult",
}  # fmt: skip


def test_every_exported_name_exists_and_comes_from_the_package() -> None:
    for name in osoto.__all__:
        value = getattr(osoto, name)
        module = getattr(value, "__module__", "osoto_bridge.osoto")
        assert module.startswith("osoto_bridge.osoto"), name


def test_the_agreed_names_are_exported() -> None:
    assert set(osoto.__all__) >= AGREED
    assert not {n for n in osoto.__all__ if n.startswith("_")}


def test_fingerprints_are_stable_short_and_hide_the_key() -> None:
    fingerprint = osoto.key_fingerprint("osk_abc")
    assert fingerprint == osoto.key_fingerprint("osk_abc") != osoto.key_fingerprint("osk_abd")
    assert fingerprint.startswith("sha256:") and len(fingerprint) == 19
    secret = Secret("osk_abc")
    assert "osk_abc" not in repr(secret) and "osk_abc" not in str(secret)
    assert secret.reveal() == "osk_abc"
