"""Settings: defaults, TOML file, environment precedence, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from osoto_bridge.config import SettingsError, load_settings


def test_defaults_need_nothing() -> None:
    settings = load_settings({})
    assert settings.osoto_base_url == "http://127.0.0.1:8787/api/v1"
    assert settings.database_url.startswith("sqlite+aiosqlite://")


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text('osoto_base_url = "http://file.test/api/v1"\nhttp_port = 9000\n')
    settings = load_settings({"OSOTO_BRIDGE_HTTP_PORT": "9100"}, config)
    assert settings.osoto_base_url == "http://file.test/api/v1"
    assert settings.http_port == 9100


def test_secret_keys_are_split_newest_first_and_never_shown() -> None:
    settings = load_settings({"OSOTO_BRIDGE_SECRET_KEY": "new-key, old-key"})
    assert settings.secret_keys() == ["new-key", "old-key"]
    assert "new-key" not in repr(settings)
    assert "new-key" not in str(settings.model_dump())


def test_a_missing_secret_key_says_how_to_make_one() -> None:
    with pytest.raises(SettingsError, match="osoto-bridge secret-key"):
        load_settings({}).secret_keys()


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"OSOTO_BRIDGE_DATABASE_URL": "mysql://x"}, "OSOTO_BRIDGE_DATABASE_URL"),
        ({"OSOTO_BRIDGE_OSOTO_BASE_URL": "ftp://x"}, "OSOTO_BRIDGE_OSOTO_BASE_URL"),
        ({"OSOTO_BRIDGE_HTTP_PORT": "eighty"}, "OSOTO_BRIDGE_HTTP_PORT"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        load_settings(env)


def test_a_bad_config_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("this is not = = toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({}, config)
    with pytest.raises(SettingsError, match="not found"):
        load_settings({}, tmp_path / "missing.toml")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('no_such_setting = "x"\n')
    with pytest.raises(SettingsError, match="NO_SUCH_SETTING"):
        load_settings({}, unknown)


def test_the_gil_switch_interval_is_left_alone_unless_asked() -> None:
    assert load_settings({}).gil_switch_interval is None
    chosen = load_settings({"OSOTO_BRIDGE_GIL_SWITCH_INTERVAL": "0.0005"})
    assert chosen.gil_switch_interval == 0.0005


def test_the_public_url_is_an_address_without_a_trailing_slash() -> None:
    assert load_settings({}).public_url is None
    for given, kept in (
        ("https://bridge.example.org/", "https://bridge.example.org"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://example.org/trips/bridge//", "https://example.org/trips/bridge"),
    ):
        assert load_settings({"OSOTO_BRIDGE_PUBLIC_URL": given}).public_url == kept


@pytest.mark.parametrize(
    "bad",
    [
        "bridge.example.org",
        "ftp://bridge.example.org",
        "https://",
        "https://bridge.example.org/?x=1",
        "https://bridge.example.org/#top",
        "https://user:pw@bridge.example.org",
        "https://bridge.example.org:99999",
    ],
)
def test_a_bad_public_url_names_the_variable(bad: str) -> None:
    with pytest.raises(SettingsError, match="OSOTO_BRIDGE_PUBLIC_URL"):
        load_settings({"OSOTO_BRIDGE_PUBLIC_URL": bad})
