"""`/todo add` urgency flags and words, and what `/done N|TEXT` points at."""

from __future__ import annotations

import pytest
from commands_fixtures import japan_hawaii
from hypothesis import given
from hypothesis import strategies as st

from osoto_bridge.commands.todo_args import (
    NewItem,
    find_item,
    numbered_open_items,
    parse_new_item,
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("book the ferry", NewItem("book the ferry", None)),
        ("book the ferry --now", NewItem("book the ferry", "now")),
        ("!now book the ferry", NewItem("book the ferry", "now")),
        ("book the ferry —now", NewItem("book the ferry", "now")),
        ("book the ferry --before", NewItem("book the ferry", "before_trip")),
        ("book the ferry --nice", NewItem("book the ferry", "nice_to_have")),
        ("urgent: book the ferry", NewItem("book the ferry", "now")),
        ("book the ferry asap", NewItem("book the ferry", "now")),
        ("someday learn the hula", NewItem("learn the hula", "nice_to_have")),
        ("지금 환전하기", NewItem("환전하기", "now")),
        ("환전하기 !지금", NewItem("환전하기", "now")),
        ("나중에 기념품 사기", NewItem("기념품 사기", "nice_to_have")),
        ("book urgent care visit", NewItem("book urgent care visit", None)),
        ("urgent", NewItem("urgent", None)),  # a lone word is the text itself
        ("--now", None),
        ("", None),
    ],
)
def test_parse_new_item(args: str, expected: NewItem | None) -> None:
    assert parse_new_item(args) == expected


@given(st.text(max_size=300))
def test_parse_new_item_never_raises(args: str) -> None:
    item = parse_new_item(args)
    if item is not None:
        assert item.text.strip()


def test_numbering_goes_by_urgency_then_snapshot_order() -> None:
    items = numbered_open_items(japan_hawaii())
    assert [item.id for item in items] == ["a1", "a2", "a5", "a3"]


@pytest.mark.parametrize(
    ("query", "item_id", "number"),
    [
        ("1", "a1", 1),
        ("#3", "a5", 3),
        ("hula", "a3", 4),
        ("HULA", "a3", 4),
        ("book the ferry", "a1", 1),  # exact text beats the longer "... back"
        ("adapters", "a2", 2),
    ],
)
def test_find_item(query: str, item_id: str, number: int) -> None:
    match = find_item(japan_hawaii(), query)
    assert match.item is not None
    assert (match.item.id, match.number) == (item_id, number)


def test_find_item_ambiguous_done_and_missing() -> None:
    export = japan_hawaii()
    several = find_item(export, "ferry")
    assert [item.id for _, item in several.candidates] == ["a1", "a5"]
    done = find_item(export, "passports")
    assert done.item is None and done.already_done is not None
    assert find_item(export, "99").item is None
    assert find_item(export, "nothing like it") == find_item(export, "")
