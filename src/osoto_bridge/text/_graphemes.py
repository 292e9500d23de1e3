"""Where text may be cut without splitting a user-perceived character.

An approximation of Unicode extended grapheme clusters that needs no tables
beyond :mod:`unicodedata`: it never cuts before a combining or enclosing mark, a
variation selector, an emoji skin-tone modifier, a tag character or a zero-width
joiner, nor right after a zero-width joiner, nor between the two regional
indicators of a flag, nor inside a Hangul jamo syllable. Python strings hold code
points, so a UTF-16 surrogate pair is never split either.
"""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"


def _extends(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0x1160 <= code <= 0x11FF  # Hangul medial vowels and final consonants
        or 0xD7B0 <= code <= 0xD7FF
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def is_boundary(value: str, index: int) -> bool:
    """Return whether ``value`` may be cut just before ``value[index]``."""
    if index <= 0 or index >= len(value):
        return True
    char, before = value[index], value[index - 1]
    if char == "\n" or before == "\n":
        return before != "\r"
    if _extends(char) or before == _ZWJ:
        return False
    if _regional(char) and _regional(before):
        # Flags pair up regional indicators from the start of the run.
        start = index - 1
        while start > 0 and _regional(value[start - 1]):
            start -= 1
        return (index - start) % 2 == 0
    return True


def boundaries(value: str) -> list[int]:
    """Return every index in ``value`` (exclusive of 0 and ``len``) that may be cut."""
    return [index for index in range(1, len(value)) if is_boundary(value, index)]
