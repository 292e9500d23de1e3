"""A chat copy's tag (`COPY_OF`) names the line's `MessageRef` and reads back as it."""

from __future__ import annotations

from osoto_bridge.relay.copy_tag import copy_tag, tagged_ref
from osoto_bridge.store import PendingPost


def test_a_line_on_its_way_reads_back_as_its_entry() -> None:
    assert tagged_ref(copy_tag(PendingPost(17))) == PendingPost(17)


def test_an_osoto_id_is_its_own_tag() -> None:
    assert copy_tag("osoto-1") == "osoto-1"
    assert tagged_ref("osoto-1") == "osoto-1"


def test_a_tag_that_only_looks_like_an_entry_stays_an_osoto_id() -> None:
    # Copies posted before schema 6 were tagged the same way ("outbox:17").
    assert tagged_ref("outbox:17") == PendingPost(17)
    for tag in ("outbox:", "outbox:x9", "outbox:١٢"):
        assert tagged_ref(tag) == tag
