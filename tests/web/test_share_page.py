"""The shared trip's page, served over the sandbox's demo trip: what it shows, in
which language, what it never shows, and the headers that keep the link private."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from icalendar import Calendar
from share_support import (
    BASE,
    NOW,
    SECRET_NAMES,
    SECRET_VALUES,
    Clock,
    SharedDemo,
    client_for,
    share_app,
    shared_demo,
)

from osoto_bridge.i18n import translator
from osoto_bridge.osoto import TripExport
from osoto_bridge.web.share import (
    STYLE_HASH,
    PageLinks,
    ShareSource,
    build_feed,
    pick_language,
    render_page,
    share_plan,
)
from osoto_bridge.web.share.plan import MAX_DAYS


class CountingTransport(httpx.AsyncBaseTransport):
    """The sandbox's transport, counting what reaches it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def demo() -> AsyncIterator[SharedDemo]:
    async with shared_demo() as shared:
        yield shared


async def _get(demo: SharedDemo, path: str, **headers: str) -> httpx.Response:
    async with (
        ShareSource(BASE, transport=demo.transport) as source,
        client_for(share_app(source)) as http,
    ):
        return await http.get(path, headers=headers)


async def test_the_page_shows_the_trip_day_by_day_in_local_time(demo: SharedDemo) -> None:
    page = await _get(demo, f"/share/{demo.token}", **{"accept-language": "en-GB,en;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = re.sub("[\u2009\u202f\u00a0]", " ", page.text)  # Babel's thin spaces
    assert '<html lang="en">' in html
    assert "London, Berlin &amp; Istanbul" in html
    assert "Jul 14 – 21, 2026" in html
    for day in range(1, 9):
        assert f"Day {day} · " in html
    # legs, stays with a map link, flights, the car, commitments: each in its leg's time
    assert "London → Berlin" in html
    assert "Holborn Townhouse" in html and "12 Lamb&#39;s Conduit St" in html
    assert "https://www.openstreetmap.org/search?query=Oranienstra" in html
    assert re.search(r"12:35\s*PM · Flight <strong>BA 982 \(British Airways\)</strong>", html)
    assert '<span class="tz">CEST</span>' in html
    assert "Anadolu Rent" in html and "Istanbul Airport, arrivals hall" in html
    assert "Welcome dinner" in html and "7:30 PM" in html
    # pins by category with map links, open to-dos only, members by name
    for category, pin in (("Museum", "British Museum"), ("Sight", "Hagia Sophia")):
        assert f"<h3>{category}</h3>" in html and pin in html
    assert "mlat=41.008600&amp;mlon=28.980000" in html
    assert "Book the Hagia Sophia tickets" in html
    assert "Buy Oyster cards" not in html  # done
    assert "Alice Martin, Bongani Dlamini, Chloé Dubois, Daichi Sato" in html
    # today (the injected now: day 2) is marked
    assert re.search(r'class="card today" id="day-2026-07-15"', html)


async def test_the_page_speaks_korean_by_accept_language_and_switches(demo: SharedDemo) -> None:
    korean = await _get(
        demo, f"/share/{demo.token}", **{"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"}
    )
    assert '<html lang="ko">' in korean.text
    assert "1일차" in korean.text and "일정" in korean.text
    assert 'href="?lang=en"' in korean.text and ">English<" in korean.text
    english = await _get(demo, f"/share/{demo.token}?lang=en", **{"accept-language": "ko"})
    assert '<html lang="en">' in english.text and 'href="?lang=ko"' in english.text
    assert ">한국어<" in english.text


def test_accept_language_is_ranked_by_quality() -> None:
    assert pick_language(None, "fr-FR, ko;q=0.8, en;q=0.7") == "ko"
    assert pick_language(None, "en;q=0.2, ko;q=0.9") == "ko"
    assert pick_language(None, "de, fr") == "en"
    assert pick_language(None, "ko;q=0, en") == "en"
    assert pick_language(None, "ko;q=nonsense") == "en"
    assert pick_language("ko", "en") == "ko"
    assert pick_language("klingon", "ko") == "ko"
    assert pick_language(None, None) == "en"


def _contains_word(body: str, value: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", body) is not None


@pytest.mark.parametrize("language", ["en", "ko"])
async def test_no_sensitive_field_reaches_the_page_or_the_feed(
    demo: SharedDemo, language: str
) -> None:
    # The owner's own export has them all: the test would see a leak.
    full = (await demo.owner.export_trip(demo.trip_id)).model_dump_json(by_alias=True)
    assert all(value in full for value in SECRET_VALUES[:18])
    page = await _get(demo, f"/share/{demo.token}?lang={language}")
    feed = await _get(demo, f"/share/{demo.token}/calendar.ics?lang={language}")
    assert page.status_code == feed.status_code == 200
    for body in (page.text, feed.text, feed.text.replace("\r\n ", "")):
        for secret in (*SECRET_VALUES, *SECRET_NAMES):
            # Whole words only: a short door code like 2580 may turn up inside the
            # random share token or a UID hash, which is no leak.
            assert not _contains_word(body, secret), secret
        assert "example.com" not in body  # no member's e-mail


async def test_every_answer_keeps_the_link_private(demo: SharedDemo) -> None:
    for path in (f"/share/{demo.token}", f"/share/{demo.token}/calendar.ics", "/share/shr_gone_x1"):
        response = await _get(demo, path)
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-robots-tag"].startswith("noindex")
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert f"style-src '{STYLE_HASH}'" in csp
        assert "unsafe-inline" not in csp and "script-src" not in csp


async def test_the_page_asks_nothing_of_anyone_else(demo: SharedDemo) -> None:
    html = (await _get(demo, f"/share/{demo.token}")).text
    assert "<script" not in html
    assert " src=" not in html  # no images, frames or scripts to fetch
    for tag in re.findall(r"<link [^>]*>", html):
        href = re.search(r'href="([^"]*)"', tag)
        assert href is not None
        assert href.group(1) == "data:," or href.group(1).endswith("/calendar.ics"), tag
    assert "@import" not in html and "url(" not in html
    # the one style sheet is inline, and the hash the CSP names is its own
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"sha256-{digest}" == STYLE_HASH


async def test_the_page_links_its_calendar_three_ways(demo: SharedDemo) -> None:
    html = (await _get(demo, f"/share/{demo.token}")).text
    feed = f"{demo.token}/calendar.ics"
    title = "London, Berlin &amp; Istanbul"
    assert f'<link rel="alternate" type="text/calendar" title="{title}" href="{feed}">' in html
    assert f'href="webcal://bridge.test/share/{demo.token}/calendar.ics"' in html
    assert f'href="{feed}" download' in html
    async with (
        ShareSource(BASE, transport=demo.transport) as source,
        client_for(share_app(source, public_url="https://trips.example.org/bridge")) as http,
    ):
        public = (await http.get(f"/share/{demo.token}")).text
    assert f'href="webcal://trips.example.org/bridge/share/{demo.token}/calendar.ics"' in public


async def test_text_from_the_trip_is_escaped(demo: SharedDemo) -> None:
    await demo.owner.create_map_pin(
        demo.trip_id, name='<img src=x onerror="alert(1)">', lat=1.0, lng=2.0, category="<b>"
    )
    html = (await _get(demo, f"/share/{demo.token}")).text
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


async def test_an_unknown_or_revoked_link_gets_a_friendly_404(demo: SharedDemo) -> None:
    counting = CountingTransport(demo.transport)
    clock = Clock()
    async with (
        ShareSource(BASE, transport=counting, clock=clock, ttl=60, missing_ttl=15) as source,
        client_for(share_app(source)) as http,
    ):
        assert (await http.get(f"/share/{demo.token}")).status_code == 200
        await demo.owner.revoke_share_token(demo.trip_id)
        cached = await http.get(f"/share/{demo.token}")
        assert cached.status_code == 200  # within the cache's minute
        clock.now += 61
        gone = await http.get(f"/share/{demo.token}", headers={"accept-language": "ko"})
        assert gone.status_code == 404
        assert "이 링크는 꺼졌습니다" in gone.text and "/share" in gone.text
        assert demo.token not in gone.text
        feed = await http.get(f"/share/{demo.token}/calendar.ics")
        assert feed.status_code == 404 and "This link was turned off" in feed.text
        assert len(counting.paths) == 2  # the 404 is remembered too


@pytest.mark.parametrize(
    "path",
    [
        "/share/short",
        "/share/shr_%22%3E%3Cscript%3E",
        "/share/shr_..%2F..%2Ftrips",
        "/share/" + "a" * 200,
        "/share/shr_ok_but_%00null",
    ],
)
async def test_a_malformed_token_never_reaches_osoto(demo: SharedDemo, path: str) -> None:
    counting = CountingTransport(demo.transport)
    async with (
        ShareSource(BASE, transport=counting) as source,
        client_for(share_app(source)) as http,
    ):
        response = await http.get(path)
    assert response.status_code == 404
    assert "This link was turned off" in response.text
    assert "<script" not in response.text
    assert counting.paths == []


async def test_osoto_away_is_a_503_saying_to_try_again() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with (
        ShareSource(BASE, transport=httpx.MockTransport(refuse)) as source,
        client_for(share_app(source)) as http,
    ):
        response = await http.get("/share/shr_whatever_token")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert "Try again in a minute" in response.text


def test_a_bare_or_odd_trip_still_makes_a_page() -> None:
    export = TripExport.model_validate(
        {
            "trip": {"_id": "t1", "title": "Someday", "startDate": "2026-08-03",
                     "endDate": "2026-08-01"},
            "legs": [{"_id": "l1", "title": "Nowhere", "startDate": "2026-08-01",
                      "endDate": "2026-08-03", "timezone": "Not/AZone",
                      "flights": [{"flightNumber": "XX 1", "departAt": "soon"}]}],
            "commitments": [{"_id": "c1", "title": "Early bird", "startDate": "2026-07-30",
                             "startTime": "07:00"}],
        }
    )  # fmt: skip
    plan = share_plan(export, now=NOW, language="ko")
    assert [day.number for day in plan.days] == [-1, 1, 2, 3]  # the early event keeps its day
    assert plan.days[0].heading == "" and plan.days[1].heading == "1일차"
    assert plan.legs[0].zone == "UTC"
    assert plan.pins == () and plan.todos == () and plan.members == ()
    html = render_page(plan, translator("ko"), PageLinks("f.ics", "webcal://x/f.ics", "?lang=en"))
    assert "Early bird" in html and "Someday" in html
    feed = Calendar.from_ical(build_feed(export, tr=translator("en"), now=NOW))
    assert {str(e["SUMMARY"]) for e in feed.walk("VEVENT")} == {"Nowhere", "Early bird"}


def test_a_century_long_trip_lists_at_most_its_first_days() -> None:
    export = TripExport.model_validate(
        {"trip": {"_id": "t", "title": "Typo", "startDate": "2026-01-01", "endDate": "2926-01-01"}}
    )
    assert len(share_plan(export, now=NOW, language="en").days) == MAX_DAYS
