"""deploy/compose.replicas.yaml and deploy/haproxy.cfg: three replicas on PostgreSQL
behind a load balancer that sends only the platforms' routes, only to ready replicas."""

from __future__ import annotations

from pathlib import Path

import yaml

from osoto_bridge.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FIELDS = {"OSOTO_BRIDGE_" + name.upper() for name in Settings.model_fields}


def test_the_replicas_compose_runs_three_bridges_on_postgresql_behind_haproxy() -> None:
    services = yaml.safe_load((DEPLOY / "compose.replicas.yaml").read_text())["services"]
    bridge = services["bridge"]
    assert bridge["deploy"]["replicas"] == 3
    env = bridge["environment"]
    assert set(env) <= FIELDS, set(env) - FIELDS
    assert env["OSOTO_BRIDGE_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "OSOTO_BRIDGE_REPLICA_ID" not in env  # each container its own (host:pid)
    assert services["db"]["image"].startswith("postgres:")
    lb = services["lb"]
    assert lb["image"].startswith("haproxy:")
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in lb["volumes"]
    assert bridge["stop_grace_period"]  # time to finish in-flight work and hand over


def test_haproxy_checks_readiness_and_serves_only_the_platform_routes() -> None:
    cfg = (DEPLOY / "haproxy.cfg").read_text()
    assert "option httpchk GET /readyz" in cfg
    assert "http-check expect status 200" in cfg
    assert "acl platform path_beg /telegram/ /slack/" in cfg
    assert "server-template bridge" in cfg and "bridge:8080" in cfg
