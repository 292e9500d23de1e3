"""storable: lone surrogates become U+FFFD; everything else is kept as it is."""

from __future__ import annotations

from osoto_bridge.text import Paragraph, Text, doc
from osoto_bridge.text.storable import storable, storable_value


def test_a_lone_surrogate_is_replaced_and_the_rest_kept() -> None:
    assert storable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert storable("a\ud800b").encode("utf-8") == "a\ufffdb".encode()


def test_a_pair_written_in_halves_is_one_character() -> None:
    assert storable("\ud83d\ude00") == "😀"


def test_clean_text_and_values_are_returned_themselves() -> None:
    clean = doc(Paragraph((Text("zero\u200bwidth \u202eRTL 😀"),)))
    assert storable_value(clean) is clean


def test_strings_inside_a_document_are_made_storable() -> None:
    dirty = doc(Paragraph((Text("x\udc00"),)))
    assert storable_value(dirty) == doc(Paragraph((Text("x\ufffd"),)))
