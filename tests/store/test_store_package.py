"""The package's public surface, and the suite's own PostgreSQL rule."""

from __future__ import annotations

import pytest
from storetest import PG_ENV, postgres_url

import osoto_bridge.store as store_package


def test_all_is_sorted_and_complete() -> None:
    names = store_package.__all__
    assert names == sorted(names)
    public = {
        name
        for name, value in vars(store_package).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("osoto_bridge.store")
    }
    assert public <= set(names)
    for name in names:
        assert hasattr(store_package, name)


def test_ci_without_postgres_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv(PG_ENV, raising=False)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        postgres_url()


def test_without_ci_a_missing_postgres_is_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(PG_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        postgres_url()
