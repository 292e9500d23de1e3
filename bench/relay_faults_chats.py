"""The fault run's chat platforms: the tests' fake Telegram and Slack, misbehaving.

    python bench/relay_faults_chats.py --seed 14

`FakeTelegram` and `FakeSlack` from ``tests/fakes`` in one process, subclassed to
inject what real platforms do under load, from a seeded generator, while faults
are on (``POST /faults {"on": true}``):

* a 429 (``retry_after`` 1 s) on a send, now and then;
* a lost send response: the message is shown, the bot gets a 502 instead of its
  answer (marked ``lost`` in the rows);
* Slack, as the real one, shows the app its own messages: each post is echoed as a
  ``message`` event (``bot_id``, metadata), delivered like any event.

Slack's events are delivered by a few workers, each answer awaited at most 3 s (as
Slack does); a refusal (non-2xx), a timeout or a refused connection (the bridge is
down) is retried after 1 s, 1 min and 2 min (Slack's own schedule is about 0 s, 1 min
and 5 min), then given up: counted as never accepted, with the text it carried.

Control routes (JSON): ``POST /setup {"trips": N}``, ``POST /bridge {"events_url"}``,
``POST /faults {"on": bool}``, ``POST /inject {"messages": [...]}`` (each a dict:
``platform``, ``trip``, ``text``, optional ``reply_to``, ``edit_of``, ``media``;
answered with each message's id), ``GET /received?since=N`` (every bot message:
time, platform, chat, text, own text, id, reply target, lost), ``GET /stats``,
``GET /pending``. On start it prints one JSON line with its URLs. ``/inject`` also
answers, per message, the thread it went in (Slack: the root Slack names in the
event, which is the root of the target's thread, not the target itself; else null).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import random
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

from fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, ApiCall, FakeSlack, Posted
from fakes.telegram_api import ApiError, Chat, FakeTelegram, User

DELIVERY_WORKERS = 8
SLACK_TIMEOUT = 3.0
SLACK_RETRY_AFTER = (1.0, 60.0, 120.0)
P_429 = 0.03
P_LOST = 0.02
_QUOTE = re.compile(r"<blockquote>.*?</blockquote>", re.S)

Row = list[Any]
"""(time, platform, chat, text, own text (quotes left out), id, reply target, lost)."""


class Faults:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.on = False
        self.injected: Counter[str] = Counter()

    def roll(self, platform: str) -> str | None:
        if not self.on:
            return None
        roll = self.rng.random()
        if roll < P_429:
            self.injected[f"{platform}_429"] += 1
            return "429"
        if roll < P_429 + P_LOST:
            self.injected[f"{platform}_lost_response"] += 1
            return "lost"
        return None


class FaultTelegram(FakeTelegram):
    def __init__(self, rows: list[Row], faults: Faults) -> None:
        super().__init__()
        self.max_poll_timeout = 10.0
        self._rows = rows
        self._faults = faults

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        fault = self._faults.roll("telegram")
        if fault == "429":
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        message = await super()._api_sendMessage(params)
        raw = str(message.get("html", message["text"]))
        own = html.unescape(re.sub(r"<[^>]+>", "", _QUOTE.sub("", raw)))
        reply = message.get("reply_to_message")
        self._rows.append(
            [
                time.time(),
                "telegram",
                str(message["chat"]["id"]),
                message["text"],
                own,
                str(message["message_id"]),
                str(reply["message_id"]) if reply else None,
                fault == "lost",
            ]
        )
        if fault == "lost":
            raise ApiError(502, "Bad Gateway")
        return message


class FaultSlack(FakeSlack):
    def __init__(self, rows: list[Row], faults: Faults, echo: asyncio.Queue[Any]) -> None:
        super().__init__()
        self._rows = rows
        self._faults = faults
        self._echo = echo

    async def _api(self, request: Any) -> Any:
        if request.path_params["method"] == "chat.postMessage":
            fault = self._faults.roll("slack")
            if fault == "429":
                self.fail_next("chat.postMessage", retry_after=1)
            elif fault == "lost":
                self.lose_next("chat.postMessage")
        return await super()._api(request)

    async def _record(self, call: ApiCall, posted: Posted | None = None) -> None:
        await super()._record(call, posted)
        if posted is None or posted.ts is None:
            return
        own = "\n".join(
            row for row in posted.text.splitlines() if not row.startswith(("&gt;", ">"))
        )
        self._rows.append(
            [
                time.time(),
                "slack",
                posted.channel,
                posted.text,
                own,
                posted.ts,
                posted.thread_ts,
                posted.lost,
            ]
        )
        self._echo.put_nowait(self.event_callback(self.bot_message_event(posted)))


class Chats:
    def __init__(self, seed: int) -> None:
        self.rows: list[Row] = []
        self.faults = Faults(seed)
        self.deliveries: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.telegram = FaultTelegram(self.rows, self.faults)
        self.slack = FaultSlack(self.rows, self.faults, self.deliveries)
        self.groups: list[Chat] = []
        self.people: list[User] = []
        self.channels: list[str] = []
        self.events_url = ""
        self.answers: Counter[str] = Counter()
        self.never_accepted: list[str] = []  # the texts of events Slack gave up on
        self.roots: dict[tuple[str, str], str] = {}  # Slack (channel, ts) → thread root

    def setup(self, trips: int) -> dict[str, list[str]]:
        for index in range(len(self.groups), trips):
            person = self.telegram.user(f"Tess {index}", username=f"tess{index}")
            self.people.append(person)
            self.groups.append(self.telegram.group(f"Trip {index}", members=(person,)))
            channel = f"C{index:08d}"
            self.slack.add_channel(channel, f"trip-{index}")
            self.slack.add_user(f"U{index:08d}", f"Sam {index}")
            self.channels.append(channel)
        return {"telegram": [str(g.id) for g in self.groups], "slack": self.channels}

    def inject(self, messages: list[dict[str, Any]]) -> tuple[list[str], list[str | None]]:
        ids: list[str] = []
        threads: list[str | None] = []
        for m in messages:
            threads.extend([None] * (len(ids) - len(threads)))
            index, text = int(m["trip"]), str(m["text"])
            reply_to, edit_of = m.get("reply_to"), m.get("edit_of")
            if m["platform"] == "telegram":
                group, person = self.groups[index], self.people[index]
                if edit_of is not None:
                    self.telegram.edit(group, int(edit_of), text)
                    ids.append(str(edit_of))
                    continue
                target = int(reply_to) if reply_to is not None else None
                if m.get("media"):
                    photo = [
                        {
                            "file_id": f"p{len(ids)}",
                            "file_unique_id": f"u{len(ids)}",
                            "width": 10,
                            "height": 10,
                        }
                    ]
                    sent = self.telegram.post(
                        group, person, reply_to=target, photo=photo, caption=text
                    )
                else:
                    sent = self.telegram.write(group, person, text, reply_to=target)
                ids.append(str(sent["message_id"]))
                continue
            channel, user = self.channels[index], f"U{index:08d}"
            if edit_of is not None:
                event = self.slack.edit_event(channel, user, str(edit_of), text)
                ids.append(str(edit_of))
            else:
                root = self.roots.get((channel, str(reply_to))) if reply_to else None
                thread = (root or str(reply_to)) if reply_to else None
                files = (
                    [
                        {
                            "id": "F1",
                            "name": "photo.jpg",
                            "title": "photo.jpg",
                            "permalink": "http://files.test/F1",
                        }
                    ]
                    if m.get("media")
                    else None
                )
                event = self.slack.message_event(channel, user, text, thread_ts=thread, files=files)
                self.roots[(channel, str(event["ts"]))] = thread or str(event["ts"])
                ids.append(str(event["ts"]))
                threads.append(thread)
            self.deliveries.put_nowait(self.slack.event_callback(event))
        threads.extend([None] * (len(ids) - len(threads)))
        return ids, threads

    async def deliver_forever(self, client: httpx.AsyncClient) -> None:
        """One Slack delivery worker: post each event, retrying as Slack does."""
        while True:
            payload = await self.deliveries.get()
            try:
                for attempt in range(len(SLACK_RETRY_AFTER) + 1):
                    try:
                        response = await self.slack.deliver(
                            client, payload, path=self.events_url, retry_num=attempt or None
                        )
                        outcome = str(response.status_code)
                    except httpx.TimeoutException:
                        outcome = "timeout"
                    except httpx.HTTPError:
                        outcome = "no_connection"
                    self.answers[outcome] += 1
                    if outcome.startswith("2"):
                        break
                    if attempt < len(SLACK_RETRY_AFTER):
                        await asyncio.sleep(SLACK_RETRY_AFTER[attempt])
                else:
                    event = payload.get("event", {})
                    self.never_accepted.append(str(event.get("text") or ""))
            finally:
                self.deliveries.task_done()

    def remember_roots(self) -> None:
        for row in self.rows:
            if row[1] == "slack":
                self.roots.setdefault((row[2], row[5]), row[6] or row[5])

    def stats(self) -> dict[str, Any]:
        return {
            "injected": dict(self.faults.injected),
            "slack_answers": dict(self.answers),
            "slack_never_accepted": len(self.never_accepted),
            "slack_never_accepted_texts": self.never_accepted,
            "slack_queue": self.deliveries.qsize(),
            "telegram_pending_updates": self.telegram.pending_updates,
            "telegram_calls": dict(Counter(c.method for c in self.telegram.calls)),
            "slack_calls": dict(Counter(c.method for c in self.slack.calls)),
        }


def control_app(chats: Chats) -> web.Application:
    async def body(request: web.Request) -> Any:
        return await request.json()

    async def setup(request: web.Request) -> web.Response:
        return web.json_response(chats.setup(int((await body(request))["trips"])))

    async def bridge(request: web.Request) -> web.Response:
        chats.events_url = str((await body(request))["events_url"])
        return web.json_response({"ok": True})

    async def faults(request: web.Request) -> web.Response:
        chats.faults.on = bool((await body(request))["on"])
        return web.json_response({"ok": True})

    async def inject(request: web.Request) -> web.Response:
        chats.remember_roots()
        ids, threads = chats.inject((await body(request))["messages"])
        return web.json_response({"ids": ids, "threads": threads})

    async def received(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response({"rows": chats.rows[since:]})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(chats.stats())

    async def workers(app: web.Application) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=SLACK_TIMEOUT) as client:
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
    app.router.add_post("/faults", faults)
    app.router.add_post("/inject", inject)
    app.router.add_get("/received", received)
    app.router.add_get("/stats", stats)
    app.cleanup_ctx.append(workers)
    return app


async def serve(seed: int) -> None:
    chats = Chats(seed)
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
