"""deploy/: the Dockerfile's install steps and entry point replayed in a fresh virtual
environment, and the compose file, systemd unit and example settings checked against
the real command line and Settings model.

No container engine runs here, so the Dockerfile test replays what the image build
does, with two deliberate differences (marked where they happen):

- dependencies are not downloaded: the wheel is built and installed with
  ``--no-deps`` (and ``--no-build-isolation``), and the fresh environment borrows
  the dependencies of the development one through a ``.pth`` file, after its own
  site-packages, so ``osoto_bridge`` itself is imported from the installed wheel;
- the server binds loopback on a free port, not the image's 0.0.0.0:8080.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from osoto_bridge.cli.main import build_parser
from osoto_bridge.config import Settings, load_settings
from osoto_bridge.store import generate_secret_key

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
FIELDS = {"OSOTO_BRIDGE_" + name.upper() for name in Settings.model_fields}


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages and their instructions (continuation lines joined, comments dropped)."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.search(r"\bAS\s+(\S+)", args, re.IGNORECASE)
            stages.append(Stage(match.group(1) if match else str(len(stages))))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


def exec_form(args: str) -> list[str]:
    value = yaml.safe_load(args)  # a JSON array is valid YAML
    assert isinstance(value, list), f"not in exec form: {args}"
    return [str(item) for item in value]


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in stage.all("ENV"):
        for token in shlex.split(args):
            key, _, value = token.partition("=")
            env[key] = value
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))


def test_the_image_is_multi_stage_non_root_and_checks_its_health(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    runtime = stages[-1]
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in ("0", "root")
    (healthcheck,) = runtime.all("HEALTHCHECK")
    assert "/healthz" in healthcheck and "CMD" in healthcheck
    assert exec_form(runtime.all("ENTRYPOINT")[0]) == ["osoto-bridge"]
    command = exec_form(runtime.all("CMD")[0])
    assert build_parser().parse_args(command).command == "run"
    env = env_of(runtime)
    assert {key for key in env if key.startswith("OSOTO_BRIDGE_")} <= FIELDS
    assert runtime.all("EXPOSE") == [env["OSOTO_BRIDGE_HTTP_PORT"]]
    settings = load_settings(env)
    assert settings.http_host == "0.0.0.0"  # reachable from outside the container
    # the runtime stage installs only what the build stage made: no compiler, no network
    assert any("COPY --from=" in f"COPY {args}" for args in runtime.all("COPY"))
    assert all("--no-index" in run for run in runtime.all("RUN") if "pip install" in run)


def _pip_argv(run: str, *, wheels: Path) -> list[str]:
    tokens = shlex.split(run.replace("/wheels", str(wheels)))
    assert tokens[0] == "pip", f"one pip command per RUN line: {run}"
    if tokens[1] == "wheel":
        # difference 1: no dependency download, no isolated build environment
        return [*tokens[1:2], "--no-deps", "--no-build-isolation", *tokens[2:]]
    assert tokens[1] == "install"
    return [*tokens[1:2], "--no-deps", *tokens[2:]]


def test_the_install_steps_and_entry_point_work_in_a_fresh_venv(
    stages: list[Stage], tmp_path: Path
) -> None:
    """Slow-ish (about 10 s): builds the wheel, installs it, runs the entry point."""
    build, runtime = stages[0], stages[-1]
    workdir = tmp_path / "src"
    workdir.mkdir()
    wheels = tmp_path / "wheels"
    for args in build.all("COPY"):
        *sources, _ = shlex.split(args)
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(
                    origin,
                    workdir / source,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
                )
            else:
                shutil.copy(origin, workdir / source)
    pip = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]
    for run in build.all("RUN"):
        subprocess.run([*pip, *_pip_argv(run, wheels=wheels)], cwd=workdir, check=True)
    assert [path.name for path in wheels.glob("osoto_bridge-*.whl")]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    installs = [run for run in runtime.all("RUN") if run.startswith("pip ")]
    assert installs, "the runtime stage installs the wheels with pip"
    for run in installs:
        subprocess.run([*pip, "--python", str(python), *_pip_argv(run, wheels=wheels)], check=True)
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # difference 1, continued: the dependencies come from the development environment
    (Path(purelib) / "zz_dev_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    where = subprocess.run(
        [python, "-c", "import osoto_bridge; print(osoto_bridge.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(purelib), f"imported from {where}, not the installed wheel"

    entrypoint = exec_form(runtime.all("ENTRYPOINT")[0])
    binary = venv / "bin" / entrypoint[0]
    # `--help` runs beside the server's start-up: each spends seconds importing
    with subprocess.Popen(
        [binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as helped:
        _run_and_check_health(binary, runtime, tmp_path)
        out, err = helped.communicate(timeout=60)
    assert helped.returncode == 0, err
    for command in ("run", "doctor", "migrate", "migrate-db", "links"):
        assert re.search(rf"^\s+{re.escape(command)}\b", out, re.MULTILINE), command


def _run_and_check_health(binary: Path, runtime: Stage, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSOTO_BRIDGE_")}
    env.update(env_of(runtime))
    env.update(
        # difference 2: loopback and a free port; and a database in the test's folder
        OSOTO_BRIDGE_HTTP_HOST="127.0.0.1",
        OSOTO_BRIDGE_HTTP_PORT=str(port),
        OSOTO_BRIDGE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}",
        OSOTO_BRIDGE_SECRET_KEY=generate_secret_key(),
        OSOTO_BRIDGE_CONSOLE="true",
    )
    command = exec_form(runtime.all("CMD")[0])
    healthcheck = runtime.all("HEALTHCHECK")[0]
    probe = exec_form(healthcheck[healthcheck.index("CMD") + len("CMD") :].strip())
    assert probe[0] == "python"
    with subprocess.Popen(
        [binary, *command],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                if "bridge running" in line:
                    break
            healthy = subprocess.run(
                [binary.parent / "python", *probe[1:]], env=env, timeout=30, check=False
            )
            assert healthy.returncode == 0
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    # and the probe fails when nothing serves: it is a real check
    unhealthy = subprocess.run(
        [binary.parent / "python", *probe[1:]], env=env, check=False, capture_output=True
    )
    assert unhealthy.returncode != 0


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` with nothing set: the default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_compose_runs_the_bridge_on_postgresql_and_the_sandbox_in_the_demo_profile() -> None:
    services = _compose()["services"]
    bridge, db, sandbox = services["bridge"], services["db"], services["sandbox"]
    assert bridge["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in db
    assert "profiles" not in bridge and sandbox["profiles"] == ["demo"]
    env = {key: _interpolate(str(value)) for key, value in bridge["environment"].items()}
    assert set(env) <= FIELDS
    settings = load_settings(env)
    assert settings.database_url.startswith("postgresql+asyncpg://osoto:")
    assert settings.database_url.endswith("@db:5432/" + db["environment"]["POSTGRES_DB"])
    assert build_parser().parse_args(sandbox["command"]).command == "sandbox"
    assert bridge["build"]["dockerfile"] == "deploy/Dockerfile"


def test_the_example_settings_name_only_real_settings_and_load() -> None:
    text = (DEPLOY / "osoto-bridge.env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^#?\s*(OSOTO_BRIDGE_[A-Z_]+)=", text, re.MULTILINE))
    assert names <= FIELDS, names - FIELDS
    assert {"OSOTO_BRIDGE_SECRET_KEY", "OSOTO_BRIDGE_DATABASE_URL"} <= names
    values = dict(
        line.split("=", 1)
        for line in text.splitlines()
        if line.startswith("OSOTO_BRIDGE_") and "=" in line
    )
    values["OSOTO_BRIDGE_SECRET_KEY"] = generate_secret_key()
    load_settings(values).secret_keys()


def test_the_systemd_unit_is_hardened_and_runs_the_bridge() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "osoto-bridge.service", encoding="utf-8")
    service = unit["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program.endswith("/osoto-bridge")
    assert build_parser().parse_args(args).command == "run"
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "StateDirectory": "osoto-bridge",
        "KillSignal": "SIGTERM",
    }.items():
        assert service.get(key) == value, key
    assert int(service["TimeoutStopSec"]) > 30  # the bridge's own stop grace
    assert service["EnvironmentFile"].startswith("/etc/osoto-bridge/")
    name, _, value = service["Environment"].partition("=")
    assert name in FIELDS
    assert load_settings({name: value}).database_url.endswith("/var/lib/osoto-bridge/bridge.db")


def test_the_systemd_unit_documents_pages_its_install_steps_put_there() -> None:
    """pip installs no docs: each Documentation= page is copied by the unit's own steps."""
    text = (DEPLOY / "osoto-bridge.service").read_text(encoding="utf-8")
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(text)
    pages = unit["Unit"]["Documentation"].split()
    assert pages
    installs = [line for line in text.splitlines() if line.startswith("#   install -D")]
    assert installs, "the unit's comment must install the pages it names"
    root = DEPLOY.parent
    for page in pages:
        assert page.startswith("file:///usr/share/doc/osoto-bridge/"), page
        name = page.rsplit("/", 1)[-1]
        assert (root / "docs" / name).is_file(), name
        assert any(f"docs/{name}" in line for line in installs), name
        assert "/opt/osoto-bridge/docs" not in page


def test_the_demo_profile_runs_with_no_account_at_all(tmp_path: Path) -> None:
    services = _compose()["services"]
    demo = services["demo"]
    assert demo["profiles"] == ["demo"]
    args = build_parser().parse_args(demo["command"])
    assert args.command == "demo"
    # a terminal chat: `docker compose run` needs a TTY and stdin
    assert demo["stdin_open"] is True and demo["tty"] is True
    # nothing to configure: no settings file, no environment, no database service
    assert not {"env_file", "environment", "depends_on"} & set(demo)
    # the root file system is read-only: the demo's temporary database needs /tmp
    assert demo["read_only"] is True and "/tmp" in demo["tmpfs"]
    assert demo["build"] == services["bridge"]["build"]
    # the documented command names this service
    documented = "docker compose -f deploy/compose.yaml --profile demo run --rm"
    assert documented + " demo" in (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert documented + " --build demo" in (ROOT / "docs" / "operations.md").read_text(
        encoding="utf-8"
    )
    # and the command runs with none of the bridge's settings, as in the container
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSOTO_BRIDGE_")}
    result = subprocess.run(
        [sys.executable, "-m", "osoto_bridge", *demo["command"]],
        input="hello\n",
        env={**env, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "hello" in result.stdout.split("now reads ---", 1)[1]
