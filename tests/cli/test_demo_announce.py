"""`osoto-bridge demo` shows the trip speaking up: the companion's plan changes arrive
as one digest, and a reminder fires (scripted mode, end to end)."""

from __future__ import annotations

import subprocess
import sys


def test_the_demo_shows_a_digest_and_a_reminder() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", "demo"],
        input="/remind\n",
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    chat = result.stdout.split("now reads ---", 1)[0]
    assert "Reminders before commitments: 1 h" in chat
    assert chat.count("The plan changed") == 1
    assert "Moved: Welcome dinner" in chat and "Done: " in chat
    assert chat.count("⏰ Sunset walk starts") == 1
