"""The Slack app manifest grants what the adapter uses, and asks for what it handles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from osoto_bridge.chat.slack import EVENTS_PATH
from osoto_bridge.chat.slack.slash import SLASH_COMMAND

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-app-manifest.yaml"

# Each Web API method the adapter calls, and the bot scopes it needs.
METHOD_SCOPES = {
    "chat.postMessage": {"chat:write"},
    "chat.postMessage with username": {"chat:write.customize"},
    "chat.delete": {"chat:write"},
    "users.info": {"users:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "conversations.join": {"channels:join"},
    "/osoto": {"commands"},
    "app_mention": {"app_mentions:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "views.publish": set(),  # no scope: the Home tab is the app's own
}


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_scope_the_adapter_needs_is_granted() -> None:
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    needed = set().union(*METHOD_SCOPES.values())
    assert needed <= granted, needed - granted


def test_the_events_and_the_command_the_adapter_handles_are_subscribed() -> None:
    data = manifest()
    events = set(data["settings"]["event_subscriptions"]["bot_events"])
    assert events == {
        "app_home_opened",
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
    }
    (command,) = data["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    assert command["should_escape"] is False  # names and links arrive as typed
    assert data["settings"]["interactivity"]["is_enabled"] is True


def test_socket_mode_by_default_and_one_request_url_for_http() -> None:
    data = manifest()
    assert data["settings"]["socket_mode_enabled"] is True
    urls = {
        data["settings"]["event_subscriptions"]["request_url"],
        data["settings"]["interactivity"]["request_url"],
        data["features"]["slash_commands"][0]["url"],
    }
    assert len(urls) == 1 and urls.pop().endswith(EVENTS_PATH)
    assert data["features"]["bot_user"]["display_name"]


def test_the_home_tab_and_direct_messages_are_enabled() -> None:
    home = manifest()["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is False
