"""Languages and message catalogs: one `Translator` per language (a leaf room).

The commands answer in it, and the adapters pick a chat's first language with it,
without either knowing the other.
"""

from osoto_bridge.i18n.translator import (
    DEFAULT_LANGUAGE,
    LOCALES_DIR,
    SUPPORTED_LANGUAGES,
    Translator,
    default_language,
    match_language,
    translator,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LOCALES_DIR",
    "SUPPORTED_LANGUAGES",
    "Translator",
    "default_language",
    "match_language",
    "translator",
]
