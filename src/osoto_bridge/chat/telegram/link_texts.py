"""What the bot says during linking: pure functions from facts to documents.

None of these ever receives an API key, so none can show one.
"""

from __future__ import annotations

from collections.abc import Sequence

from osoto_bridge.text import Block, Document, bold, bullet_list, code, doc, link, paragraph

PRIVACY_FIX = (
    "I can't read ordinary messages in this group yet (Telegram privacy mode), so only "
    "commands would reach Osoto. Fix it either way: make me an admin of this group, or "
    "in @BotFather send /setprivacy, pick this bot, choose Disable, then remove me from "
    "the group and add me again."
)


def not_admin(name: str) -> Document:
    return doc(
        paragraph(
            f"Sorry {name}, only the admins of this chat can link it to a trip or unlink it. "
            "Ask one of them to send /link."
        )
    )


def anonymous_admin() -> Document:
    return doc(
        paragraph(
            "I can't tell which admin you are while you post anonymously, so I can't "
            "start a private chat with you. Turn off “Remain anonymous” for a moment "
            "and send /link again."
        )
    )


def open_private_chat(
    name: str, deep_link: str, *, current: str | None, privacy_fix: bool, minutes: int
) -> Document:
    blocks: list[Block] = [
        paragraph(
            f"{name}, let's link this chat to an Osoto trip. Open a private chat with me: ",
            link(deep_link, "continue linking"),
            f" (valid for {minutes} minutes). ",
            bold("Paste the API key only there, never in this group."),
        )
    ]
    if current:
        blocks.append(
            paragraph(f"This chat is linked to {current} now; linking again replaces it.")
        )
    if privacy_fix:
        blocks.append(paragraph("⚠️ " + PRIVACY_FIX))
    return doc(*blocks)


def ask_for_key(group_title: str) -> Document:
    return doc(
        paragraph("Linking ", bold(group_title), " to Osoto."),
        paragraph(
            "Paste an Osoto API key for the trip here (it starts with ",
            code("osk_"),
            "). Give it the scopes messages:read and messages:write, and trips:read and "
            "trips:write for /where, /todo and the rest, limited to the trip. I delete "
            "your message as soon as I have read it.",
        ),
        paragraph(
            "If the key reaches several trips, or only one trip's messages, add the trip "
            "id after it: ",
            code("osk_… <tripId>"),
            ".",
        ),
    )


def key_deleted_no_flow() -> Document:
    return doc(
        paragraph(
            "I deleted that message because it holds an API key. To link a group, send "
            "/link in the group first, then follow the link I post there."
        )
    )


def key_refused(reason: str) -> Document:
    return doc(
        paragraph(f"⚠️ That key can't link this chat: {reason}."),
        paragraph("Paste another key, or fix the key's scopes in Osoto and paste it again."),
    )


def choose_channel(
    trip_title: str, owner: str, group_title: str, warnings: Sequence[str]
) -> Document:
    blocks: list[Block] = [
        paragraph("✅ Key accepted: trip ", bold(trip_title), f", owned by {owner}."),
    ]
    if warnings:
        blocks.append(paragraph("Note:"))
        blocks.append(bullet_list(*warnings))
    blocks.append(paragraph("Which Osoto channel should ", bold(group_title), " relay?"))
    return doc(*blocks)


def expired() -> Document:
    return doc(
        paragraph("That linking session has expired. Send /link in the group again to start over.")
    )


def wrong_admin() -> Document:
    return doc(
        paragraph(
            "This linking link was made for another admin. Send /link in the group yourself "
            "to get your own."
        )
    )


def paste_key_hint() -> Document:
    return doc(paragraph("Paste the Osoto API key here (it starts with ", code("osk_"), ")."))


def private_intro() -> Document:
    return doc(
        paragraph(
            "Hi! I relay an Osoto trip's channel into a Telegram group and answer trip questions."
        ),
        paragraph(
            "Add me to your group, then send /link there (as a group admin). I'll bring you "
            "back here to paste the trip's API key privately."
        ),
        paragraph(
            "Trip commands (/where, /todo, /plan …) answer in the linked group, for "
            "everyone there; send /help in the group to see them all."
        ),
    )


def cancelled() -> Document:
    return doc(paragraph("Linking cancelled. Nothing was changed."))


def linked_private(group_title: str, trip_title: str, channel: str) -> Document:
    return doc(
        paragraph("✅ Linked ", bold(group_title), " to ", bold(trip_title), f", #{channel}."),
        paragraph("You can delete this chat; the key is stored encrypted by the bridge."),
    )


def linked_group(trip_title: str, channel: str, admin: str, warnings: Sequence[str]) -> Document:
    blocks: list[Block] = [
        paragraph(
            "✅ This chat is now linked to the Osoto trip ",
            bold(trip_title),
            f", channel #{channel} (by {admin}). Messages relay both ways; try /help.",
        )
    ]
    if warnings:
        blocks.append(bullet_list(*warnings))
    return doc(*blocks)


def unlinked(trip_title: str, channel: str) -> Document:
    return doc(
        paragraph(
            "This chat is no longer linked to ",
            bold(trip_title),
            f" (#{channel}). Nothing more is relayed. Revoke the key in Osoto if it is no "
            "longer needed.",
        )
    )


def not_linked() -> Document:
    return doc(paragraph("This chat is not linked to any Osoto trip. An admin can send /link."))


def paused_link_back(trip_title: str, channel: str) -> Document:
    return doc(
        paragraph(
            "👋 I'm back. This chat's link to ",
            bold(trip_title),
            f" (#{channel}) was paused while I was removed, so nothing was relayed. "
            "An admin can send /link to resume it.",
        )
    )
