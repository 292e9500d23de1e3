"""`osoto-bridge demo`, scripted: it reads the given lines, prints the transcript and
exits 0 (the README's main-job command, checked end to end)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys


def test_the_demo_relays_both_ways_and_answers_commands() -> None:
    lines = "hello from the terminal\n/help\n/where tomorrow\nsee you there\n"
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", "demo"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the companion's Osoto message reached the terminal, about the trip's city
    assert "#1 Bongani Dlamini: " in out
    first = out.split("#1 Bongani Dlamini: ", 1)[1].splitlines()[0]
    assert any(city in first for city in ("London", "Holborn", "Berlin", "British Museum"))
    # what you typed is in the transcript, so "(↪ your message)" points at it
    assert out.index("you> /help") < out.index("(↪ your message)")
    # commands were answered (not relayed)
    assert "/where" in out
    # what was typed reached Osoto, attributed, once each
    osoto_part = out.split("now reads ---", 1)[1]
    assert osoto_part.count("(console): hello from the terminal") == 1
    # the console user is the key's owner: Osoto's line does not repeat the name
    assert "Alice Martin (console): hello from the terminal" in osoto_part
    assert "**You**" not in osoto_part
    assert osoto_part.count("(console): see you there") == 1
    assert "/help" not in osoto_part
    assert "Traceback" not in result.stderr


def test_a_busy_port_is_one_line_with_the_fix_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "osoto_bridge", "demo", "--port", str(port)],
            input="",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "choose another --port" in result.stderr
    assert "Traceback" not in result.stderr


def test_buttons_are_choices_and_replies_are_confirmed_in_the_transcript() -> None:
    lines = "/todo\n!2\n>1 count me in\n>42 hello?\n"
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", "demo"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "   !1 ✓ 1\n   !2 ✓ 2\n   !3 ✓ 3\n" in out
    assert "(picked !2 ✓ 2 under #2)" in out
    assert "Done: Pack adapters (UK and EU)" in out  # the pick ticked item 2
    assert "(↪ replying to #1 Bongani Dlamini: " in out
    assert "(there is no #42: sent as a plain message)" in out
    osoto_part = out.split("now reads ---", 1)[1]
    assert "Alice Martin (console): count me in" in osoto_part


def test_the_demos_share_link_is_its_own_local_page() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", "demo"],
        input="/share\n",
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"http://127\.0\.0\.1:\d+/share/shr_[\w-]+\b", out), out
    assert re.search(r"http://127\.0\.0\.1:\d+/share/shr_[\w-]+/calendar\.ics", out), out
    assert "/api/v1/shared/" not in out
