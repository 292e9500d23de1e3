"""The log redaction layer and the two formats, through real loggers and handlers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from ops_fakes import SLACK_APP_TOKEN, SLACK_BOT_TOKEN, TELEGRAM_TOKEN

from osoto_bridge.cli.common import settings_secrets
from osoto_bridge.config import load_settings
from osoto_bridge.logs import REDACTED, Redactor, configure_logging

API_KEY = "osk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SIGNING_SECRET = "a-signing-secret-no-pattern-knows"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(level="DEBUG", stream=stream, secrets=[SIGNING_SECRET])
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"linking with {API_KEY} now", API_KEY),
        (f"GET https://api.telegram.org/bot{TELEGRAM_TOKEN}/getMe", TELEGRAM_TOKEN),
        (f"Authorization: Bearer {SLACK_BOT_TOKEN}", SLACK_BOT_TOKEN),
        (f"socket mode with {SLACK_APP_TOKEN}", SLACK_APP_TOKEN),
        ('{"wifiPassword": "tea-and-scones-42", "name": "Hotel"}', "tea-and-scones-42"),
        ("{'door_code': '4711#', 'name': 'Hotel'}", "4711#"),
        ("Stay(host_phone='+44 20 7946 0011', city='London')", "+44 20 7946 0011"),
        ('"confirmationNumber":"HT-883201"', "HT-883201"),
        ("checkInInstructions=Key-safe-left-of-door next", "Key-safe-left-of-door"),
    ],
)
def test_patterns_hide_every_kind_of_secret(text: str, secret: str) -> None:
    redacted = Redactor().redact(text)
    assert secret not in redacted
    assert REDACTED in redacted


def test_the_rest_of_the_line_stays_readable() -> None:
    line = '{"wifiPassword": "tea-and-scones-42", "name": "Hotel Rose"} for link 3'
    assert (
        Redactor().redact(line) == '{"wifiPassword": [redacted], "name": "Hotel Rose"} for link 3'
    )
    assert Redactor().redact("polled 3 channels in 0.2s") == "polled 3 channels in 0.2s"


def test_registered_values_are_hidden_and_short_ones_ignored() -> None:
    redactor = Redactor([SIGNING_SECRET])
    redactor.add("abc")  # too short to be a secret: would garble every line
    redactor.add(None)
    assert redactor.redact(f"secret={SIGNING_SECRET}; abc") == f"secret={REDACTED}; abc"


def test_message_args_traceback_and_stack_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("osoto_bridge.test")
    log.info("key %s for %s", API_KEY, "trip t1")
    log.debug("signing with %r", SIGNING_SECRET)
    try:
        raise RuntimeError(f"Osoto refused {API_KEY}")
    except RuntimeError:
        log.exception("call failed for token %s", TELEGRAM_TOKEN)
    log.warning("where am I", stack_info=True, extra={"unused": API_KEY})
    output = captured.getvalue()
    for secret in (API_KEY, SIGNING_SECRET, TELEGRAM_TOKEN):
        assert secret not in output
    assert "key osk_[redacted] for trip t1" in output
    assert "RuntimeError: Osoto refused osk_[redacted]" in output
    assert "Traceback (most recent call last)" in output


def test_third_party_loggers_are_redacted_too(captured: io.StringIO) -> None:
    logging.getLogger("telegram.ext.Application").debug("token %s", TELEGRAM_TOKEN)
    logging.getLogger("slack_bolt.App").debug(
        "headers: {'authorization': 'Bearer %s'}", SLACK_BOT_TOKEN
    )
    output = captured.getvalue()
    assert TELEGRAM_TOKEN not in output and SLACK_BOT_TOKEN not in output
    assert output.count(REDACTED) == 2


def test_json_lines_carry_the_redacted_message() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(level="INFO", fmt="json", stream=stream)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("osoto_bridge.x").exception("failed with %s", API_KEY)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR"
    assert record["logger"] == "osoto_bridge.x"
    assert record["message"] == "failed with osk_[redacted]"
    assert record["exception"].endswith("ValueError: boom")
    assert record["time"].endswith("+00:00")


def test_configuring_again_replaces_the_handler_instead_of_doubling_lines() -> None:
    first, second = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging(stream=first)
    handler = configure_logging(stream=second)
    try:
        logging.getLogger("osoto_bridge.y").warning("once")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert first.getvalue() == ""
    assert second.getvalue().count("once") == 1


def test_every_secret_setting_is_handed_to_the_redactor() -> None:
    settings = load_settings(
        {
            "OSOTO_BRIDGE_SECRET_KEY": "fernet-new-key-000000000,fernet-old-key-111111111",
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
            "OSOTO_BRIDGE_SLACK_APP_TOKEN": SLACK_APP_TOKEN,
            "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        }
    )
    secrets = set(settings_secrets(settings))
    assert {
        "fernet-new-key-000000000",
        "fernet-old-key-111111111",
        TELEGRAM_TOKEN,
        SLACK_BOT_TOKEN,
        SLACK_APP_TOKEN,
        SIGNING_SECRET,
    } <= secrets
