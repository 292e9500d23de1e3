"""A refusal from Osoto is reported in Osoto's own words, not a guessed cause."""

from __future__ import annotations

import pytest

from osoto_bridge.commands.answers.meta import answer_error
from osoto_bridge.i18n import translator
from osoto_bridge.osoto import Forbidden
from osoto_bridge.text import render_plain


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_viewers_refused_change_says_what_osoto_said(language: str) -> None:
    refusal = Forbidden(403, "FORBIDDEN", "viewers cannot change this trip", request_id="req_1")
    text = render_plain(answer_error(translator(language), refusal, "trip1"))
    assert "FORBIDDEN" in text and "viewers cannot change this trip" in text
    assert "trips:read" not in text  # the old guess blamed a read scope
    assert "req_1" in text
