"""`osoto-bridge run`: refuses bad settings in one line; stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from osoto_bridge.store import generate_secret_key


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSOTO_BRIDGE_")}
    env["OSOTO_BRIDGE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    env["OSOTO_BRIDGE_HTTP_PORT"] = "0"  # any free port: runs in parallel never collide
    env.update(extra)
    return env


def test_without_a_secret_key_run_refuses_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", "run"],
        env=_env(tmp_path, OSOTO_BRIDGE_CONSOLE="true"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "osoto-bridge: error: OSOTO_BRIDGE_SECRET_KEY is not set: it encrypts API keys at rest. "
        "Create one with `osoto-bridge secret-key` and keep it safe."
    ]


def test_without_a_chat_platform_run_says_which_settings_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", "run"],
        env=_env(tmp_path, OSOTO_BRIDGE_SECRET_KEY=generate_secret_key()),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "no chat platform is configured" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = _env(tmp_path, OSOTO_BRIDGE_SECRET_KEY=generate_secret_key(), OSOTO_BRIDGE_CONSOLE="true")
    with subprocess.Popen(
        [sys.executable, "-m", "osoto_bridge", "run"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            for line in proc.stderr:  # blocks until the bridge says it runs
                if "bridge running" in line:
                    break
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
            rest = proc.stderr.read()
            assert "stopping" in rest
            assert "Traceback" not in rest
        finally:
            if proc.poll() is None:
                proc.kill()


def test_webhook_and_event_routes_are_served_only_where_configured() -> None:
    from osoto_bridge.cli.run_cmd import adapter_routes, build_adapters
    from osoto_bridge.config import load_settings

    http_mode = load_settings(
        {
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": "123456:" + "A" * 35,
            "OSOTO_BRIDGE_TELEGRAM_WEBHOOK_URL": "https://bridge.example/telegram/hook",
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": "xoxb-test",
            "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": "shh",
        }
    )
    paths = sorted(
        getattr(r, "path", "") for r in adapter_routes(build_adapters(http_mode), http_mode)
    )
    assert paths == ["/slack/events", "/telegram/hook"]

    socket_mode = load_settings(
        {
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": "123456:" + "A" * 35,
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": "xoxb-test",
            "OSOTO_BRIDGE_SLACK_APP_TOKEN": "xapp-test",
        }
    )
    assert adapter_routes(build_adapters(socket_mode), socket_mode) == []


def test_run_says_at_start_which_links_it_will_not_serve(tmp_path: Path) -> None:
    import asyncio

    from osoto_bridge.store import Store

    secret = generate_secret_key()
    env = _env(tmp_path, OSOTO_BRIDGE_SECRET_KEY=secret, OSOTO_BRIDGE_CONSOLE="true")

    async def link_on_slack() -> int:
        async with Store.open(env["OSOTO_BRIDGE_DATABASE_URL"], secret_keys=[secret]) as store:
            link = await store.add_link(
                platform="slack",
                chat_id="C0123456789",
                thread_id=None,
                trip_id="t1",
                trip_title="Lisbon",
                channel_id="c1",
                channel_name="general",
                api_key="osk_runtest_" + "k" * 30,
                owner_user_id="u1",
                scopes=["messages:read:t1"],
            )
            return link.id

    link_id = asyncio.run(link_on_slack())
    with subprocess.Popen(
        [sys.executable, "-m", "osoto_bridge", "run"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            seen = []
            for line in proc.stderr:
                seen.append(line)
                if "bridge running" in line:
                    break
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    text = "".join(seen)
    assert (
        f"1 link(s) on slack will not be served (links {link_id}): slack is not configured "
        "in this process; set OSOTO_BRIDGE_SLACK_BOT_TOKEN to serve them"
    ) in text
    assert "bridge running: 0 link(s) served (console 0)" in text


def test_a_second_run_on_one_sqlite_file_refuses_in_one_line_until_the_first_is_killed(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path, OSOTO_BRIDGE_SECRET_KEY=generate_secret_key(), OSOTO_BRIDGE_CONSOLE="true")
    argv = [sys.executable, "-m", "osoto_bridge", "run"]

    def close(proc: subprocess.Popen[str]) -> None:
        for pipe in (proc.stdin, proc.stderr):
            if pipe is not None:
                pipe.close()

    def running() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        for line in proc.stderr:  # blocks until the bridge says it runs
            if "bridge running" in line:
                return proc
        proc.kill()
        close(proc)
        raise AssertionError(f"run ended early with {proc.wait()}")

    first = running()
    try:
        second = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=60, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert second.returncode == 2
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("osoto-bridge: error: ")
        assert f"pid {first.pid}" in lines[0]
        assert "bridge.db.lock" in lines[0]
        # SIGKILL: no clean-up ran, yet the kernel dropped the lock with the process.
        first.kill()
        first.wait(timeout=30)
        third = running()
        third.send_signal(signal.SIGTERM)
        assert third.wait(timeout=30) == 0
        close(third)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
        close(first)
