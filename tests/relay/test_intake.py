"""The intake: a batch's lines written in one transaction at its end, concurrent
batches sharing one, replies to a line of the same batch threaded to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from cryptography.fernet import Fernet

from osoto_bridge.relay.intake import Intake
from osoto_bridge.store import IntakeLine, Link, OutboxEntry, PendingParent, Store


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with Store.open("sqlite+aiosqlite://", secret_keys=[Fernet.generate_key().decode()]) as s:
        yield s


@pytest.fixture
async def link(store: Store) -> Link:
    return await store.add_link(
        platform="telegram",
        chat_id="-100",
        thread_id=None,
        trip_id="t1",
        trip_title="Trip",
        channel_id="c1",
        channel_name="general",
        api_key="osk_live_" + "a" * 40,
        owner_user_id="u1",
        scopes=["messages:read:t1", "messages:write:t1"],
    )


def line(link: Link, message_id: str, parent_line: int | None = None) -> IntakeLine:
    return IntakeLine(
        parts=((f"telegram:-100:{message_id}", f"line {message_id}"),),
        link_id=link.id,
        trip_id=link.trip_id,
        channel_id=link.channel_id,
        source_platform="telegram",
        source_chat_id="-100",
        source_thread_id=None,
        source_message_id=message_id,
        parent_line=parent_line,
    )


async def test_a_batch_is_written_at_its_end_and_only_then_pokes(store: Store, link: Link) -> None:
    pokes: list[tuple[str, str]] = []
    handed: list[list[OutboxEntry]] = []

    def poke(trip: str, channel: str, written: Sequence[OutboxEntry]) -> None:
        pokes.append((trip, channel))
        handed.append(list(written))

    intake = Intake(store, poke=poke)
    async with intake.batch("telegram", ["1", "2"]):
        assert not await intake.handled_before("telegram", "1")
        await intake.write(line(link, "10"))
        parent = intake.staged_line("telegram", "-100", "10")
        assert parent == 0
        await intake.write(line(link, "11", parent_line=parent))
        await intake.mark_handled("telegram", "1")
        assert await intake.handled_before("telegram", "1")
        assert await store.pending_outbox_count() == 0  # nothing before the end
        assert pokes == []
    first, second = await store.due_outbox()
    assert second.parent == PendingParent(first.id)
    assert await store.is_event_seen("telegram", "1")
    assert pokes == [("t1", "c1")]
    assert handed == [[first, second]]  # as written: nothing to read back
    assert intake.commits == 1
    async with intake.batch("telegram", ["1", "2"]):
        assert await intake.handled_before("telegram", "1")  # from the one read
        assert not await intake.handled_before("telegram", "2")


async def test_what_was_staged_is_written_when_the_batch_fails(store: Store, link: Link) -> None:
    intake = Intake(store, poke=lambda trip, channel, written: None)
    with pytest.raises(RuntimeError):
        async with intake.batch("telegram"):
            await intake.write(line(link, "10"))
            raise RuntimeError("a later update failed")
    assert await store.pending_outbox_count() == 1


async def test_batches_ending_together_share_a_transaction(store: Store, link: Link) -> None:
    intake = Intake(store, poke=lambda trip, channel, written: None)

    async def one(n: int) -> None:
        async with intake.batch("slack", [f"Ev{n}"]):
            await intake.write(line(link, str(n)))
            await intake.mark_handled("slack", f"Ev{n}")

    await asyncio.gather(*(one(n) for n in range(20)))
    assert intake.batches == 20
    assert intake.commits < 20
    assert await store.pending_outbox_count() == 20
    assert await store.seen_among("slack", [f"Ev{n}" for n in range(20)]) == {
        f"Ev{n}" for n in range(20)
    }
