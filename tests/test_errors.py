"""One root for the bridge's own errors (`osoto_bridge.errors.BridgeError`)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import osoto_bridge
from osoto_bridge import errors
from osoto_bridge.errors import BridgeError
from osoto_bridge.metrics import error_kind
from osoto_bridge.osoto.errors import RateLimited, ServerError

# Errors not yet under the root, each with the reason; empty now that LinkError moved
# with key inspection to osoto/ and is a BridgeError there.
PENDING: frozenset[str] = frozenset()


def _bridge_errors() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(osoto_bridge.__path__, "osoto_bridge."):
        # The sandbox is another program (an Osoto server) with errors of its own.
        if info.name.endswith("__main__") or info.name.startswith("osoto_bridge.sandbox"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            public = not name.startswith("_")
            if not (inspect.isclass(cls) and issubclass(cls, BaseException) and public):
                continue
            if cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_error_of_the_bridge_is_a_bridge_error() -> None:
    strays = [
        name
        for name, cls in _bridge_errors().items()
        if not issubclass(cls, BridgeError) and name not in PENDING
    ]
    assert not strays, strays


def test_the_root_docstring_draws_every_error() -> None:
    drawn = errors.__doc__ or ""
    missing = [name for name in _bridge_errors() if name.rsplit(".", 1)[1] not in drawn]
    assert not missing, missing


def test_an_error_names_its_metric_kind() -> None:
    assert error_kind(RateLimited(429, "RATE_LIMITED", "slow down")) == "osoto_rate_limited"
    assert error_kind(ServerError(502, "BAD_GATEWAY", "down")) == "osoto_server"
    assert error_kind(BridgeError("x")) == "other"
    assert error_kind(ValueError("x")) == "other"
