"""The relay benchmark's chat platforms: the tests' fake Telegram and fake Slack.

    python bench/relay_chats.py [--limits]

Runs `FakeTelegram` and `FakeSlack` from ``tests/fakes`` (unchanged, subclassed only
to note when each bot message arrived) in one process; with ``--limits`` they enforce
the platforms' rate limits (``tests/fakes/limits.py``: 429 with ``retry_after`` /
``Retry-After``), and ``/stats`` counts the 429s each sent. Also plus a small control server
through which the harness plays the people and reads what the bot sent:

* ``POST /setup {"trips": N}``: N Telegram supergroups and N Slack channels, one
  person in each; answers their ids (index i belongs to trip i);
* ``POST /bridge {"events_url": URL}``: where Slack delivers events (the bridge);
  ``{"events_urls": [URL, …]}`` for replicas: round robin, a retry to the next;
* ``POST /inject {"messages": [[text, platform, trip], ...]}``: people write; the
  answer holds the time each message was written. Telegram queues an update for
  ``getUpdates``; Slack's events go to the bridge from a few delivery workers,
  retried as Slack does when the bridge does not answer 200;
* ``GET /received?since=N``: the bot's messages from entry N, with arrival times;
* ``GET /stats``: calls per method, 429s sent, and Slack deliveries that failed;
* ``GET /pending``: the texts people wrote that the bridge has not taken yet
  (Telegram updates not confirmed, Slack events not delivered).

On start it prints one JSON line to stdout with its ports, then serves until killed.
Only 127.0.0.1 is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakes.limits import SlackLimits, TelegramLimits
from fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack, Posted
from fakes.telegram_api import Chat, FakeTelegram, User

DELIVERY_WORKERS = 8
SLACK_RETRIES = 3

Received = tuple[float, str, str, str]
"""(arrival time, platform, chat id, text) of one message the bot sent."""


class BenchTelegram(FakeTelegram):
    """The fake Bot API, noting when each sent message arrived."""

    def __init__(self, received: list[Received], *, limits: bool) -> None:
        super().__init__(limits=TelegramLimits() if limits else None)
        self.max_poll_timeout = 10.0
        self.conflict_on_overlap = True  # two pollers (replicas) would be a 409
        self._received = received

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        arrived = time.time()
        message = await super()._api_sendMessage(params)
        self._received.append((arrived, "telegram", str(message["chat"]["id"]), message["text"]))
        return message


class BenchSlack(FakeSlack):
    """The fake Slack, noting when each posted message arrived."""

    def __init__(self, received: list[Received], *, limits: bool) -> None:
        super().__init__(limits=SlackLimits() if limits else None)
        self._received = received

    def _m_chat_postMessage(self, args: dict[str, Any]) -> tuple[dict[str, Any], Posted | None]:
        arrived = time.time()
        answer, posted = super()._m_chat_postMessage(args)
        if posted is not None:
            self._received.append((arrived, "slack", posted.channel, posted.text))
        return answer, posted


class Chats:
    """Both fakes, their people, and the Slack delivery queue."""

    def __init__(self, *, limits: bool = False) -> None:
        self.received: list[Received] = []
        self._lines = self._lines_read = 0
        self.telegram = BenchTelegram(self.received, limits=limits)
        self.slack = BenchSlack(self.received, limits=limits)
        self.groups: list[Chat] = []
        self.people: list[User] = []
        self.slack_channels: list[str] = []
        self.events_urls: list[str] = []
        self._next_url = 0
        self.deliveries: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.failed_deliveries = 0
        self.retried_deliveries = 0

    def setup(self, trips: int) -> dict[str, list[str]]:
        for index in range(len(self.groups), trips):
            person = self.telegram.user(f"Tess {index}", username=f"tess{index}")
            self.people.append(person)
            self.groups.append(self.telegram.group(f"Trip {index}", members=(person,)))
            channel = f"C{index:08d}"
            self.slack.add_channel(channel, f"trip-{index}")
            self.slack.add_user(f"U{index:08d}", f"Sam {index}")
            self.slack_channels.append(channel)
        return {
            "telegram": [str(group.id) for group in self.groups[:trips]],
            "slack": self.slack_channels[:trips],
        }

    def inject(self, messages: list[list[Any]]) -> list[float]:
        times: list[float] = []
        for text, platform, trip in messages:
            index = int(trip)
            times.append(time.time())
            if platform == "telegram":
                self.telegram.write(self.groups[index], self.people[index], str(text))
            else:
                event = self.slack.message_event(
                    self.slack_channels[index], f"U{index:08d}", str(text)
                )
                self.deliveries.put_nowait(self.slack.event_callback(event))
        return times

    async def deliver_forever(self, client: httpx.AsyncClient) -> None:
        """One Slack delivery worker: post each event, retrying as Slack does."""
        while True:
            payload = await self.deliveries.get()
            try:
                for attempt in range(SLACK_RETRIES + 1):
                    retry = attempt or None
                    # Several bridges (replicas): round robin, a retry to the next one,
                    # as a load balancer in front of them would.
                    url = self.events_urls[self._next_url % len(self.events_urls)]
                    self._next_url += 1
                    try:
                        response = await self.slack.deliver(
                            client, payload, path=url, retry_num=retry
                        )
                    except httpx.HTTPError:
                        response = None
                    if response is not None and response.status_code == 200:
                        break
                    self.retried_deliveries += 1
                    await asyncio.sleep(1.0)
                else:
                    self.failed_deliveries += 1
            finally:
                self.deliveries.task_done()

    def pending(self) -> list[str]:
        texts = [str(u.get("message", {}).get("text", "")) for u in self.telegram._updates]
        # the queue's own deque: read, not drained
        queued = list(self.deliveries._queue)  # type: ignore[attr-defined]
        return texts + [str(p["event"].get("text", "")) for p in queued]

    def received_lines(self) -> int:
        """Lines arrived (a merged message carries several): what the drain waits for."""
        for *_, text in self.received[self._lines_read :]:
            self._lines += max(1, len(_TAG.findall(text)))
        self._lines_read = len(self.received)
        return self._lines

    def stats(self) -> dict[str, Any]:
        telegram = Counter(call.method for call in self.telegram.calls)
        slack = Counter(call.method for call in self.slack.calls)
        return {
            "received": len(self.received),
            "received_lines": self.received_lines(),
            "telegram_calls": dict(telegram),
            "slack_calls": dict(slack),
            "telegram_429": self.telegram.sent_429,
            "slack_429": self.slack.sent_429,
            "telegram_429_by": _refused_by(self.telegram.limits),
            "slack_429_by": _refused_by(self.slack.limits),
            "slack_failed_deliveries": self.failed_deliveries,
            "slack_retried_deliveries": self.retried_deliveries,
            "slack_queue": self.deliveries.qsize(),
            "telegram_pending_updates": self.telegram.pending_updates,
            "telegram_conflicts": self.telegram.conflicts,
        }


_TAG = re.compile(r"msg\d{7}x")


def _refused_by(limits: Any) -> dict[str, int]:
    """The fake's enforced 429s by the rate that refused (none without limits)."""
    return dict(limits.refused_by) if limits is not None else {}


def control_app(chats: Chats) -> web.Application:
    async def setup(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(chats.setup(int(body["trips"])))

    async def bridge(request: web.Request) -> web.Response:
        body = await request.json()
        urls = body.get("events_urls") or [body["events_url"]]
        chats.events_urls = [str(url) for url in urls]
        return web.json_response({"ok": True})

    async def inject(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"times": chats.inject(body["messages"])})

    async def received(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        rows = chats.received[since:]
        return web.json_response({"next": since + len(rows), "rows": rows})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(chats.stats())

    async def pending(request: web.Request) -> web.Response:
        return web.json_response(chats.pending())

    async def delivery_workers(app: web.Application) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=30.0) as client:
            tasks = [
                asyncio.create_task(chats.deliver_forever(client), name=f"slack-delivery-{n}")
                for n in range(DELIVERY_WORKERS)
            ]
            yield
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/setup", setup)
    app.router.add_post("/bridge", bridge)
    app.router.add_post("/inject", inject)
    app.router.add_get("/received", received)
    app.router.add_get("/stats", stats)
    app.router.add_get("/pending", pending)
    app.cleanup_ctx.append(delivery_workers)
    return app


async def serve(*, limits: bool) -> None:
    chats = Chats(limits=limits)
    runner = web.AppRunner(control_app(chats), handle_signals=False, access_log=None)
    async with chats.telegram, chats.slack:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        ready = {
            "control": f"http://127.0.0.1:{port}",
            "telegram_api_url": chats.telegram.base_url,
            "telegram_token": chats.telegram.token,
            "slack_api_url": chats.slack.api_url,
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
        }
        print(json.dumps(ready), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


def main() -> int:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(limits="--limits" in sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
