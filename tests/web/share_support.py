"""The sandbox's demo trip, shared: a token, and the share page's app over it."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from osoto_bridge.osoto import OsotoClient
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.web.share import ShareSource, share_routes

TODAY = dt.date(2026, 7, 15)
"""The demo's today: its day 2 (the trip starts the day before)."""

NOW = dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC)
"""10:00 in London on day 2."""

BASE = "http://sandbox.test/api/v1"

SECRET_VALUES = (
    "tea-and-scones-42",
    "4711#",
    "+44 20 7946 0011",
    "HT-883201",
    "Key safe left of the blue door",
    "spree-2026",
    "2580",
    "+49 30 901820",
    "ABNB-55120",
    "Third floor; the code opens",
    "BA7QX2",
    "TK9PLM",
    "AR-30417",
    "bosphorus!",
    "1453",
    "+90 212 555 0144",
    "GH-2210",
    "Ring the bell marked Galata",
    "alice@example.com",
    "+44 7700 900001",
    "+27 82 555 0102",
)
"""Every sensitive value of the demo trip (sandbox/demo.py): door codes, Wi-Fi
passwords, host phones, confirmation numbers, check-in instructions, contacts."""

SECRET_NAMES = (
    "wifiPassword",
    "wifi_password",
    "doorCode",
    "door_code",
    "hostPhone",
    "host_phone",
    "confirmationNumber",
    "confirmation_number",
    "checkInInstructions",
    "check_in_instructions",
    # the labels a leaked value would be shown under (render.stay_paragraph), en and ko
    "Wi-Fi password:",
    "Door code:",
    "Host phone:",
    "Confirmation:",
    "confirmation <code>",
    "Check-in instructions:",
    "와이파이 비밀번호:",
    "도어 코드:",
    "호스트 전화번호:",
    "예약 번호:",
    "예약 번호 <code>",
    "체크인 안내:",
)


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class SharedDemo:
    """The demo world with a share token made by Alice."""

    sandbox: Sandbox
    transport: httpx.ASGITransport
    world: dict[str, object]
    trip_id: str
    token: str
    owner: OsotoClient


@contextlib.asynccontextmanager
async def shared_demo(today: dt.date = TODAY) -> AsyncIterator[SharedDemo]:
    with Sandbox(":memory:") as sandbox:
        world = sandbox.seed_demo(today=today)
        transport = httpx.ASGITransport(app=sandbox.app)
        key = world["users"][0]["apiKey"]
        trip_id = world["trips"][0]["id"]
        async with OsotoClient(key, BASE, transport=transport) as owner:
            token = await owner.create_share_token(trip_id)
            yield SharedDemo(sandbox, transport, world, trip_id, token.token, owner)


def share_app(
    source: ShareSource, *, now: dt.datetime = NOW, public_url: str | None = None
) -> Starlette:
    return Starlette(routes=share_routes(source, public_url=public_url, now=lambda: now))


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bridge.test")
