"""The Slack package's public surface, and building the adapter from settings."""

from __future__ import annotations

import pytest

import osoto_bridge.chat.slack as slack
from osoto_bridge.chat.base import ChatAdapter
from osoto_bridge.chat.slack import SlackChat
from osoto_bridge.cli.adapters import build_slack_adapter
from osoto_bridge.config import SettingsError, load_settings


def _isort_style(member: str) -> tuple[int, str]:
    if member.isupper():
        return (0, member)
    return (1, member) if member[:1].isupper() else (2, member)


def test_all_is_sorted_and_complete() -> None:
    exported = list(slack.__all__)
    assert exported == sorted(exported, key=_isort_style)
    for member in exported:
        assert hasattr(slack, member), member
    public = {
        name
        for name, value in vars(slack).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(slack.__name__)
    }
    assert public <= set(exported)


def test_the_adapter_is_a_chat_adapter() -> None:
    chat = SlackChat(bot_token="xoxb-1", signing_secret="s")
    assert isinstance(chat, ChatAdapter)
    assert chat.platform == "slack"
    assert chat.capabilities.custom_username and chat.capabilities.threads
    assert chat.capabilities.buttons


def test_http_events_from_settings() -> None:
    settings = load_settings(
        {
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": "xoxb-1",
            "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": "secret",
            "OSOTO_BRIDGE_SLACK_API_URL": "http://127.0.0.1:9/api",
        }
    )
    chat = build_slack_adapter(settings)
    assert not chat.socket_mode


def test_socket_mode_from_settings() -> None:
    settings = load_settings(
        {"OSOTO_BRIDGE_SLACK_BOT_TOKEN": "xoxb-1", "OSOTO_BRIDGE_SLACK_APP_TOKEN": "xapp-1"}
    )
    assert build_slack_adapter(settings).socket_mode


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"OSOTO_BRIDGE_SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"OSOTO_BRIDGE_SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_missing_settings_are_named(environ: dict[str, str], missing: str) -> None:
    with pytest.raises(SettingsError, match=missing):
        build_slack_adapter(load_settings(environ))
