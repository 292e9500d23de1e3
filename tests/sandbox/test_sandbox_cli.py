"""`osoto-bridge sandbox create-key / create-channel` and argument errors."""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
from pathlib import Path

import httpx
import pytest

from osoto_bridge.cli.main import main
from osoto_bridge.sandbox import Sandbox


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, dict[str, object]]:
    path = str(tmp_path / "sandbox.db")
    with Sandbox(path) as sb:
        world = sb.seed_demo(today=datetime.date(2026, 7, 15))
    return path, world


def test_create_key_prints_a_working_key(
    seeded: tuple[str, dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, world = seeded
    user = world["users"][0]["id"]  # type: ignore[index]
    trip = world["trips"][0]["id"]  # type: ignore[index]
    code = main(["sandbox", "create-key", "--db", path, "--user", user,
                 "--scope", "trips:read", "--scope", f"messages:write:{trip}"])  # fmt: skip
    assert code == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("osk_")
    with Sandbox(path) as sb:
        from osoto_bridge.sandbox.auth import lookup_key

        principal = lookup_key(sb.context.conn, key)
    assert principal is not None and principal.user_id == user
    assert sorted(str(s) for s in principal.scopes) == ["messages:write:" + trip, "trips:read"]


def test_create_channel_prints_the_id(
    seeded: tuple[str, dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, world = seeded
    trip = world["trips"][0]["id"]  # type: ignore[index]
    assert main(["sandbox", "create-channel", "--db", path, "--trip", trip, "--name", "food"]) == 0
    channel = capsys.readouterr().out.strip()
    with Sandbox(path) as sb:
        row = sb.context.conn.execute("SELECT name, trip_id FROM channels WHERE id = ?", (channel,))
        assert row.fetchone() == ("food", trip)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["create-key", "--user", "jx7nobody", "--scope", "trips:read"],
            "user jx7nobody not found",
        ),
        (["create-key", "--user", "USER", "--scope", "trips:admin"], "unknown scope 'trips:admin'"),
        (["create-key", "--user", "USER", "--scope", "trips:read:jx7x"], "trip jx7x not found"),
        (["create-channel", "--trip", "jx7notrip", "--name", "x"], "trip jx7notrip not found"),
        (["create-channel", "--trip", "TRIP", "--name", "general"], "already has a channel"),
    ],
)
def test_bad_arguments_are_one_line_errors(
    seeded: tuple[str, dict[str, object]],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    path, world = seeded
    user = world["users"][0]["id"]  # type: ignore[index]
    trip = world["trips"][0]["id"]  # type: ignore[index]
    argv = [a.replace("USER", user).replace("TRIP", trip) for a in argv]
    assert main(["sandbox", argv[0], "--db", path, *argv[1:]]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_database_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.db")
    assert main(["sandbox", "create-channel", "--db", missing, "--trip", "t", "--name", "n"]) == 1
    assert f"no sandbox database at {missing}" in capsys.readouterr().err
    assert not Path(missing).exists()


def test_bad_rate_limit_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", "--rate-limit", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_serve_writes_credentials_that_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    creds = tmp_path / "creds.json"
    served: dict[str, object] = {}

    def fake_run(server: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
        # Instead of serving forever, use the app the CLI built with the written keys.
        assert sockets is not None
        served["port"] = sockets[0].getsockname()[1]
        world = json.loads(creds.read_text())
        key = world["users"][0]["apiKey"]

        async def ask() -> httpx.Response:
            transport = httpx.ASGITransport(app=server.config.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
                return await client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})

        me = asyncio.run(ask())
        served["me"] = me.json()
        served["limit"] = me.headers["x-ratelimit-limit"]

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    argv = ["sandbox", "--port", "0", "--seed", "demo", "--rate-limit", "7",
            "--credentials-out", str(creds)]  # fmt: skip
    assert main(argv) == 0
    world = json.loads(creds.read_text())
    port = served["port"]
    assert world["baseUrl"] == f"http://127.0.0.1:{port}/api/v1"  # the port it bound
    assert {"id", "name", "apiKey"} <= set(world["users"][0])
    assert [c["name"] for c in world["trips"][0]["channels"]] == ["general", "logistics"]
    assert served["me"]["user"]["name"] == world["users"][0]["name"]  # type: ignore[index]
    assert served["limit"] == "7"
    assert f"serving http://127.0.0.1:{port}/api/v1" in capsys.readouterr().err


def test_a_busy_port_is_one_line_with_the_fix_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sandbox", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"osoto-bridge sandbox: error: cannot listen on 127.0.0.1:{port}")
    assert "choose another --port" in err
