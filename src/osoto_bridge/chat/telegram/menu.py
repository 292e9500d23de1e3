"""The command menus Telegram shows beside the message box, in English and Korean.

Built from the commands' own help (the sink's `CommandCatalog`, so the menu and
``/help`` never disagree), plus the two commands the adapter answers itself
(``/link``, ``/unlink``). Each menu shows only what works where it is shown
(Telegram picks the narrowest scope that has one):

- group chats (``BotCommandScopeAllGroupChats``): the trip commands anyone may use;
- their administrators (``BotCommandScopeAllChatAdministrators``): those and the
  admin-only ones (``/link``, ``/unlink``, ``/share``);
- private chats (``BotCommandScopeAllPrivateChats``): ``/start`` and ``/help``, which
  say what the bot does and how to link; trip commands are answered in the linked
  group only, so a private menu does not offer them.

English is registered as the default for every user; Korean for users whose
Telegram speaks it.
"""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)

from osoto_bridge.chat.base import CommandCatalog

MAX_DESCRIPTION = 256
DEFAULT_LANGUAGE = "en"

_OWN_COMMANDS: dict[str, dict[str, str]] = {
    "link": {
        "en": "Link this chat (or topic) to an Osoto trip channel (chat admins only).",
        "ko": "이 채팅(또는 토픽)을 Osoto 여행 채널에 연결합니다 (채팅 관리자만).",
    },
    "unlink": {
        "en": "Stop relaying this chat (or topic) to Osoto (chat admins only).",
        "ko": "이 채팅(또는 토픽)과 Osoto의 연결을 끊습니다 (채팅 관리자만).",
    },
}


ADMIN_ONLY = frozenset({"link", "unlink", "share"})
"""Commands only a chat admin may use: shown in the administrators' menu only."""

_PRIVATE_COMMANDS: dict[str, dict[str, str]] = {
    "start": {
        "en": "What this bot does, and how to link a group to an Osoto trip.",
        "ko": "이 봇이 하는 일과 그룹을 Osoto 여행에 연결하는 방법.",
    },
    "help": {
        "en": "What this bot does, and how to link a group to an Osoto trip.",
        "ko": "이 봇이 하는 일과 그룹을 Osoto 여행에 연결하는 방법.",
    },
}


def _short(description: str) -> str:
    if len(description) <= MAX_DESCRIPTION:
        return description
    return description[: MAX_DESCRIPTION - 1].rstrip() + "…"


def menu_commands(
    catalog: CommandCatalog, language: str, *, admin: bool = True
) -> list[BotCommand]:
    """A group menu for one language, in ``/help`` order then link commands.

    Args:
        catalog: the bridge's commands.
        language: the menu's language.
        admin: the administrators' menu (with the admin-only commands).
    """
    entries = [
        BotCommand(name, _short(summary)) for name, summary in catalog.menu(language).items()
    ]
    for name, descriptions in _OWN_COMMANDS.items():
        text = descriptions.get(language, descriptions[DEFAULT_LANGUAGE])
        entries.append(BotCommand(name, _short(text)))
    if not admin:
        entries = [entry for entry in entries if entry.command not in ADMIN_ONLY]
    return entries


def private_commands(language: str) -> list[BotCommand]:
    """The menu of a private chat with the bot: ``/start`` and ``/help``."""
    return [
        BotCommand(name, _short(texts.get(language, texts[DEFAULT_LANGUAGE])))
        for name, texts in _PRIVATE_COMMANDS.items()
    ]


def scoped_menus(
    catalog: CommandCatalog, language: str
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Each scope's menu for one language."""
    return [
        (BotCommandScopeAllPrivateChats(), private_commands(language)),
        (BotCommandScopeAllGroupChats(), menu_commands(catalog, language, admin=False)),
        (BotCommandScopeAllChatAdministrators(), menu_commands(catalog, language, admin=True)),
    ]


async def register_menu(bot: Bot, catalog: CommandCatalog) -> None:
    """Register the menus: per scope, English as the default and each other language."""
    for language in catalog.languages:
        code = None if language == DEFAULT_LANGUAGE else language
        for scope, commands in scoped_menus(catalog, language):
            await bot.set_my_commands(commands, scope=scope, language_code=code)
