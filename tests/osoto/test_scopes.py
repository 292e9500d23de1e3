"""One answer to every scope question: a scope on all trips or on this one."""

from __future__ import annotations

from osoto_bridge.osoto import Scopes
from osoto_bridge.store import Link


def test_a_bare_scope_and_the_trip_scoped_form_mean_the_same() -> None:
    assert Scopes("t1", ("messages:read",)).allows("messages:read")
    assert Scopes("t1", ("messages:read:t1",)).allows("messages:read")
    assert not Scopes("t1", ("messages:read:t2",)).allows("messages:read")
    assert Scopes("t1", ("trips:write:t1",)).missing(["trips:read", "trips:write"]) == (
        "trips:read",
    )
    assert Scopes("t1", ("trips:write:t1", "messages:read")).names == (
        "messages:read",
        "trips:write",
    )


def _link(scopes: tuple[str, ...]) -> Link:
    return Link(
        id=1,
        platform="telegram",
        chat_id="-1",
        thread_id=None,
        trip_id="t1",
        trip_title="Lisbon",
        channel_id="c1",
        channel_name="general",
        key_id=1,
        key_fingerprint="fp",
        owner_user_id="u1",
        scopes=scopes,
        language="en",
        show_sensitive=False,
        enabled=True,
        created_at=0.0,
        created_by=None,
    )


def test_the_relay_and_the_commands_ask_the_links_scopes() -> None:
    from osoto_bridge.commands import has_scope

    for scopes, expected in [
        (("messages:read",), True),
        (("messages:read:t1",), True),
        ((), False),
    ]:
        link = _link(scopes)
        assert link.access.allows("messages:read") is expected
        assert has_scope(link.scopes, "messages:read", link.trip_id) is expected
