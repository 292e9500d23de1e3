"""When Telegram pushes back: flood limits, a removed bot, network faults, restarts,
redelivered updates, and webhook calls that are not Telegram's."""

from __future__ import annotations

import asyncio

import httpx
from telegram_world import TelegramWorld, eventually

from osoto_bridge.chat.telegram import SECRET_HEADER, webhook_app


async def test_a_429_waits_retry_after_and_drops_nothing(world: TelegramWorld) -> None:
    group = world.group
    assert group is not None
    await world.start()
    await world.link(group)
    world.fake.fail_next("sendMessage", status=429, retry_after=7, times=2)
    for n in range(3):
        world.companion_says(f"message {n}")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 3)
    assert [m["text"] for m in world.fake.sent(group)] == [f"Ben: message {n}" for n in range(3)]
    assert world.sleep.delays.count(7.0) == 2
    assert len(world.fake.calls_to("sendMessage")) == 5


async def test_network_faults_are_retried_then_the_relay_tries_again_later(
    world: TelegramWorld,
) -> None:
    group = world.group
    assert group is not None
    await world.start()
    await world.link(group)
    # three attempts fail (the adapter gives up: ChatUnavailable), then one more
    # fails on the relay's next pass; the message still arrives exactly once
    world.fake.fail_next("sendMessage", status=502, times=4)
    world.companion_says("through the storm")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    assert world.fake.sent(group)[0]["text"] == "Ben: through the storm"
    assert len(world.fake.calls_to("sendMessage")) == 5
    assert world.sleep.delays[:2] == [1.0, 2.0]


async def test_a_bot_removed_from_the_group_pauses_the_link_and_says_so_when_back(
    world: TelegramWorld,
) -> None:
    group, admin = world.group, world.admin
    assert group is not None and admin is not None
    await world.start()
    link = await world.link(group)
    world.fake.kick_bot(group, by=admin)
    world.companion_says("anyone there?")

    async def paused() -> bool:
        assert world.store is not None
        current = await world.store.get_link(link.id)
        return current is not None and not current.enabled

    await eventually(paused)
    assert world.fake.sent(group) == []

    world.fake.add_bot(group, by=admin)
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    note = world.fake.sent(group)[0]["text"]
    assert "paused" in note and "/link" in note


async def test_a_restart_loses_nothing_and_repeats_nothing(world: TelegramWorld) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.start()
    await world.link(group)
    for n in range(3):
        world.fake.write(group, member, f"before {n}")
    world.fake.write(group, member, "/trip")
    await world.until_in_osoto(3)
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)  # /trip answered
    await world.stop()

    # written while the bridge is down: Telegram keeps them
    for n in range(3):
        world.fake.write(group, member, f"while down {n}")
    assert world.fake.pending_updates == 3
    await world.start()
    await world.until_in_osoto(6)
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)

    # and Telegram redelivering everything (a crash before confirming) repeats nothing
    world.fake.redeliver()
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    await world.stop()
    assert len(world.fake.sent(group)) == 1  # the command was not answered again
    contents = [m.content for m in await world.osoto_messages()]
    expected = [f"before {n}" for n in range(3)] + [f"while down {n}" for n in range(3)]
    assert [c.split(": ", 1)[1] for c in contents] == expected


async def test_webhook_mode_refuses_calls_without_the_secret_and_handles_telegrams(
    world: TelegramWorld,
) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    chat = await world.start(webhook_url="https://bridge.example/telegram/webhook")
    assert world.fake.webhook_url == "https://bridge.example/telegram/webhook"
    assert world.fake.webhook_secret == chat.webhook_secret
    assert world.fake.calls_to("getUpdates") == []  # no polling in webhook mode
    world.fake.webhook_transport = httpx.ASGITransport(app=webhook_app(chat))
    await world.link(group)

    world.fake.write(group, member, "hello by webhook")
    assert await world.fake.push_webhook(secret="not-the-secret") == [403]
    assert await world.fake.push_webhook(secret="") == [403]
    assert world.fake.pending_updates == 1
    assert await world.osoto_messages() == []

    assert await world.fake.push_webhook() == [200]
    (posted,) = await world.until_in_osoto(1)
    assert "hello by webhook" in posted.content

    world.fake.write(group, member, "/trip")
    assert await world.fake.push_webhook() == [200]
    assert len(world.fake.sent(group)) == 1  # answered before the webhook call returned

    # Telegram retrying deliveries it thinks failed: each handled once
    world.fake.redeliver()
    assert await world.fake.push_webhook() == [200, 200]
    assert len(world.fake.sent(group)) == 1
    world.companion_says("and back by API")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 2)
    assert len(await world.osoto_messages()) == 2


async def test_the_webhook_route_rejects_what_is_not_an_update(world: TelegramWorld) -> None:
    chat = await world.start(webhook_url="https://bridge.example/hooks/tg")
    transport = httpx.ASGITransport(app=webhook_app(chat))
    headers = {SECRET_HEADER: chat.webhook_secret}
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as client:
        assert (
            await client.post("/hooks/tg", content=b"{not json", headers=headers)
        ).status_code == 400
        assert (await client.post("/hooks/tg", json=[1, 2], headers=headers)).status_code == 400
        assert (await client.get("/hooks/tg", headers=headers)).status_code == 405
        assert (await client.post("/telegram/webhook", json={}, headers=headers)).status_code == 404
        # unreadable, but answering an error would only make Telegram retry it forever
        unreadable = await client.post("/hooks/tg", json={"no": "update_id"}, headers=headers)
        assert (unreadable.status_code, unreadable.text) == (200, "ignored")


async def test_markup_telegram_refuses_is_sent_again_as_plain_text(world: TelegramWorld) -> None:
    group = world.group
    assert group is not None
    await world.start()
    await world.link(group)
    world.fake.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: oops"
    )
    world.companion_says("**bold** plans")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    first, second = world.fake.calls_to("sendMessage")
    assert first.params["parse_mode"] == "HTML" and "parse_mode" not in second.params
    assert world.fake.sent(group)[0]["text"] == "Ben: bold plans"


async def test_a_chat_telegram_no_longer_knows_disables_its_link(world: TelegramWorld) -> None:
    group = world.group
    assert group is not None
    await world.start()
    link = await world.link(group)
    world.fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    world.companion_says("hello?")

    async def paused() -> bool:
        assert world.store is not None
        current = await world.store.get_link(link.id)
        return current is not None and not current.enabled

    await eventually(paused)


async def test_a_long_osoto_message_is_split_and_every_part_mapped(world: TelegramWorld) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.start()
    await world.link(group)
    words = [f"w{n}" for n in range(1400)]  # ~7,300 characters: two Telegram messages
    osoto_id = world.companion_says(" ".join(words))
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) >= 2)
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    parts = world.fake.sent(group)
    shown = " ".join(part["text"] for part in parts)
    assert [w for w in shown.split() if w.startswith("w")] == words

    async def mapped() -> bool:
        assert world.store is not None and group is not None
        found = await world.store.chat_messages_for(osoto_id, "telegram", str(group.id))
        return found == [str(part["message_id"]) for part in parts]

    await eventually(mapped)

    # a reply to the last part is a reply to the Osoto message
    world.fake.write(group, member, "that was long", reply_to=parts[-1]["message_id"])
    messages = await world.until_in_osoto(2)
    assert messages[-1].parent_id == osoto_id


async def test_stopping_in_the_middle_of_a_batch_loses_nothing(world: TelegramWorld) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.start()
    await world.link(group)
    await world.stop()
    for n in range(6):
        world.fake.write(group, member, f"queued {n}")
    await world.start()
    await world.until_in_osoto(1)
    await world.stop()  # somewhere inside the batch of six
    await world.start()
    await world.until_in_osoto(6)
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    contents = [m.content.split(": ", 1)[1] for m in await world.osoto_messages()]
    assert contents == [f"queued {n}" for n in range(6)]


async def test_a_crash_while_an_update_is_handled_brings_it_back_not_loses_it(
    world: TelegramWorld,
) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.start()
    await world.link(group)
    bridge = world.bridge
    assert bridge is not None
    crashed = asyncio.Event()

    async def crashes_midway(message: object) -> None:
        crashed.set()
        # the task handling the update dies here, as it does when the process is killed
        raise asyncio.CancelledError

    bridge.on_message = crashes_midway  # type: ignore[method-assign]
    world.fake.write(group, member, "written just before the crash")
    await crashed.wait()
    await world.stop()
    assert await world.osoto_messages() == []

    world.fake.redeliver()  # Telegram hands out again what was not confirmed
    await world.start()
    (message,) = await world.until_in_osoto(1)
    assert message.content.endswith("written just before the crash")
