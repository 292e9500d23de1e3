"""The Slack adapter: channels, threads, the ``/osoto`` command and the link modal."""

from osoto_bridge.chat.slack.adapter import CAPABILITIES, SlackChat
from osoto_bridge.chat.slack.http import EVENTS_PATH, slack_events_app, slack_events_route
from osoto_bridge.chat.slack.inbound import PLATFORM
from osoto_bridge.chat.slack.webapi import SlackRefused

__all__ = [
    "CAPABILITIES",
    "EVENTS_PATH",
    "PLATFORM",
    "SlackChat",
    "SlackRefused",
    "slack_events_app",
    "slack_events_route",
]
