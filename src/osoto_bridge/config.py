"""The bridge's settings: one frozen object, built once by the CLI and passed down.

Sources, later ones winning: the defaults below, an optional TOML file (keys are the
field names), and the environment (``OSOTO_BRIDGE_`` + the field name in capitals).
Library code never reads the environment; only `load_settings` does.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from osoto_bridge.errors import BridgeError

ENV_PREFIX = "OSOTO_BRIDGE_"


class SettingsError(BridgeError):
    """The settings are missing or malformed; the message says which and how to fix."""


class Settings(BaseModel):
    """Everything the bridge can be configured with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    osoto_base_url: str = Field(
        "http://127.0.0.1:8787/api/v1", description="Base URL of the Osoto API, ending in /api/v1"
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///osoto-bridge.db",
        description="SQLAlchemy URL of the bridge's state (sqlite+aiosqlite or postgresql+asyncpg)",
    )
    database_schema: str | None = Field(
        None,
        description=(
            "PostgreSQL only: keep the bridge's tables in this schema (created if missing), "
            "so deployments or test runs can share one database"
        ),
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Fernet key(s) encrypting API keys at rest; comma-separated, newest first",
    )
    console: bool = Field(False, description="Serve the terminal as a chat (for trying it out)")
    telegram_token: SecretStr | None = Field(None, description="Telegram bot token")
    telegram_api_url: str | None = Field(None, description="Telegram Bot API base URL")
    telegram_webhook_url: str | None = Field(None, description="Public URL for webhook mode")
    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-…)")
    slack_app_token: SecretStr | None = Field(None, description="Slack app token for Socket Mode")
    slack_signing_secret: SecretStr | None = Field(None, description="Slack signing secret")
    slack_api_url: str | None = Field(None, description="Slack Web API base URL")
    http_host: str = Field("127.0.0.1", description="Address of the bridge's HTTP server")
    http_port: int = Field(8080, ge=0, le=65535, description="Port of the bridge's HTTP server")
    public_url: str | None = Field(
        None,
        description=(
            "The address people reach the bridge's HTTP server at (https://bridge.example.org); "
            "`/share` hands out the trip's page and calendar under it"
        ),
    )
    poll_active_interval: float = Field(1.0, gt=0, description="Seconds between polls when active")
    poll_idle_interval: float = Field(20.0, gt=0, description="Seconds between polls when idle")
    poll_active_max_per_second: float = Field(
        150.0,
        gt=0,
        description=(
            "Most polls a second the process makes at the active rhythm, over all channels "
            "(a flood into every trip; idle polls are not counted)"
        ),
    )
    plan_watch_interval: float = Field(
        120.0,
        ge=1,
        description=(
            "Seconds between two fetches of a linked trip's plan for change digests, "
            "reminders and briefings (30 requests per trip per hour at 120)"
        ),
    )
    replica_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description=(
            "This process's name among the replicas sharing a PostgreSQL database "
            "(lease holder, /readyz, metrics); host:pid when unset"
        ),
    )
    lease_ttl: float = Field(
        10.0,
        ge=1,
        le=60,
        description=(
            "PostgreSQL replicas: seconds a work lease lasts unrenewed (renewed every "
            "quarter of it); a SIGKILLed replica's channels resume elsewhere after it"
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least severe log level written (`run --log-level`)"
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines for people (text) or collectors (json; `run --log-format`)"
    )
    gc_freeze: bool = Field(
        True,
        description=(
            "`run` moves what its start made (modules, classes, the links' workers) out of "
            "the garbage collector's sight once it serves (`gc.freeze`, logged): at 1,000 "
            "trips each full collection's pause is then about 150 ms shorter; false "
            "leaves CPython's collector as it is"
        ),
    )
    gil_switch_interval: float | None = Field(
        None,
        gt=0,
        le=0.1,
        description=(
            "Opt-in: seconds for `sys.setswitchinterval` in `run` (CPython's 0.005 when unset; "
            "0.0005 hands over to the SQLite and HTTP helper threads sooner on a busy machine)"
        ),
    )

    @field_validator("osoto_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise ValueError(f"is not a URL: {exc}") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address with a host")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("must have no query, fragment or credentials")
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value

    def secret_keys(self) -> list[str]:
        """The Fernet keys, newest first; raises `SettingsError` if none is set."""
        if self.secret_key is None or not self.secret_key.get_secret_value().strip():
            raise SettingsError(
                "OSOTO_BRIDGE_SECRET_KEY is not set: it encrypts API keys at rest. "
                "Create one with `osoto-bridge secret-key` and keep it safe."
            )
        return [part.strip() for part in self.secret_key.get_secret_value().split(",") if part]


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    return values


def load_settings(
    environ: Mapping[str, str], config_file: Path | None = None, **overrides: Any
) -> Settings:
    """Build the settings from a TOML file, the environment and explicit overrides."""
    values: dict[str, Any] = {}
    if config_file is not None:
        try:
            values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise SettingsError(f"config file not found: {config_file}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {config_file} is not valid TOML: {exc}") from exc
    values.update(_from_env(environ))
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"bad settings: {problems}") from exc
