"""The command menu Telegram shows beside the message box, in English and Korean.

Built from the commands' own help (the sink's `CommandCatalog`, so the menu and
``/help`` never disagree), plus
the two commands the adapter answers itself (``/link``, ``/unlink``). English is
registered as the default for every user; Korean for users whose Telegram speaks it.
"""

from __future__ import annotations

from telegram import Bot, BotCommand

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


def _short(description: str) -> str:
    if len(description) <= MAX_DESCRIPTION:
        return description
    return description[: MAX_DESCRIPTION - 1].rstrip() + "…"


def menu_commands(catalog: CommandCatalog, language: str) -> list[BotCommand]:
    """The menu entries for one language, in ``/help`` order then link commands."""
    entries = [
        BotCommand(name, _short(summary)) for name, summary in catalog.menu(language).items()
    ]
    for name, descriptions in _OWN_COMMANDS.items():
        text = descriptions.get(language, descriptions[DEFAULT_LANGUAGE])
        entries.append(BotCommand(name, _short(text)))
    return entries


async def register_menu(bot: Bot, catalog: CommandCatalog) -> None:
    """Register the menu: English as the default, each other language under its code."""
    for language in catalog.languages:
        code = "" if language == DEFAULT_LANGUAGE else language
        await bot.set_my_commands(menu_commands(catalog, language), language_code=code or None)
