"""The message catalogs are complete and current; the day-word index matches Babel."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from osoto_bridge.commands import SUPPORTED_LANGUAGES, translator
from osoto_bridge.commands.day_words import build_world_words, world_words
from osoto_bridge.i18n import LOCALES_DIR

SOURCE = Path(__file__).resolve().parents[2] / "src" / "osoto_bridge"
PACKAGES = (SOURCE / "commands", SOURCE / "web" / "share")  # what speaks the catalogs
MessageId = str | tuple[str, ...]


def _extracted() -> set[MessageId]:
    found: set[MessageId] = set()
    keywords = {"gettext": None, "ngettext": (1, 2)}
    for package in PACKAGES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(package), keywords=keywords, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def _key(message_id: object) -> MessageId:
    return message_id if isinstance(message_id, str) else tuple(message_id)  # type: ignore[arg-type]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_catalog_holds_exactly_the_messages_of_the_code(language: str) -> None:
    catalog = _catalog(language)
    in_catalog = {_key(m.id) for m in catalog if m.id}
    in_code = _extracted()
    assert in_code - in_catalog == set(), "missing: run pybabel extract/update (see i18n.py)"
    assert in_catalog - in_code == set(), "obsolete: run pybabel update (see i18n.py)"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    catalog = _catalog(language)
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert strings and all(strings), f"untranslated: {message.id!r}"
        wanted = set().union(*(_fields(i) for i in ids)) - {"n"}
        for text in strings:
            assert _fields(text) - {"n"} == wanted, (message.id, text)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_compiled_catalog_matches_its_source(language: str) -> None:
    source = _catalog(language)
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = read_mo(f)
    buffer = io.BytesIO()
    write_mo(buffer, source)
    buffer.seek(0)
    fresh = read_mo(buffer)
    assert {_key(m.id): m.string for m in compiled if m.id} == {
        _key(m.id): m.string for m in fresh if m.id
    }, "stale .mo: run pybabel compile (see i18n.py)"


def test_korean_answers_are_korean() -> None:
    tr = translator("ko")
    assert tr.gettext("To do") == "할 일"
    assert tr.ngettext("{n} member", "{n} members", 3) == "멤버 3명"
    assert translator("en").ngettext("{n} member", "{n} members", 1) == "1 member"
    assert translator("ko-KR").language == "ko"
    assert translator("fr").language == "en"


def test_the_day_word_index_matches_the_installed_babel() -> None:
    built = build_world_words()
    stored = world_words()
    assert dict(stored.relative) == dict(built.relative), (
        "run: python -m osoto_bridge.commands.day_words"
    )
    assert dict(stored.weekdays) == dict(built.weekdays)
