"""The share page in a real browser: Debian's Chromium, driven by Playwright.

The sandbox (with the demo trip) and the bridge's web app run on loopback ports; the
page is loaded at a phone's and a desktop's width, must log no console error and
make no request beyond the bridge itself, shows the demo's days and places, and
switches to Korean. Screenshots go to ``$OSOTO_BRIDGE_SCREENSHOTS`` when set
(`make screenshots` points it at docs/images), else to the test's temporary folder.

The browser is the distribution's (`scripts/install-chromium.sh`, run by .ci/run),
never one Playwright downloads. Without it the test is skipped locally, and fails
under CI (``CI`` set), where its absence is a broken install.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from share_support import NOW, TODAY

from osoto_bridge.osoto import OsotoClient
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store, generate_secret_key
from osoto_bridge.web import Readiness, WebServer, build_web_app
from osoto_bridge.web.share import ShareSource, share_routes

CHROMIUM = Path(os.environ.get("OSOTO_BRIDGE_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _browser_or_skip() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (run scripts/install-chromium.sh)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (make install)")
    if not missing:
        return
    reason = "the browser test needs " + " and ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + ": under CI it must be installed")
    pytest.skip(reason)


@dataclass
class Served:
    page_url: str
    bridge_origin: str


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    with Sandbox(":memory:") as sandbox:
        world = sandbox.seed_demo(today=TODAY)
        async with (
            WebServer(sandbox.app, host="127.0.0.1", port=0) as osoto,
            Store.open(
                f"sqlite+aiosqlite:///{tmp_path / 'bridge.db'}", secret_keys=[generate_secret_key()]
            ) as store,
            ShareSource(osoto.url + "/api/v1") as source,
        ):
            app = build_web_app(
                store=store, readiness=Readiness(), pages=share_routes(source, now=lambda: NOW)
            )
            async with WebServer(app, host="127.0.0.1", port=0) as bridge:
                key = world["users"][0]["apiKey"]
                async with OsotoClient(key, osoto.url + "/api/v1") as owner:
                    token = await owner.create_share_token(world["trips"][0]["id"])
                yield Served(f"{bridge.url}/share/{token.token}", bridge.url)


def _screenshots(tmp_path: Path) -> Path:
    target = Path(os.environ.get("OSOTO_BRIDGE_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


async def test_the_share_page_in_chromium(served: Served, tmp_path: Path) -> None:
    _browser_or_skip()
    from playwright.async_api import async_playwright

    shots = _screenshots(tmp_path)
    problems: list[str] = []
    elsewhere: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            for name, viewport, scheme in (
                ("phone", PHONE, "light"),
                ("desktop", DESKTOP, "light"),
            ):
                context = await browser.new_context(
                    viewport=viewport, locale="en-GB", color_scheme=scheme
                )
                page = await context.new_page()
                page.on(
                    "console",
                    lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None,
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on(
                    "request",
                    lambda r: (
                        None
                        if r.url.startswith((served.bridge_origin, "data:"))
                        else elsewhere.append(r.url)
                    ),
                )
                response = await page.goto(served.page_url, wait_until="load")
                assert response is not None and response.status == 200
                assert await page.title() == "London, Berlin & Istanbul"
                days = page.locator("article[id^=day-]")
                assert await days.count() == 8
                text = await page.inner_text("main")
                for place in (
                    "Holborn Townhouse",
                    "Kreuzberg loft",
                    "Galata House",
                    "Hagia Sophia",
                ):
                    assert place in text, place
                assert "BA 982" in text and "Day 8" in text
                # laid out for the width: nothing wider than the screen
                overflow = await page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name}: {overflow}px wider than the screen"
                await page.screenshot(path=str(shots / f"share-{name}.png"))

                if name == "phone":
                    # the language switch, in the dark
                    await page.emulate_media(color_scheme="dark")
                    await page.click("a.lang")
                    await page.wait_for_load_state("load")
                    assert await page.get_attribute("html", "lang") == "ko"
                    korean = await page.inner_text("main")
                    assert "1일차" in korean and "캘린더에 추가" in korean and "오늘" in korean
                    assert page.url.endswith("?lang=ko")
                    await page.screenshot(path=str(shots / "share-phone-ko.png"))
                    calendar = page.locator("a.button", has_text="캘린더에 추가")
                    href = await calendar.get_attribute("href")
                    assert href is not None and href.startswith("webcal://127.0.0.1:")
                await context.close()
        finally:
            await browser.close()
    assert problems == []
    assert elsewhere == []
    for name in ("share-phone.png", "share-desktop.png", "share-phone-ko.png"):
        assert (shots / name).stat().st_size > 10_000
