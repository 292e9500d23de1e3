"""A Telegram group and an Osoto trip channel in one conversation, told as the group's story.

Each test runs the real bridge and the real Telegram adapter (python-telegram-bot over
loopback HTTP) against the fake Bot API and the real sandbox.
"""

from __future__ import annotations

from telegram_world import TelegramWorld, eventually


async def test_an_osoto_message_reaches_the_group_once_as_html(world: TelegramWorld) -> None:
    await world.start()
    assert world.group is not None
    await world.link(world.group)
    world.companion_says("Dinner at **7** <b>sharp</b>? @everyone")
    await world.fake.wait_for(lambda: len(world.fake.sent(world.group)) == 1)
    (message,) = world.fake.sent(world.group)
    assert message["text"].startswith("Ben: Dinner at 7 ")
    assert "<b>7</b>" in message["html"]
    assert "<b>sharp" not in message["html"]  # Osoto's text is shown, never obeyed
    assert "@everyone" not in message["text"]  # neutralised, cannot ping
    (call,) = [c for c in world.fake.calls_to("sendMessage")]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}


async def test_a_group_message_reaches_osoto_once_and_is_not_echoed(world: TelegramWorld) -> None:
    await world.start()
    assert world.group is not None and world.member is not None
    await world.link(world.group)
    world.fake.write(
        world.group,
        world.member,
        "I'll bring the maps",
        entities=[{"type": "bold", "offset": 15, "length": 4}],
    )
    (posted,) = await world.until_in_osoto(1)
    assert posted.content == "Bob (Telegram): I'll bring the **maps**"
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    assert world.fake.sent(world.group) == []  # never echoed back


async def test_replies_map_both_ways(world: TelegramWorld) -> None:
    await world.start()
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.link(group)
    question = world.companion_says("Who has the tickets?")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    in_chat = world.fake.sent(group)[0]["message_id"]

    answer = world.fake.write(group, member, "I do!", reply_to=in_chat)
    messages = await world.until_in_osoto(2)
    reply = next(m for m in messages if "I do!" in m.content)
    assert reply.parent_id == question

    world.companion_says("Great, thanks", parent_id=reply.id)
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 2)
    thanks = world.fake.sent(group)[1]
    assert thanks["reply_to_message"]["message_id"] == answer["message_id"]


async def test_a_reply_to_a_message_from_before_the_link_carries_a_quote(
    world: TelegramWorld,
) -> None:
    await world.start()
    group, member, admin = world.group, world.member, world.admin
    assert group is not None and member is not None and admin is not None
    old = world.fake.write(group, admin, "The ferry leaves at 9")
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    await world.link(group)
    world.fake.write(group, member, "Too early!", reply_to=old["message_id"])
    (posted,) = await world.until_in_osoto(1)
    assert posted.parent_id is None
    assert "Alice: The ferry leaves at 9" in posted.content
    assert "Too early!" in posted.content


async def test_forum_topics_each_relay_their_own_channel(world: TelegramWorld) -> None:
    fake = world.fake
    admin, member = world.admin, world.member
    assert admin is not None and member is not None
    forum = fake.group("Trip forum", forum=True, admins=(admin,), members=(member,))
    plans_topic = fake.topic(forum, "Plans", creator=admin)
    other_topic = fake.topic(forum, "Memes", creator=admin)
    await world.start()
    await world.link(forum, thread_id=plans_topic)

    world.fake.write(forum, member, "in the plans topic", thread_id=plans_topic)
    (posted,) = await world.until_in_osoto(1)
    assert posted.content.endswith("in the plans topic")
    assert posted.parent_id is None  # the topic's opening is no reply

    world.companion_says("seen in Osoto")
    await fake.wait_for(lambda: len(fake.sent(forum)) == 1)
    (delivered,) = fake.sent(forum)
    assert delivered["message_thread_id"] == plans_topic
    assert delivered["is_topic_message"] is True

    # a reply inside the topic answers in the topic, and maps back as a reply
    fake.write(forum, member, "me too", thread_id=plans_topic, reply_to=delivered["message_id"])
    messages = await world.until_in_osoto(3)
    assert messages[-1].parent_id == messages[1].id

    # the other topic is not linked (and the chat has no chat-wide link): nothing relays
    fake.write(forum, member, "unrelated meme", thread_id=other_topic)
    await fake.wait_for(lambda: fake.pending_updates == 0)
    assert all("meme" not in m.content for m in await world.osoto_messages())


async def test_an_edit_follows_up_as_a_marked_reply_to_the_original(world: TelegramWorld) -> None:
    await world.start()
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.link(group)
    original = world.fake.write(group, member, "meet at 6")
    await world.until_in_osoto(1)
    world.fake.edit(group, original["message_id"], "meet at 7")
    first, edit = await world.until_in_osoto(2)
    assert edit.parent_id == first.id
    assert "edited" in edit.content and "meet at 7" in edit.content


async def test_media_relay_as_clear_text_lines_with_captions(world: TelegramWorld) -> None:
    await world.start()
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.link(group)
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    world.fake.post(group, member, photo=photo, caption="the view from the castle")
    world.fake.post(group, member, location={"latitude": 38.7139, "longitude": -9.1334})
    world.fake.post(
        group,
        member,
        voice={"file_id": "v1", "file_unique_id": "v1u", "duration": 3},
    )
    world.fake.post(
        group,
        member,
        poll={
            "id": "poll1",
            "question": "Which beach?",
            "options": [
                {"persistent_id": "o1", "text": "Cascais", "voter_count": 0},
                {"persistent_id": "o2", "text": "Costa da Caparica", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        },
    )
    world.fake.post(group, member, new_chat_members=[member.json()])  # a service message
    contents = [m.content for m in await world.until_in_osoto(4)]
    assert "📷 Photo" in contents[0] and "the view from the castle" in contents[0]
    assert "📍 Location:" in contents[1]
    assert "openstreetmap.org/?mlat=38.713900&mlon=-9.133400" in contents[1]
    assert "🎤 Voice message" in contents[2]
    assert "📊 Poll: Which beach?" in contents[3] and "Costa da Caparica" in contents[3]
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    assert len(await world.osoto_messages()) == 4  # the join was not relayed


async def test_a_group_upgraded_to_a_supergroup_keeps_its_link(world: TelegramWorld) -> None:
    fake = world.fake
    admin, member = world.admin, world.member
    assert admin is not None and member is not None
    basic = fake.group("Old group", supergroup=False, admins=(admin,), members=(member,))
    await world.start()
    await world.link(basic)
    supergroup = fake.migrate(basic)
    fake.write(supergroup, member, "hello from the supergroup")
    (posted,) = await world.until_in_osoto(1)
    assert "hello from the supergroup" in posted.content
    world.companion_says("and back")
    await fake.wait_for(lambda: len(fake.sent(supergroup)) == 1)
    assert fake.sent(basic) == []


async def test_a_message_to_a_group_that_migrated_unnoticed_follows_it(
    world: TelegramWorld,
) -> None:
    fake = world.fake
    admin = world.admin
    assert admin is not None
    basic = fake.group("Old group", supergroup=False, admins=(admin,))
    await world.start()
    assert world.bridge is not None and world.store is not None
    link = await world.link(basic)
    # the migration happened while the bridge was not looking: its update is gone
    supergroup = fake.migrate(basic)
    fake.lose_updates()
    world.companion_says("are you there?")
    await fake.wait_for(lambda: len(fake.sent(supergroup)) == 1)
    moved = await world.store.get_link(link.id)
    assert moved is not None and moved.chat_id == str(supergroup.id)


async def test_commands_answer_in_the_chat_and_todo_buttons_tick_items_off(
    world: TelegramWorld,
) -> None:
    await world.start()
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.link(group)
    item = await world.client.create_action_item(
        world.trip_id, text="Book the ferry", urgency="now"
    )
    world.fake.write(group, member, "/todo@osoto_test_bot")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    (answer,) = world.fake.sent(group)
    assert "Book the ferry" in answer["text"]
    (row,) = answer["reply_markup"]["inline_keyboard"]
    (button,) = row
    assert len(button["callback_data"].encode()) <= 64

    world.fake.press(group, member, answer["message_id"], button["callback_data"])
    await world.fake.wait_for(lambda: bool(world.fake.calls_to("answerCallbackQuery")))
    # The list is redrawn in place (no second message), without the ticked item and
    # its button; the confirmation is a toast for the presser alone.
    (updated,) = world.fake.sent(group)
    assert updated["message_id"] == answer["message_id"]
    assert "Book the ferry" not in updated["text"] and "Nothing left to do" in updated["text"]
    assert "reply_markup" not in updated
    (toast,) = world.fake.calls_to("answerCallbackQuery")
    assert "Done: Book the ferry" in toast.params["text"]

    async def done() -> bool:
        export = await world.client.export_trip(world.trip_id)
        return any(i.id == item.id and i.done for i in export.action_items)

    await eventually(done)
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    assert await world.osoto_messages() == []  # commands are answered, never relayed


async def test_a_command_menu_is_registered_in_english_and_korean(world: TelegramWorld) -> None:
    await world.start()
    menus = world.fake.commands
    scopes = ("all_private_chats", "all_group_chats", "all_chat_administrators")
    assert set(menus) == {(scope, lang) for scope in scopes for lang in ("", "ko")}
    admins = ("all_chat_administrators", "")
    english = {c["command"]: c["description"] for c in menus[admins]}
    korean = {c["command"]: c["description"] for c in menus[(admins[0], "ko")]}
    assert {"where", "todo", "link", "unlink", "help"} <= set(english)
    assert set(english) == set(korean)
    assert english["where"] != korean["where"]


async def test_each_menu_shows_only_what_works_there(world: TelegramWorld) -> None:
    await world.start()
    menus = world.fake.commands
    for lang in ("", "ko"):
        members = {c["command"] for c in menus[("all_group_chats", lang)]}
        admins = {c["command"] for c in menus[("all_chat_administrators", lang)]}
        private = {c["command"] for c in menus[("all_private_chats", lang)]}
        assert {"link", "unlink", "share"} <= admins
        assert not {"link", "unlink", "share"} & members
        assert {"where", "todo", "done", "help"} <= members <= admins
        # trip commands answer in the linked group only: a private chat offers none
        assert private == {"start", "help"}


async def test_a_command_in_a_topic_is_answered_in_that_topic(world: TelegramWorld) -> None:
    fake = world.fake
    admin, member = world.admin, world.member
    assert admin is not None and member is not None
    forum = fake.group("Trip forum", forum=True, admins=(admin,), members=(member,))
    topic = fake.topic(forum, "Plans", creator=admin)
    await world.start()
    await world.link(forum, thread_id=topic)
    question = fake.write(forum, member, "/trip", thread_id=topic)
    await fake.wait_for(lambda: len(fake.sent(forum)) == 1)
    (answer,) = fake.sent(forum)
    assert answer["message_thread_id"] == topic
    assert answer["reply_to_message"]["message_id"] == question["message_id"]
    assert "Lisbon" in answer["text"]


async def test_commands_for_another_bot_are_left_to_that_bot(world: TelegramWorld) -> None:
    await world.start()
    group, member = world.group, world.member
    assert group is not None and member is not None
    await world.link(group)
    world.fake.write(group, member, "/trip@SomeOtherBot")
    world.fake.write(group, member, "/trip@Osoto_Test_Bot")
    await world.fake.wait_for(lambda: len(world.fake.sent(group)) == 1)
    await world.fake.wait_for(lambda: world.fake.pending_updates == 0)
    assert len(world.fake.sent(group)) == 1
    assert world.fake.sent(group)[0]["reply_to_message"]["text"] == "/trip@Osoto_Test_Bot"
    assert await world.osoto_messages() == []
