"""No secret reaches a log line: a full relay scenario on the demo trip, logged at DEBUG.

Given the demo trip linked to a Telegram chat (sensitive fields opted in) and a Slack
channel, the bridge configured with a bot token, Slack tokens and a signing secret,
when messages cross both ways, the group asks /where and /plan (answers that carry
door codes and Wi-Fi passwords), someone pastes an API key in the group, and the
doctor's Telegram and Slack checks call their APIs with the tokens, then the
captured log (every logger, DEBUG and up) holds none of the keys, tokens, secrets or
sensitive field values, though the answers in the chat did show those values.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from ops_fakes import (
    SLACK_APP_TOKEN,
    SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET,
    TELEGRAM_TOKEN,
    FakeBotApi,
    FakeSlackApi,
)

from osoto_bridge.cli.common import settings_secrets
from osoto_bridge.cli.doctor import Context
from osoto_bridge.cli.doctor.platforms import check_slack, check_telegram
from osoto_bridge.commands import CommandService, SnapshotCache
from osoto_bridge.config import Settings, load_settings
from osoto_bridge.logs import REDACTED, configure_logging
from osoto_bridge.osoto.projection import SENSITIVE_FIELDS
from osoto_bridge.relay import Bridge
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import generate_secret_key
from osoto_bridge.web import WebServer
from relay.relay_world import World, eventually

SENSITIVE_WIRE = {
    "".join(w if i == 0 else w.title() for i, w in enumerate(name.split("_")))
    for name in SENSITIVE_FIELDS
}


def _contains_word(text: str, value: str) -> bool:
    # Whole words, for the trip's short sensitive values only: a door code like 1453
    # turns up inside request ids (req_…-42050014534b), which is no leak. Keys and
    # tokens are matched anywhere: a token sits inside URLs like /bot<token>/.
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", text) is not None


def sensitive_values(node: Any) -> set[str]:
    """Every sensitive field's value anywhere in an export's JSON."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SENSITIVE_WIRE and isinstance(value, str) and value:
                found.add(value)
            else:
                found |= sensitive_values(value)
    elif isinstance(node, list):
        for item in node:
            found |= sensitive_values(item)
    return found


class CapturedLog:
    def __init__(self, settings: Settings) -> None:
        self.stream = io.StringIO()
        self._root = logging.getLogger()
        self._level = self._root.level
        self._handler = configure_logging(
            level="DEBUG", stream=self.stream, secrets=settings_secrets(settings)
        )

    def close(self) -> None:
        self._root.removeHandler(self._handler)
        self._root.setLevel(self._level)
        logging.getLogger("httpx").setLevel(logging.WARNING)


def captured(settings: Settings) -> Iterator[CapturedLog]:
    log = CapturedLog(settings)
    try:
        yield log
    finally:
        log.close()


async def test_a_full_scenario_logs_no_key_token_secret_or_sensitive_value(
    tmp_path: Path,
) -> None:
    bot_api, slack_api = FakeBotApi(), FakeSlackApi()
    async with (
        WebServer(bot_api.app(), host="127.0.0.1", port=0) as bot_server,
        WebServer(slack_api.app(), host="127.0.0.1", port=0) as slack_server,
    ):
        fernet = generate_secret_key()
        settings = load_settings(
            {
                "OSOTO_BRIDGE_SECRET_KEY": fernet,
                "OSOTO_BRIDGE_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
                "OSOTO_BRIDGE_TELEGRAM_API_URL": bot_server.url + "/bot",
                "OSOTO_BRIDGE_SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
                "OSOTO_BRIDGE_SLACK_APP_TOKEN": SLACK_APP_TOKEN,
                "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
                "OSOTO_BRIDGE_SLACK_API_URL": slack_server.url + "/api/",
            }
        )
        for log in captured(settings):
            chat_texts, secrets = await _scenario(tmp_path, settings, fernet)
            output = log.stream.getvalue()

    # the scenario really logged, at DEBUG, from the bridge and from the libraries
    assert len(output.splitlines()) > 50
    assert " DEBUG osoto_bridge." in output
    assert "HTTP Request: GET " in output  # httpx, whose URL held the bot token
    assert "/bot[redacted]/getMe" in output
    assert "an API key was pasted in telegram chat tg-1" in output
    # the sensitive values did flow through the process: the opted-in chat shows them
    shown = {value for value in secrets["sensitive"] if any(value in t for t in chat_texts)}
    assert shown, "the /where and /plan answers showed no sensitive value"
    leaked = {
        name: value
        for name, values in secrets.items()
        for value in values
        if value and (_contains_word(output, value) if name == "sensitive" else value in output)
    }
    assert leaked == {}
    assert REDACTED in output


async def _scenario(
    tmp_path: Path, settings: Settings, fernet: str
) -> tuple[list[str], dict[str, set[str]]]:
    sandbox = Sandbox(":memory:")
    demo = sandbox.seed_demo()
    alice, bongani = demo["users"][0], demo["users"][1]
    trip = demo["trips"][0]
    world = World(
        sandbox=sandbox,
        store_url=f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}",
        transport=httpx.ASGITransport(app=sandbox.app),
        trip_id=trip["id"],
        channel_id="",
        owner_id=alice["id"],
        owner_key=alice["apiKey"],
        companion_id=bongani["id"],
    )
    await world.open()
    try:
        assert world.store is not None and world.pool is not None
        telegram = await world.link(world.telegram, "tg-1")
        await world.link(world.slack, "C1")
        await world.store.update_link(telegram.id, show_sensitive=True)
        world.bridge = Bridge(
            store=world.store,
            adapters=[world.telegram, world.slack],
            pool=world.pool,
            commands=CommandService(cache=SnapshotCache()),
            timing=world.timing,
        )
        await world.bridge.start()

        world.companion_says("Dinner at 7? I booked a table for all of us.")
        await world.slack.wait_for(lambda sent: len(sent) == 1)
        await world.telegram.write("tg-1", "Boarding now, see you there", author="Chloé")
        await world.slack.wait_for(lambda sent: len(sent) == 2)
        for command in ("/where today", "/where tomorrow", "/plan", "/next"):
            before = len(world.telegram.sent)
            await world.telegram.write("tg-1", command, author="Chloé")
            await world.telegram.wait_for(lambda sent, n=before: len(sent) > n)
        await world.telegram.write(
            "tg-1", f"here is the key: {bongani['apiKey']}", author="Bongani"
        )
        await world.telegram.wait_for(lambda sent: "revoke that key" in sent[-1].text)

        async def crossed() -> bool:
            return len(await world.osoto_messages()) >= 5

        await eventually(crossed)

        async with httpx.AsyncClient() as http:
            doctor = Context(settings=settings, http=http)
            assert all(f.status == "ok" for f in await check_telegram(doctor))
            assert all(f.status == "ok" for f in await check_slack(doctor))

        export = await world.client.export_trip(trip["id"])
        chat_texts = [m.text for m in [*world.telegram.sent, *world.slack.sent]]
    finally:
        await world.close()
        sandbox.close()
    secrets = {
        "api keys": {user["apiKey"] for user in demo["users"]},
        "settings": set(settings_secrets(settings)),
        "fernet": {fernet},
        "sensitive": sensitive_values(export.model_dump(by_alias=True, mode="json")),
    }
    assert len(secrets["sensitive"]) >= 5
    return chat_texts, secrets
