"""`--help` reads as plain terminal text and states its defaults."""

from __future__ import annotations

import pytest

from osoto_bridge.cli.common import plain_help
from osoto_bridge.cli.main import main

COMMANDS = [
    [],
    ["demo"],
    ["run"],
    ["links"],
    ["links", "list"],
    ["links", "add"],
    ["doctor"],
    ["migrate"],
    ["migrate-db"],
    ["sandbox"],
    ["secret-key"],
]


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        main([*argv, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "osoto-bridge")
def test_help_shows_no_restructuredtext_marks(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _help(argv, capsys)
    assert "usage:" in shown
    assert "``" not in shown


def test_sandbox_rate_limit_states_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    shown = " ".join(_help(["sandbox"], capsys).split())
    assert "--rate-limit N requests per minute per key (default: 60" in shown


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("run ``osoto-bridge migrate`` first", "run osoto-bridge migrate first"),
        ("the `--check` flag", "the --check flag"),
        ("``a`` and ``b``", "a and b"),
        ("no marks here", "no marks here"),
        ("a lone ` stays", "a lone ` stays"),
        ("````", "````"),
    ],
)
def test_plain_help_drops_literal_marks_only(raw: str, plain: str) -> None:
    assert plain_help(raw) == plain
