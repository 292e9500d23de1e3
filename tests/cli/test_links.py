"""`osoto-bridge links add | list | remove` against a sandbox on a loopback port."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import generate_secret_key


@pytest.fixture
async def served() -> AsyncIterator[tuple[Sandbox, dict[str, object], str]]:
    sandbox = Sandbox(":memory:")
    creds = sandbox.seed_demo()
    server = uvicorn.Server(
        uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield sandbox, creds, f"http://127.0.0.1:{port}/api/v1"
    finally:
        server.should_exit = True
        await task
        sandbox.close()


async def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "osoto_bridge",
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await proc.communicate()
    return subprocess.CompletedProcess(args, proc.returncode or 0, out.decode(), err.decode())


async def test_add_list_and_remove_a_link(
    served: tuple[Sandbox, dict[str, object], str], tmp_path: Path
) -> None:
    _, creds, base_url = served
    user = creds["users"][0]  # type: ignore[index]
    trip = creds["trips"][0]  # type: ignore[index]
    env = {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": base_url,
        "OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "OSOTO_BRIDGE_SECRET_KEY": generate_secret_key(),
    }
    added = await _cli(
        [
            "links",
            "add",
            "--platform",
            "telegram",
            "--chat",
            "-100123",
            "--key",
            user["apiKey"],
            "--trip",
            trip["id"],
        ],
        env,
    )
    assert added.returncode == 0, added.stderr
    assert "relay Osoto → chat" in added.stdout
    assert user["apiKey"] not in added.stdout + added.stderr

    listed = await _cli(["links", "list"], env)
    assert listed.returncode == 0
    assert "telegram:-100123" in listed.stdout and "#general" in listed.stdout
    assert user["apiKey"] not in listed.stdout

    changed = await _cli(["links", "set", "1", "--show-sensitive", "on", "--language", "ko"], env)
    assert changed.returncode == 0, changed.stderr
    assert "[shows sensitive fields]" in changed.stdout and "lang ko" in changed.stdout
    nothing = await _cli(["links", "set", "1"], env)
    assert nothing.returncode == 1 and "nothing to change" in nothing.stderr

    removed = await _cli(["links", "remove", "1"], env)
    assert removed.returncode == 0
    again = await _cli(["links", "remove", "1"], env)
    assert again.returncode == 1
    assert again.stderr.startswith("osoto-bridge: error: no link with id 1")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("osk_not_a_real_key_0000000000", "did not accept this key"),
    ],
)
async def test_a_bad_key_is_a_one_line_error(
    served: tuple[Sandbox, dict[str, object], str], tmp_path: Path, key: str, expected: str
) -> None:
    _, _, base_url = served
    env = {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": base_url,
        "OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "OSOTO_BRIDGE_SECRET_KEY": generate_secret_key(),
    }
    result = await _cli(
        ["links", "add", "--platform", "telegram", "--chat", "1", "--key", key], env
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def test_a_key_without_message_access_is_refused_with_the_scope_to_add(
    served: tuple[Sandbox, dict[str, object], str], tmp_path: Path
) -> None:
    sandbox, creds, base_url = served
    user = creds["users"][0]  # type: ignore[index]
    trip = creds["trips"][0]  # type: ignore[index]
    weak = sandbox.create_key(user["id"], [f"trips:read:{trip['id']}"])
    env = {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": base_url,
        "OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "OSOTO_BRIDGE_SECRET_KEY": generate_secret_key(),
    }
    result = await _cli(["links", "add", "--platform", "slack", "--chat", "C1", "--key", weak], env)
    assert result.returncode == 1
    assert f"messages:read:{trip['id']}" in result.stderr
    assert json.dumps(weak) not in result.stderr


async def test_a_viewers_key_is_linked_but_not_said_to_change_the_trip(
    served: tuple[Sandbox, dict[str, object], str], tmp_path: Path
) -> None:
    # In the demo, Daichi is a viewer of the trip: his key passes every scope probe,
    # yet Osoto refuses his changes.
    sandbox, creds, base_url = served
    daichi = creds["users"][3]  # type: ignore[index]
    trip = creds["trips"][0]  # type: ignore[index]
    scopes = [f"{s}:{trip['id']}" for s in ("trips:read", "trips:write")]
    scopes += [f"{s}:{trip['id']}" for s in ("messages:read", "messages:write")]
    key = sandbox.create_key(daichi["id"], scopes)
    env = {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": base_url,
        "OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "OSOTO_BRIDGE_SECRET_KEY": generate_secret_key(),
    }
    result = await _cli(
        ["links", "add", "--platform", "slack", "--chat", "C0123456789", "--key", key], env
    )
    assert result.returncode == 0, result.stderr
    (can,) = [line for line in result.stdout.splitlines() if line.startswith("can:")]
    assert "/todo add" not in can and "relay chat → Osoto" in can
    assert "viewer on the trip" in result.stdout
    assert "is a viewer on this trip" in result.stdout


async def test_list_creates_no_database_and_needs_no_secret_key(
    served: tuple[Sandbox, dict[str, object], str], tmp_path: Path
) -> None:
    _, creds, base_url = served
    user = creds["users"][0]  # type: ignore[index]
    trip = creds["trips"][0]  # type: ignore[index]
    db = tmp_path / "b.db"
    bare = {
        "OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "OSOTO_BRIDGE_SECRET_KEY": "",
    }
    for argv in (
        ["links", "list"],
        ["links", "remove", "1"],
        ["links", "set", "1", "--enabled", "on"],
    ):
        result = await _cli(argv, bare)
        assert "Traceback" not in result.stderr
        assert not db.exists(), argv  # a read never creates the database
    listed = await _cli(["links", "list"], bare)
    assert listed.returncode == 0, listed.stderr
    assert "no links yet" in listed.stdout

    secret = generate_secret_key()
    env = {**bare, "OSOTO_BRIDGE_SECRET_KEY": secret, "OSOTO_BRIDGE_OSOTO_BASE_URL": base_url}
    argv = ["links", "add", "--platform", "telegram", "--chat", "-1001", "--trip", trip["id"]]
    added = await _cli([*argv, "--key", user["apiKey"]], env)
    assert added.returncode == 0, added.stderr
    # without the secret key (or with a malformed one) the list still shows the link
    for key in ("", "not-a-key"):
        listed = await _cli(["links", "list"], {**bare, "OSOTO_BRIDGE_SECRET_KEY": key})
        assert listed.returncode == 0, listed.stderr
        assert "telegram:-1001" in listed.stdout


@pytest.mark.parametrize(
    ("platform", "chat", "thread", "expected"),
    [
        ("telegram", "abc", None, "--chat 'abc' is not a telegram chat id"),
        ("telegram", "-100 123", None, "is not a telegram chat id"),
        ("telegram", "1.5", None, "is not a telegram chat id"),
        ("telegram", "-1001", "topic", "--thread 'topic' is not a telegram thread id"),
        ("slack", "general", None, "--chat 'general' is not a slack chat id"),
        ("slack", "#C0123", None, "is not a slack chat id"),
        ("slack", "C0123", "yesterday", "is not a slack thread id"),
        ("console", "-1001", None, "is not a console chat id"),
    ],
)
async def test_a_malformed_chat_id_is_a_usage_error_before_anything_else(
    tmp_path: Path, platform: str, chat: str, thread: str | None, expected: str
) -> None:
    db = tmp_path / "b.db"
    env = {"OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    argv = ["links", "add", "--platform", platform, "--chat", chat, "--key", "osk_x"]
    result = await _cli([*argv, *(["--thread", thread] if thread else [])], env)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db.exists()


async def _cli_stdin(
    args: list[str], env: dict[str, str], stdin: bytes
) -> subprocess.CompletedProcess[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "osoto_bridge",
        *args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await proc.communicate(stdin)
    return subprocess.CompletedProcess(args, proc.returncode or 0, out.decode(), err.decode())


async def test_the_key_can_come_from_stdin_and_is_never_required_on_the_command_line(
    served: tuple[Sandbox, dict[str, object], str], tmp_path: Path
) -> None:
    _, creds, base_url = served
    user = creds["users"][0]  # type: ignore[index]
    trip = creds["trips"][0]  # type: ignore[index]
    env = {
        "OSOTO_BRIDGE_OSOTO_BASE_URL": base_url,
        "OSOTO_BRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
        "OSOTO_BRIDGE_SECRET_KEY": generate_secret_key(),
    }
    argv = ["links", "add", "--platform", "slack", "--chat", "C0123456789", "--trip", trip["id"]]
    piped = await _cli_stdin([*argv, "--key", "-"], env, f"{user['apiKey']}\n".encode())
    assert piped.returncode == 0, piped.stderr
    assert "linked:" in piped.stdout
    assert user["apiKey"] not in piped.stdout + piped.stderr
    # no --key and no terminal to ask on: say how to give it
    missing = await _cli_stdin(argv, env, b"")
    assert missing.returncode == 2
    assert "--key -" in missing.stderr
    empty = await _cli_stdin([*argv, "--key", "-"], env, b"\n")
    assert (empty.returncode, empty.stderr.strip()) == (
        2,
        "osoto-bridge: error: the API key is empty",
    )


def test_without_key_a_terminal_is_asked_without_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass
    import io

    from osoto_bridge.cli.links_input import read_key

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return "  osk_typed_key \n"

    monkeypatch.setattr(getpass, "getpass", ask)
    assert read_key(None, stdin=Terminal()) == "osk_typed_key"
    assert prompts and "not shown" in prompts[0]
    assert read_key("osk_given", stdin=Terminal()) == "osk_given"
    assert prompts == prompts[:1]  # a given key is not asked for
