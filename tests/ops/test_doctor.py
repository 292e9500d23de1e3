"""`osoto-bridge doctor` against the sandbox and small Telegram/Slack stand-ins, all on
loopback ports: what passes, what fails, and the fix it prints for each problem."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from ops_fakes import (
    SLACK_BOT_TOKEN,
    SLACK_SCOPES,
    SLACK_SIGNING_SECRET,
    TELEGRAM_TOKEN,
    FakeBotApi,
    FakeSlackApi,
)

from osoto_bridge.cli.doctor import Finding, diagnose, render
from osoto_bridge.config import Settings, load_settings
from osoto_bridge.osoto.key_inspection import inspect_key
from osoto_bridge.relay import ClientPool
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store, generate_secret_key
from osoto_bridge.web import Readiness, WebServer, build_web_app

ALL_SCOPES = ["trips:read", "trips:write", "messages:read", "messages:write"]


@dataclass
class Site:
    """The sandbox, the fake platforms and a bridge database, ready for the doctor."""

    sandbox: Sandbox
    osoto_url: str
    bot_api: FakeBotApi
    bot_url: str
    slack_api: FakeSlackApi
    slack_url: str
    db_url: str
    secret: str
    trip_id: str
    owner: str
    public_url: str

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "OSOTO_BRIDGE_OSOTO_BASE_URL": self.osoto_url,
            "OSOTO_BRIDGE_DATABASE_URL": self.db_url,
            "OSOTO_BRIDGE_SECRET_KEY": self.secret,
            "OSOTO_BRIDGE_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "OSOTO_BRIDGE_TELEGRAM_API_URL": self.bot_url + "/bot",
            "OSOTO_BRIDGE_SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
            "OSOTO_BRIDGE_SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
            "OSOTO_BRIDGE_SLACK_API_URL": self.slack_url + "/api/",
            "OSOTO_BRIDGE_PUBLIC_URL": self.public_url,
        }
        env.update(extra)
        return env

    def settings(self, **extra: str) -> Settings:
        return load_settings(self.env(**extra))

    async def link(
        self, chat_id: str, scopes: list[str], *, claimed: list[str] | None = None
    ) -> int:
        """Link a Telegram chat with a new key of ``scopes`` (stored as ``claimed``)."""
        key = self.sandbox.create_key(self.owner, scopes)
        async with Store.open(self.db_url, secret_keys=[self.secret]) as store:
            async with ClientPool(store=store, base_url=self.osoto_url) as pool:
                report = await inspect_key(pool.client_for_key(key), trip_id=self.trip_id)
            link = await store.add_link(
                platform="telegram",
                chat_id=chat_id,
                thread_id=None,
                trip_id=report.trip_id,
                trip_title=report.trip_title,
                channel_id=report.channel.id,
                channel_name=report.channel.name,
                api_key=key,
                owner_user_id=report.user_id,
                scopes=claimed or list(report.scopes),
            )
        return link.id

    async def link_unknown_key(self, chat_id: str) -> int:
        """A link whose key Osoto no longer knows (revoked)."""
        async with Store.open(self.db_url, secret_keys=[self.secret]) as store:
            general = (await self.sandbox_channels())["general"]
            link = await store.add_link(
                platform="telegram",
                chat_id=chat_id,
                thread_id=None,
                trip_id=self.trip_id,
                trip_title="Lisbon",
                channel_id=general,
                channel_name="general",
                api_key="osk_revoked_" + "x" * 32,
                owner_user_id=self.owner,
                scopes=[f"messages:read:{self.trip_id}"],
            )
        return link.id

    async def sandbox_channels(self) -> dict[str, str]:
        rows = self.sandbox.context.conn.execute(
            "SELECT name, id FROM channels WHERE trip_id = ?", (self.trip_id,)
        ).fetchall()
        return {str(name): str(id_) for name, id_ in rows}


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    sandbox = Sandbox(":memory:")
    owner = sandbox.create_user("Ana")
    group = sandbox.create_group("Friends", owner_id=owner)
    trip = sandbox.create_trip(
        group_id=group, title="Lisbon", start_date="2026-12-01", end_date="2026-12-08"
    )
    bot_api, slack_api = FakeBotApi(), FakeSlackApi()
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}"
    secret = generate_secret_key()
    try:
        async with (
            Store.open(db_url, secret_keys=[secret]) as store,  # migrated and empty
            WebServer(
                build_web_app(store=store, readiness=Readiness()), host="127.0.0.1", port=0
            ) as bridge,
            WebServer(sandbox.app, host="127.0.0.1", port=0) as osoto,
            WebServer(bot_api.app(), host="127.0.0.1", port=0) as bot,
            WebServer(slack_api.app(), host="127.0.0.1", port=0) as slack,
        ):
            yield Site(
                sandbox=sandbox,
                osoto_url=osoto.url + "/api/v1",
                bot_api=bot_api,
                bot_url=bot.url,
                slack_api=slack_api,
                slack_url=slack.url,
                db_url=db_url,
                secret=secret,
                trip_id=trip,
                owner=owner,
                public_url=bridge.url,
            )
    finally:
        sandbox.close()


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.check: finding for finding in findings}


async def test_a_healthy_bridge_passes_every_check(site: Site) -> None:
    link_id = await site.link("-1001", ALL_SCOPES)
    findings = await diagnose(site.settings())
    checks = by_check(findings)
    assert [f.check for f in findings if f.status != "ok"] == []
    assert list(checks) == [
        "settings",
        "secret key",
        "database",
        "migrations",
        "secrets",
        "osoto",
        "telegram",
        "telegram privacy",
        "slack events",
        "slack",
        "slack scopes",
        f"link {link_id}",
        "public URL",
    ]
    assert checks["telegram"].detail == "bot @osoto_trip_bot (getMe)"
    assert checks["secrets"].detail == "1 stored API key(s) decrypt"
    assert "Ana" in checks[f"link {link_id}"].detail
    table = render(findings)
    assert table.splitlines()[0].split() == ["CHECK", "STATUS", "DETAIL"]
    assert table.rstrip().endswith("0 failed, 0 warning(s), 13 check(s)")
    assert "How to fix" not in table
    # nothing was written to Osoto by the scope probes
    assert site.sandbox.context.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


async def test_each_problem_is_named_with_its_fix(site: Site) -> None:
    site.bot_api.privacy_mode = True
    site.slack_api.scopes = tuple(s for s in SLACK_SCOPES if s != "chat:write.customize")
    revoked = await site.link_unknown_key("-1001")
    narrowed = await site.link(
        "-1002",
        # without trips:read (the sandbox answers the trips:write probe's empty body
        # with 400 whatever the key's scopes, so only trips:read can be seen lost)
        [f"{scope}:{site.trip_id}" for scope in ALL_SCOPES if scope != "trips:read"],
        claimed=[f"{scope}:{site.trip_id}" for scope in ALL_SCOPES],
    )
    findings = by_check(await diagnose(site.settings()))

    privacy = findings["telegram privacy"]
    assert privacy.status == "fail"
    assert "/setprivacy" in privacy.fix
    scopes = findings["slack scopes"]
    assert (scopes.status, scopes.detail) == ("fail", "missing chat:write.customize")
    assert "reinstall" in scopes.fix
    bad_key = findings[f"link {revoked}"]
    assert bad_key.status == "fail"
    assert "did not accept this key (401)" in bad_key.detail
    assert "link the chat again" in bad_key.fix
    lost = findings[f"link {narrowed}"]
    assert lost.status == "warn"
    assert lost.detail.endswith("lost trips:read")
    assert f"trips:read:{site.trip_id}" in lost.fix
    table = render(list(findings.values()))
    assert "3 failed, 1 warning(s)" in table
    assert "osk_revoked" not in table


async def test_a_wrong_token_and_a_webhook_error_are_reported(site: Site) -> None:
    site.bot_api.webhook_url = "https://bridge.example/telegram/webhook"
    site.bot_api.webhook_error = "Connection refused"
    findings = by_check(
        await diagnose(
            site.settings(OSOTO_BRIDGE_TELEGRAM_WEBHOOK_URL=site.bot_api.webhook_url),
            check_links=False,
        )
    )
    webhook = findings["telegram webhook"]
    assert (webhook.status, webhook.detail) == ("fail", "last delivery failed: Connection refused")
    wrong = await diagnose(
        site.settings(
            OSOTO_BRIDGE_TELEGRAM_TOKEN="7000000001:TEST_not-the-right-token-at-all_00",
            OSOTO_BRIDGE_SLACK_BOT_TOKEN="xoxb-test-0000-not-the-right-token",
        ),
        check_links=False,
    )
    checks = by_check(wrong)
    assert checks["telegram"].status == "fail"
    assert checks["telegram"].detail == "getMe: HTTP 401 Unauthorized"
    assert "@BotFather" in checks["telegram"].fix
    assert checks["slack"].detail == "auth.test refused the bot token: invalid_auth"
    assert "telegram privacy" not in checks  # nothing to ask with a refused token


async def test_database_problems_stop_before_the_links(site: Site, tmp_path: Path) -> None:
    await site.link("-1001", ALL_SCOPES)
    wrong_secret = await diagnose(
        site.settings(OSOTO_BRIDGE_SECRET_KEY=generate_secret_key()), check_links=True
    )
    checks = by_check(wrong_secret)
    assert checks["secrets"].status == "fail"
    assert "OSOTO_BRIDGE_SECRET_KEY" in checks["secrets"].fix
    assert not any(name.startswith("link ") for name in checks)

    engine = sa.create_engine(site.db_url.replace("+aiosqlite", ""))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE store_schema_version SET version = 0"))
    engine.dispose()
    behind = by_check(await diagnose(site.settings()))
    assert behind["migrations"].status == "fail"
    assert "osoto-bridge migrate" in behind["migrations"].fix

    missing = by_check(
        await diagnose(
            site.settings(OSOTO_BRIDGE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'no.db'}")
        )
    )
    assert missing["database"].status == "fail"
    assert missing["database"].detail == f"no database file at {tmp_path / 'no.db'}"
    assert not (tmp_path / "no.db").exists()  # the doctor creates nothing


async def test_settings_without_a_platform_or_slack_events_fail(site: Site) -> None:
    bare = load_settings(
        {
            "OSOTO_BRIDGE_DATABASE_URL": site.db_url,
            "OSOTO_BRIDGE_SECRET_KEY": site.secret,
        }
    )
    checks = by_check(await diagnose(bare))
    assert checks["settings"].status == "fail"
    assert "OSOTO_BRIDGE_TELEGRAM_TOKEN" in checks["settings"].fix
    no_events = by_check(
        await diagnose(site.settings(OSOTO_BRIDGE_SLACK_SIGNING_SECRET=""), check_links=False)
    )
    assert no_events["slack events"].status == "fail"


async def test_the_command_prints_the_table_and_exits_1_on_failure(site: Site) -> None:
    await site.link_unknown_key("-1001")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSOTO_BRIDGE_")}
    env.update(site.env())
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "osoto_bridge",
        "doctor",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    text = out.decode()
    assert proc.returncode == 1, err.decode()
    assert text.startswith("CHECK")
    assert "telegram          ok      bot @osoto_trip_bot (getMe)" in text
    assert "How to fix:" in text
    assert "1 failed, 0 warning(s), 13 check(s)" in text
    assert TELEGRAM_TOKEN not in text + err.decode()


async def test_an_unreachable_osoto_fails_even_with_no_link_yet(site: Site) -> None:
    # A port nothing listens on: bound and closed, so the connection is refused.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"
    checks = by_check(await diagnose(site.settings(OSOTO_BRIDGE_OSOTO_BASE_URL=dead)))
    assert checks["osoto"].status == "fail"
    assert checks["osoto"].detail.startswith(f"cannot reach {dead}: ConnectError")
    assert "OSOTO_BRIDGE_OSOTO_BASE_URL" in checks["osoto"].fix
    assert checks["links"].status == "warn"  # no link yet, still reported apart

    # Reachable, but not the API (the sandbox's root, without /api/v1).
    wrong = site.osoto_url.removesuffix("/api/v1")
    checks = by_check(await diagnose(site.settings(OSOTO_BRIDGE_OSOTO_BASE_URL=wrong)))
    assert checks["osoto"].status == "fail"
    assert "does not answer as the Osoto API" in checks["osoto"].detail


async def test_a_malformed_secret_key_is_reported_when_the_database_is_down(
    site: Site, tmp_path: Path
) -> None:
    down = site.settings(
        OSOTO_BRIDGE_SECRET_KEY=f"{site.secret},not-a-key",
        OSOTO_BRIDGE_DATABASE_URL="postgresql+asyncpg://osoto:osoto@127.0.0.1:1/nowhere",
    )
    checks = by_check(await diagnose(down, check_links=False))
    assert checks["database"].status == "fail"
    key = checks["secret key"]
    assert key.status == "fail"
    assert key.detail.startswith("OSOTO_BRIDGE_SECRET_KEY: key #2 of 2 is not a valid key")
    # the operator's words: the command to run, never an internal function
    assert "`osoto-bridge secret-key`" in key.fix
    table = render(list(checks.values()))
    assert "generate_secret_key" not in table
    assert "not-a-key" not in table
    assert site.secret not in table

    unset = by_check(await diagnose(site.settings(OSOTO_BRIDGE_SECRET_KEY=""), check_links=False))
    assert unset["secret key"].status == "fail"
    assert "`osoto-bridge secret-key`" in unset["secret key"].fix
    assert unset["database"].status == "ok"  # checked on its own


async def test_adding_a_check_is_one_entry(site: Site) -> None:
    from osoto_bridge.cli.doctor import CHECKS, Context

    async def public_url(ctx: Context) -> list[Finding]:
        return [Finding("public url", "ok", str(ctx.settings.osoto_base_url))]

    checks = by_check(await diagnose(site.settings(), checks=(*CHECKS, public_url)))
    assert list(checks)[-1] == "public url"


async def test_the_public_url_must_answer_as_the_bridge(site: Site) -> None:
    unset = by_check(await diagnose(site.settings(OSOTO_BRIDGE_PUBLIC_URL=""), check_links=False))
    assert unset["public URL"].status == "warn"
    assert "OSOTO_BRIDGE_PUBLIC_URL" in unset["public URL"].fix
    # Osoto's address is not the bridge: it has no /healthz of the bridge's shape
    elsewhere = site.osoto_url.removesuffix("/api/v1")
    wrong = by_check(
        await diagnose(site.settings(OSOTO_BRIDGE_PUBLIC_URL=elsewhere), check_links=False)
    )
    assert wrong["public URL"].status == "fail"
    assert "osoto-bridge run" in wrong["public URL"].fix
