"""`/pins WORD` understands category words across synonyms and languages."""

from __future__ import annotations

import datetime as dt

import pytest
from commands_fixtures import leg, trip_export

from osoto_bridge.commands import TripView, answer_pins
from osoto_bridge.commands.pin_categories import category_concepts, same_category
from osoto_bridge.text import render_plain

PINS = [
    {"_id": "p1", "name": "Dishoom", "lat": 51.5, "lng": -0.1, "category": "restaurant"},
    {"_id": "p2", "name": "Monmouth", "lat": 51.5, "lng": -0.1, "category": "Café"},
    {"_id": "p3", "name": "British Museum", "lat": 51.5, "lng": -0.1, "category": "museum"},
    {"_id": "p4", "name": "광장시장", "lat": 37.5, "lng": 127.0, "category": "맛집"},
    {"_id": "p5", "name": "Tower Bridge", "lat": 51.5, "lng": -0.1, "category": "sight"},
]


def _pins(asked: str) -> str:
    export = trip_export(
        "2026-07-14",
        "2026-07-16",
        [leg("l1", 0, "London", "2026-07-14", "2026-07-16", "Europe/London")],
        mapPins=PINS,
    )
    now = dt.datetime(2026, 7, 15, 9, tzinfo=dt.UTC)
    return render_plain(
        answer_pins(TripView.of(export, now=now, language="en", show_sensitive=False), asked)
    )


@pytest.mark.parametrize(
    "asked",
    [
        "food",
        "FOOD",
        "  Food ",
        "restaurants",
        "맛집",
        "음식",
        "식당",
        "Essen",
        "comida",
        "レストラン",
    ],
)
def test_food_words_find_the_places_to_eat(asked: str) -> None:
    shown = _pins(asked)
    assert "Dishoom" in shown and "광장시장" in shown and "Monmouth" in shown
    assert "British Museum" not in shown and "Tower Bridge" not in shown


def test_a_narrower_word_finds_only_the_narrower_places() -> None:
    shown = _pins("coffee")
    assert "Monmouth" in shown and "Dishoom" not in shown


@pytest.mark.parametrize("asked", ["박물관", "museums", "musée", "gallery"])
def test_museum_words_find_the_museum(asked: str) -> None:
    shown = _pins(asked)
    assert "British Museum" in shown and "Dishoom" not in shown


@pytest.mark.parametrize("asked", ["sightseeing", "관광", "명소"])
def test_sight_words_find_sights_and_museums(asked: str) -> None:
    shown = _pins(asked)
    assert "Tower Bridge" in shown and "British Museum" in shown and "Dishoom" not in shown


@pytest.mark.parametrize("asked", ["🍕", "zzz", "x" * 5000, "s", "(이)가", "<b>food</b>"])
def test_unknown_words_find_nothing_and_list_the_categories(asked: str) -> None:
    shown = _pins(asked)
    assert "No pins match" in shown and "Categories:" in shown
    assert len(shown) < 400


def test_the_exact_category_still_wins() -> None:
    shown = _pins("café")
    assert "Monmouth" in shown and "Dishoom" not in shown


def test_concepts_are_asymmetric_and_unknown_words_have_none() -> None:
    assert same_category("food", "cafe") and not same_category("cafe", "restaurant")
    assert category_concepts("") == frozenset() and category_concepts("unheard") == frozenset()
    assert category_concepts("Coffee-Shop") == category_concepts("coffee shop")
