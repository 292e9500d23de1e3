"""Property-based conformance: schemathesis against the app's own OpenAPI document.

Every operation gets a few generated requests (real trip, channel and share token
plugged into the paths so that requests reach the handlers); the run fails on any
5xx or any response the document does not describe (status, content type,
headers, body schema).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from sandbox_support import FakeClock, World, build_world
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from osoto_bridge.sandbox import Sandbox

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# schemathesis needs the schema when the module is collected (its pytest fixture
# loader does not work with this pytest), so the world is built at import and
# closed by the module-scoped fixture below.
_WORLD = build_world(Sandbox(":memory:", rate_limit=1_000_000, clock=FakeClock()))
_WORLD.sb.context.conn.execute(
    "INSERT INTO share_tokens (token, trip_id, created) VALUES ('shr_test', ?, 0)", (_WORLD.trip,)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _WORLD.sb.app)


@pytest.fixture(scope="module")
def st_world() -> Iterator[World]:
    yield _WORLD
    _WORLD.sb.close()


@schema.parametrize()
@settings(
    max_examples=6,
    phases=[Phase.generate],  # the coverage phase doubles the time for little more
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_no_undocumented_responses(case: Any, st_world: World) -> None:
    conn = st_world.sb.context.conn
    row = conn.execute("SELECT token FROM share_tokens WHERE trip_id = ?", (st_world.trip,))
    token = (row.fetchone() or ("shr_revoked",))[0]
    known = {"tripId": st_world.trip, "channelId": st_world.general, "token": token}
    for name, value in known.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": f"Bearer {st_world.alice_key}"}, checks=CHECKS)
