"""A graceful stop's first step (issue 14.3): intake stops, sends still work."""

from __future__ import annotations

import httpx
from telegram_world import TelegramWorld

from osoto_bridge.chat.base import ChatAddress, OutboundMessage
from osoto_bridge.chat.telegram import webhook_app
from osoto_bridge.chat.telegram.webhook import SECRET_HEADER
from osoto_bridge.text import doc


async def test_after_stop_intake_updates_wait_and_sends_still_go(world: TelegramWorld) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    chat = await world.start(webhook_url="https://bridge.example/telegram/webhook")
    world.fake.webhook_transport = httpx.ASGITransport(app=webhook_app(chat))
    await world.link(group)

    await chat.stop_intake()
    world.fake.write(group, member, "written while the bridge stops")
    # Refused, so Telegram keeps it for the next start.
    assert await world.fake.push_webhook() == [503]
    assert world.fake.pending_updates == 1
    # A worker's in-flight delivery still reaches the chat.
    ids = await chat.send(OutboundMessage(ChatAddress("telegram", str(group.id)), doc("Ben: ok")))
    assert len(ids) == 1
    assert [m["text"] for m in world.fake.sent(group)] == ["Ben: ok"]
    assert world.bridge is not None
    await world.bridge.stop()
    world.bridge = None
    assert await world.osoto_messages() == []


async def test_after_stop_intake_long_polling_has_ended(world: TelegramWorld) -> None:
    chat = await world.start()
    await world.fake.wait_for(lambda: bool(world.fake.calls_to("getUpdates")))
    await chat.stop_intake()
    polls = len(world.fake.calls_to("getUpdates"))
    group = world.group
    assert group is not None
    await chat.send(OutboundMessage(ChatAddress("telegram", str(group.id)), doc("still here")))
    assert len(world.fake.calls_to("getUpdates")) == polls
    headers = {SECRET_HEADER: chat.webhook_secret}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=webhook_app(chat)), base_url="http://bridge"
    ) as client:
        answer = await client.post("/telegram/webhook", json={"update_id": 1}, headers=headers)
    assert answer.status_code == 503
