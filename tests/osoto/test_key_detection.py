"""Recognising pasted API keys."""

from __future__ import annotations

import pytest

from osoto_bridge.osoto.key_detection import contains_api_key, redact_api_keys


@pytest.mark.parametrize(
    "text",
    [
        "osk_9f8e7d6c5b4a39281706f5e4",
        "here is my key: osk_AbCdEf0123456789xyzXYZ please link",
        "`osk_live_0123456789abcdefABCDEF`",
    ],
)
def test_key_shaped_text_is_recognised_and_redacted(text: str) -> None:
    assert contains_api_key(text)
    redacted = redact_api_keys(text)
    assert not contains_api_key(redacted)
    assert "osk_…(redacted)" in redacted


@pytest.mark.parametrize(
    "text", ["the osk_ prefix alone", "osk_short", "my desk_0123456789abcdef0123 is fine"]
)
def test_ordinary_text_is_not_a_key(text: str) -> None:
    assert not contains_api_key(text)
