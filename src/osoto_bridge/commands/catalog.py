"""The commands as the adapters may know them: `chat.base.CommandCatalog`.

Adapters parse no commands: they ask this catalog (through the sink) whether a word
is one, what to answer to one that is not, and what a platform menu lists.
"""

from __future__ import annotations

from collections.abc import Mapping

from osoto_bridge.commands.answers.help import command_help
from osoto_bridge.commands.answers.meta import answer_unknown_command
from osoto_bridge.commands.parser import parse_command
from osoto_bridge.i18n import SUPPORTED_LANGUAGES, translator
from osoto_bridge.text import Document

__all__ = ["COMMAND_CATALOG", "CommandCatalog"]


class CommandCatalog:
    """The bridge's commands, answering the questions of `chat.base.CommandCatalog`."""

    @property
    def languages(self) -> tuple[str, ...]:
        return SUPPORTED_LANGUAGES

    def is_command(self, text: str) -> bool:
        return parse_command(text, slashless=True) is not None

    def unknown(self, language: str, typed: str) -> Document:
        return answer_unknown_command(translator(language), typed)

    def menu(self, language: str) -> Mapping[str, str]:
        return {name: entry.summary for name, entry in command_help(translator(language)).items()}


COMMAND_CATALOG = CommandCatalog()
"""The one catalog (it holds no state)."""
