"""A local, faithful server of the Osoto REST API (the seed contract), for tests and demos.

It stands alone: nothing here imports the rest of `osoto_bridge`.

    from osoto_bridge.sandbox import Sandbox

    with Sandbox() as sb:
        alice = sb.create_user("Alice")
        key = sb.create_key(alice, ["trips:read", "messages:read"])
        app = sb.app  # serve with uvicorn, or httpx.ASGITransport(app=app)
"""

from osoto_bridge.sandbox.auth import SCOPE_BASES, Scope
from osoto_bridge.sandbox.core import Sandbox
from osoto_bridge.sandbox.fields import MESSAGE_MAX_CHARS

__all__ = ["MESSAGE_MAX_CHARS", "SCOPE_BASES", "Sandbox", "Scope"]
