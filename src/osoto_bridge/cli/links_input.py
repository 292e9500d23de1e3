"""What `osoto-bridge links add` accepts: chat ids checked per platform, and the API key
from the command line, standard input (``--key -``) or a hidden prompt.

A key typed on the command line lands in the shell's history and in ``ps``; the
prompt and stdin keep it out of both.
"""

from __future__ import annotations

import getpass
import re
import sys
from typing import TextIO

from osoto_bridge.cli.common import CommandError

# Telegram chat ids are integers (groups negative, supergroups -100…); forum topics
# are positive integers. Slack conversation ids are upper-case letters and digits
# starting with C (public), G (private) or D (direct message); thread ids are message
# timestamps. The console has one chat.
_CHAT_IDS: dict[str, tuple[re.Pattern[str], str]] = {
    "telegram": (re.compile(r"-?[1-9][0-9]{0,19}"), "an integer such as -1001234567890"),
    "slack": (re.compile(r"[CGD][A-Z0-9]{1,20}"), "a channel id such as C0123456789"),
    "console": (re.compile(r"terminal"), "terminal"),
}
_THREAD_IDS: dict[str, tuple[re.Pattern[str], str]] = {
    "telegram": (re.compile(r"[1-9][0-9]{0,19}"), "a positive integer (the topic id)"),
    "slack": (
        re.compile(r"[0-9]{1,12}\.[0-9]{1,9}"),
        "a message timestamp such as 1718000000.000100",
    ),
}


def check_chat(platform: str, chat: str, thread: str | None) -> tuple[str, str | None]:
    """Return ``chat`` and ``thread`` stripped, or raise a usage error naming the form.

    Raises:
        CommandError: (exit status 2) an id of the wrong form for ``platform``.
    """
    chat = chat.strip()
    pattern, form = _CHAT_IDS[platform]
    if not pattern.fullmatch(chat):
        raise CommandError(
            f"--chat {chat!r} is not a {platform} chat id: give {form} "
            "(docs/linking.md says where to find it)",
            exit_code=2,
        )
    if thread is None:
        return chat, None
    thread = thread.strip()
    if platform not in _THREAD_IDS:
        raise CommandError(f"--thread: a {platform} chat has no threads", exit_code=2)
    pattern, form = _THREAD_IDS[platform]
    if not pattern.fullmatch(thread):
        raise CommandError(
            f"--thread {thread!r} is not a {platform} thread id: give {form}", exit_code=2
        )
    return chat, thread


def read_key(given: str | None, *, stdin: TextIO | None = None) -> str:
    """The API key: ``given``, the first line of stdin for ``-``, or a hidden prompt.

    Raises:
        CommandError: (exit status 2) no key given and no terminal to ask on, or
            an empty key.
    """
    stdin = sys.stdin if stdin is None else stdin
    if given == "-":
        key = stdin.readline()
    elif given is not None:
        key = given
    elif stdin.isatty():
        key = getpass.getpass("Osoto API key (osk_…, not shown): ")
    else:
        raise CommandError(
            "no API key: pass --key - and the key on standard input, run in a terminal "
            "to be asked for it, or give --key KEY",
            exit_code=2,
        )
    key = key.strip()
    if not key:
        raise CommandError("the API key is empty", exit_code=2)
    return key
