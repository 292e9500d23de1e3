"""`osoto-bridge mcp` as a command: --demo, the key's sources, stdout kept for the protocol."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from mcp_harness import CLI, DemoWorld, _env, over_http, over_stdio

from osoto_bridge.cli.main import main


def _rpc(message_id: int | None, method: str, params: dict[str, object]) -> bytes:
    message: dict[str, object] = {"jsonrpc": "2.0", "method": method, "params": params}
    if message_id is not None:
        message["id"] = message_id
    return (json.dumps(message) + "\n").encode()


async def test_demo_over_stdio_writes_nothing_but_protocol_to_stdout() -> None:
    process = await asyncio.create_subprocess_exec(
        CLI,
        "mcp",
        "--demo",
        env=_env(None),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    init = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    process.stdin.write(_rpc(1, "initialize", init))
    process.stdin.write(_rpc(None, "notifications/initialized", {}))
    process.stdin.write(_rpc(2, "tools/call", {"name": "list_trips", "arguments": {}}))
    await process.stdin.drain()
    answers = [json.loads(await process.stdout.readline()) for _ in range(2)]
    process.stdin.close()
    rest, stderr = await process.communicate()
    assert process.returncode == 0
    assert [a["id"] for a in answers] == [1, 2] and rest == b""
    assert answers[0]["result"]["serverInfo"]["name"] == "osoto-bridge", answers
    trips = answers[1]["result"]["structuredContent"]["items"]
    assert [t["title"] for t in trips] == ["London, Berlin & Istanbul"]
    assert b"a sandbox (a local Osoto) serves" in stderr and b"osk_" not in stderr


async def test_the_key_can_come_from_a_file(world: DemoWorld, tmp_path: Path) -> None:
    key_file = tmp_path / "osoto.key"
    key_file.write_text(world.key + "\n", encoding="utf-8")
    async with over_stdio(
        "--base-url", world.base_url, "--key-file", str(key_file), key=None
    ) as served:
        me = await served.session.call_tool("me", {})
    assert me.structuredContent is not None
    assert me.structuredContent["user"]["name"] == "Alice Martin"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["mcp"], "no Osoto API key: set OSOTO_API_KEY or pass --key-file FILE"),
        (["mcp", "--key-file", "/nonexistent/key"], "cannot read the key file /nonexistent/key"),
        (["mcp", "--demo", "--base-url", "http://x/api/v1"], "--demo serves its own sandbox"),
    ],
)
def test_a_missing_or_conflicting_key_source_is_one_line_with_the_fix(
    argv: list[str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OSOTO_API_KEY", raising=False)
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("osoto-bridge: error: ") and expected in captured.err
    assert captured.err.count("\n") == 1


def test_a_malformed_http_address_is_refused_with_an_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["mcp", "--http", "localhost"])
    assert exited.value.code == 2
    assert "expected HOST:PORT such as 127.0.0.1:8765" in capsys.readouterr().err


async def test_over_http_a_page_on_another_host_name_is_refused(world: DemoWorld) -> None:
    # DNS rebinding: a web page whose name resolves to 127.0.0.1 must not reach the tools.
    async with over_http("--base-url", world.base_url, key=world.key) as served:
        assert served.url is not None
        init = json.loads(_rpc(1, "initialize", {}))
        headers = {"Accept": "application/json, text/event-stream"}
        async with httpx.AsyncClient() as http:
            evil = await http.post(
                served.url, json=init, headers={**headers, "Host": "evil.example"}
            )
            origin = await http.post(
                served.url, json=init, headers={**headers, "Origin": "http://evil.example"}
            )
        listed = await served.session.list_tools()
    assert evil.status_code == 421 and origin.status_code == 403
    assert listed.tools  # the agent's own session still works
