"""Linking a group to a trip from Telegram, with the key never shown in the group.

An admin sends /link in the group, follows the deep link into a private chat, pastes
the key there (the bot deletes it), picks a channel with a button, and the group is
told it is linked. Everyone else is politely refused.
"""

from __future__ import annotations

import re
from typing import Any

from telegram_world import TelegramWorld, eventually

from fakes.telegram_api import Chat, User
from osoto_bridge.chat import ChatAddress

_DEEP_LINK = re.compile(r'href="https://t\.me/osoto_test_bot\?start=(link_[A-Za-z0-9_-]+)"')


def _everything_the_bot_said(world: TelegramWorld) -> str:
    texts = [m.get("html", "") + m["text"] for m in world.fake.sent()]
    texts += [str(call.params) for call in world.fake.calls_to("editMessageText")]
    return "\n".join(texts)


async def _ask_to_link(world: TelegramWorld, group: Chat, admin: User, **where: Any) -> str:
    """The admin sends /link; returns the deep link's start payload."""
    before = len(world.fake.sent(group))
    world.fake.write(group, admin, "/link", **where)
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == before + 1)
    found = _DEEP_LINK.search(world.fake.sent(group)[-1]["html"])
    assert found is not None, world.fake.sent(group)[-1]
    return found.group(1)


async def _paste_key(world: TelegramWorld, admin: User, payload: str, key: str) -> dict[str, Any]:
    """In the private chat: follow the deep link, paste the key; returns the bot's answer."""
    private = world.fake.private(admin)
    world.fake.write(private, admin, f"/start {payload}")
    await world.fake.wait_for(lambda: len(world.fake.sent(private)) == 1)
    assert "Paste an Osoto API key" in world.fake.sent(private)[0]["text"]
    pasted = world.fake.write(private, admin, key)
    await world.fake.wait_for(lambda: len(world.fake.sent(private)) == 2)
    assert pasted["message_id"] in [m["message_id"] for m in world.fake.deleted]
    return world.fake.sent(private)[1]


def _button(message: dict[str, Any], label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {message.get('reply_markup')}")


async def test_an_admin_links_the_group_through_a_private_chat(world: TelegramWorld) -> None:
    group, admin, member = world.group, world.admin, world.member
    assert group is not None and admin is not None and member is not None
    await world.start()
    payload = await _ask_to_link(world, group, admin)

    picker = await _paste_key(world, admin, payload, world.owner_key)
    assert "Lisbon" in picker["text"]
    private = world.fake.private(admin)
    world.fake.press(private, admin, picker["message_id"], _button(picker, "#general"))
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 2)
    confirmation = world.fake.sent(group)[1]["text"]
    assert "now linked" in confirmation and "Lisbon" in confirmation and "#general" in confirmation

    assert world.bridge is not None
    link = await world.bridge.links.find(ChatAddress("telegram", str(group.id)))
    assert link is not None and link.channel_id == world.channel_id
    assert link.created_by == str(admin.id)
    assert world.owner_key not in _everything_the_bot_said(world)

    # and the group now relays
    world.fake.write(group, member, "we're linked!")
    (posted,) = await world.until_in_osoto(1)
    assert "we're linked!" in posted.content


async def test_the_admin_can_pick_another_channel(world: TelegramWorld) -> None:
    group, admin = world.group, world.admin
    assert group is not None and admin is not None
    await world.start()
    payload = await _ask_to_link(world, group, admin)
    picker = await _paste_key(world, admin, payload, world.owner_key)
    world.fake.press(
        world.fake.private(admin), admin, picker["message_id"], _button(picker, "#plans")
    )
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 2)
    assert world.bridge is not None
    link = await world.bridge.links.find(ChatAddress("telegram", str(group.id)))
    assert link is not None and link.channel_name == "plans"


async def test_a_forum_topic_is_linked_on_its_own(world: TelegramWorld) -> None:
    admin = world.admin
    assert admin is not None
    forum = world.fake.group("Trip forum", forum=True, admins=(admin,))
    topic = world.fake.topic(forum, "Lisbon", creator=admin)
    await world.start()
    payload = await _ask_to_link(world, forum, admin, thread_id=topic)
    assert world.fake.sent(forum)[-1]["message_thread_id"] == topic
    picker = await _paste_key(world, admin, payload, world.owner_key)
    assert "Trip forum › Lisbon" in picker["text"]
    world.fake.press(
        world.fake.private(admin), admin, picker["message_id"], _button(picker, "#general")
    )
    await world.fake.wait_for(lambda: len(world.fake.sent(forum)) == 2)
    assert world.fake.sent(forum)[1]["message_thread_id"] == topic
    assert world.bridge is not None
    assert await world.bridge.links.find(ChatAddress("telegram", str(forum.id), str(topic)))
    assert await world.bridge.links.find(ChatAddress("telegram", str(forum.id))) is None


async def test_a_member_who_is_not_an_admin_is_politely_refused(world: TelegramWorld) -> None:
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.start()
    world.fake.write(group, member, "/link")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    (answer,) = world.fake.sent(group)
    assert "only the admins" in answer["text"]
    assert "t.me" not in answer.get("html", "")
    assert answer["reply_to_message"]["from"]["id"] == member.id


async def test_someone_else_cannot_use_the_admins_deep_link(world: TelegramWorld) -> None:
    group, admin, member = world.group, world.admin, world.member
    assert group is not None and admin is not None and member is not None
    await world.start()
    payload = await _ask_to_link(world, group, admin)
    private = world.fake.private(member)
    world.fake.write(private, member, f"/start {payload}")
    await world.fake.wait_for(lambda: len(world.fake.sent(private)) == 1)
    assert "another admin" in world.fake.sent(private)[0]["text"]


async def test_a_refused_key_is_deleted_and_explained_then_a_good_one_works(
    world: TelegramWorld,
) -> None:
    group, admin = world.group, world.admin
    assert group is not None and admin is not None
    no_read = world.sandbox.create_key(world.owner_id, ["trips:read"])
    await world.start()
    payload = await _ask_to_link(world, group, admin)
    answer = await _paste_key(world, admin, payload, no_read)
    assert "can't link" in answer["text"] and "messages:read" in answer["text"]
    assert no_read not in _everything_the_bot_said(world)

    private = world.fake.private(admin)
    world.fake.write(private, admin, world.owner_key)
    await world.fake.wait_for(lambda: len(world.fake.sent(private)) == 3)
    assert "Key accepted" in world.fake.sent(private)[2]["text"]


async def test_a_key_pasted_in_the_group_is_deleted_and_never_relayed(
    world: TelegramWorld,
) -> None:
    admin, member = world.admin, world.member
    assert admin is not None and member is not None
    group = world.fake.group("Admin bot", admins=(admin,), members=(member,), bot_admin=True)
    await world.start()
    await world.link(group)
    leaked = world.fake.write(group, member, f"/link {world.owner_key}")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    assert leaked["message_id"] in [m["message_id"] for m in world.fake.deleted]
    warning = world.fake.sent(group)[0]["text"]
    assert "revoke" in warning and "was deleted" in warning
    assert world.owner_key not in _everything_the_bot_said(world)
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    assert await world.osoto_messages() == []


async def test_a_key_the_bot_cannot_delete_still_brings_a_warning(world: TelegramWorld) -> None:
    group, member = world.group, world.member  # the bot is no admin here
    assert group is not None and member is not None
    await world.start()
    world.fake.write(group, member, f"my key is {world.owner_key}")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    warning = world.fake.sent(group)[0]["text"]
    assert "revoke" in warning and "was deleted" not in warning
    assert world.fake.deleted == []


async def test_a_key_pasted_privately_without_a_linking_session_is_deleted(
    world: TelegramWorld,
) -> None:
    admin = world.admin
    assert admin is not None
    await world.start()
    private = world.fake.private(admin)
    pasted = world.fake.write(private, admin, world.owner_key)
    await world.fake.wait_for(lambda: len(world.fake.sent(private)) == 1)
    assert [m["message_id"] for m in world.fake.deleted] == [pasted["message_id"]]
    assert "send /link in the group first" in world.fake.sent(private)[0]["text"]


async def test_privacy_mode_is_explained_at_link_time(world: TelegramWorld) -> None:
    group, admin = world.group, world.admin
    assert group is not None and admin is not None
    world.fake.privacy_mode = True
    await world.start()
    await _ask_to_link(world, group, admin)
    answer = world.fake.sent(group)[-1]["text"]
    assert "/setprivacy" in answer and "admin" in answer


async def test_privacy_mode_needs_no_fix_when_the_bot_is_an_admin(world: TelegramWorld) -> None:
    admin = world.admin
    assert admin is not None
    group = world.fake.group("Admin bot", admins=(admin,), bot_admin=True)
    world.fake.privacy_mode = True
    await world.start()
    await _ask_to_link(world, group, admin)
    assert "/setprivacy" not in world.fake.sent(group)[-1]["text"]


async def test_an_admin_unlinks_and_a_member_cannot(world: TelegramWorld) -> None:
    group, admin, member = world.group, world.admin, world.member
    assert group is not None and admin is not None and member is not None
    await world.start()
    await world.link(group)
    world.fake.write(group, member, "/unlink")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    assert "only the admins" in world.fake.sent(group)[0]["text"]

    world.fake.write(group, admin, "/unlink@osoto_test_bot")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 2)
    assert "no longer linked" in world.fake.sent(group)[1]["text"]
    assert world.bridge is not None

    async def gone() -> bool:
        assert world.bridge is not None
        return await world.bridge.links.find(ChatAddress("telegram", str(group.id))) is None

    await eventually(gone)


async def test_a_linking_session_expires(world: TelegramWorld) -> None:
    group, admin = world.group, world.admin
    assert group is not None and admin is not None
    now = [1000.0]
    world.clock = lambda: now[0]
    await world.start()
    payload = await _ask_to_link(world, group, admin)
    now[0] += 16 * 60
    private = world.fake.private(admin)
    world.fake.write(private, admin, f"/start {payload}")
    await world.fake.wait_for(lambda: len(world.fake.sent(private)) == 1)
    assert "expired" in world.fake.sent(private)[0]["text"]


async def test_a_korean_speaking_admin_links_a_chat_that_answers_in_korean(
    world: TelegramWorld,
) -> None:
    admin = world.fake.user("민수", language="ko")
    group = world.fake.group("서울 여행", admins=(admin,))
    await world.start()
    payload = await _ask_to_link(world, group, admin)
    picker = await _paste_key(world, admin, payload, world.owner_key)
    world.fake.press(
        world.fake.private(admin), admin, picker["message_id"], _button(picker, "#general")
    )
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 2)
    assert world.bridge is not None
    link = await world.bridge.links.find(ChatAddress("telegram", str(group.id)))
    assert link is not None and link.language == "ko"
    world.fake.write(group, admin, "/help")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 3)
    assert (
        "도움말" in world.fake.sent(group)[2]["text"] or "여행" in world.fake.sent(group)[2]["text"]
    )


async def test_help_and_trip_commands_in_private_explain_the_bot_and_linking(
    world: TelegramWorld,
) -> None:
    member = world.member
    assert member is not None
    await world.start()
    private = world.fake.private(member)
    for number, text in enumerate(("/help", "/where today"), start=1):
        world.fake.write(private, member, text)
        await world.fake.wait_for(lambda n=number: len(world.fake.sent(private)) == n)
        answer = world.fake.sent(private)[-1]["text"]
        assert "/link" in answer and "answer in the linked group" in answer
