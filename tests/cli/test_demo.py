"""`osoto-bridge demo`, scripted: it reads the given lines, prints the transcript and
exits 0 (the README's main-job command, checked end to end)."""

from __future__ import annotations

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
    # the companion's Osoto message reached the terminal
    assert "Just landed!" in out
    # commands were answered (not relayed)
    assert "/where" in out
    # what was typed reached Osoto, attributed, once each
    osoto_part = out.split("now reads ---", 1)[1]
    assert osoto_part.count("(Console): hello from the terminal") == 1
    assert osoto_part.count("(Console): see you there") == 1
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
