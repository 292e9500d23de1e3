"""A fault run of the relay: bounded in time, reproducible from a seed.

    .venv/bin/python bench/relay_faults.py [--seed 14] [--rooms 15] [--lines 3000]

In one process (unlike `relay.py`, whose parts are separate processes): the sandbox
behind a fault-injecting transport (429s, 5xx, delays, and lost responses on writes:
the request processed, the answer lost), recording chats standing in for Telegram and
Slack that answer "429" and lose send responses (the message shown, the answer lost),
and the real bridge and store over a SQLite file. While lines are written from Osoto,
Telegram and Slack (a quarter of them replies to an earlier line of the room, from
any side), the bridge is crashed (`Bridge.abort`: tasks cancelled mid-pass, the
stand-in for SIGKILL) and stopped (`Bridge.stop`: the SIGTERM path) over and over,
and restarted. Then hostile inputs. Then the run waits (bounded) for everything to
arrive, and prints per path: sent, exactly once, lost, doubled toward Osoto, doubled
toward chats (with the lost responses and kills that explain them), echoes, replies
that lost their parent, inputs altered or dropped, keys in the logs, and the stop
and start times.

What this run does not exercise: the platforms' own HTTP intake (Slack's events
route, Telegram's polling), so "events refused" is not measured here, and a kill
here does not lose the store's uncommitted transactions the way SIGKILL can.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

from osoto_bridge.chat import Capabilities, RecordingChat
from osoto_bridge.chat.base import ChatUnavailable, OutboundMessage
from osoto_bridge.osoto import OsotoClient
from osoto_bridge.relay import Bridge, ClientPool, PollTiming, seek_end
from osoto_bridge.sandbox import Sandbox
from osoto_bridge.store import Store, generate_secret_key
from osoto_bridge.text import Document, Quote, render_plain, render_slack_mrkdwn

BASE_URL = "http://sandbox.test/api/v1"
TIMING = PollTiming(
    active_interval=0.2,
    idle_interval=0.5,
    active_window=5.0,
    requests_per_minute=1_000_000,
    background_share=1.0,
)
LIVE_MENTIONS = ("<!channel>", "<!here>", "<!everyone>", "@here", "@channel", "@everyone")


@dataclass
class Faults:
    """What was injected (the figures that explain doubles and waits)."""

    osoto: Counter[str] = field(default_factory=Counter)
    chat: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    terms: int = 0


class FaultyOsoto(httpx.AsyncBaseTransport):
    """The sandbox behind a proxy that answers 429/5xx, delays, and loses write answers."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rng: random.Random, faults: Faults):
        self._inner = inner
        self._rng = rng
        self._faults = faults
        self.enabled = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.enabled:
            return await self._inner.handle_async_request(request)
        roll = self._rng.random()
        if roll < 0.03:
            self._faults.osoto["429"] += 1
            return httpx.Response(
                429,
                headers={"Retry-After": "1"},
                json={"error": {"code": "RATE_LIMITED", "message": "slow down"}},
            )
        if roll < 0.06:
            self._faults.osoto["5xx"] += 1
            return httpx.Response(
                503, json={"error": {"code": "UNAVAILABLE", "message": "injected"}}
            )
        if roll < 0.10:
            self._faults.osoto["delay"] += 1
            await asyncio.sleep(self._rng.uniform(0.05, 0.5))
        response = await self._inner.handle_async_request(request)
        if request.method == "POST" and self._rng.random() < 0.04:
            await response.aread()
            self._faults.osoto["lost_write_response"] += 1
            raise httpx.ReadError("injected: the response was lost", request=request)
        return response


class FaultyChat(RecordingChat):
    """A recording chat that answers "429" and loses send responses."""

    def __init__(self, platform: str, rng: random.Random, faults: Faults, **kwargs: object):
        super().__init__(platform, **kwargs)  # type: ignore[arg-type]
        self._rng = rng
        self._faults = faults
        self.enabled = False

    async def send(self, message: OutboundMessage) -> list[str]:
        if self.enabled and self._rng.random() < 0.03:
            self._faults.chat[f"{self.platform}_429"] += 1
            raise ChatUnavailable("injected 429")
        ids = await super().send(message)
        if self.enabled and self._rng.random() < 0.02:
            self._faults.chat[f"{self.platform}_lost_response"] += 1
            raise ChatUnavailable("injected: the send response was lost")
        return ids


@dataclass
class Line:
    token: str
    room: int
    origin: str  # "osoto", "telegram", "slack"
    parent: str | None = None  # the token it replies to
    osoto_id: str | None = None  # for lines written in Osoto
    chat_id: str | None = None  # for lines written in a chat: its id there
    hostile: str | None = None  # what kind of hostile input


@dataclass
class Room:
    index: int
    trip_id: str
    channel_id: str
    owner_id: str
    owner_key: str
    companion_id: str


class Run:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.faults = Faults()
        self.sandbox = Sandbox(":memory:", rate_limit=1_000_000)
        self.osoto = FaultyOsoto(
            httpx.ASGITransport(app=self.sandbox.app), random.Random(args.seed + 1), self.faults
        )
        self.telegram = FaultyChat(
            "telegram",
            random.Random(args.seed + 2),
            self.faults,
            capabilities=Capabilities(max_length=4096, buttons=True),
        )
        self.slack = FaultyChat(
            "slack",
            random.Random(args.seed + 3),
            self.faults,
            capabilities=Capabilities(max_length=4000, custom_username=True, threads=True),
        )
        self.store_url = f"sqlite+aiosqlite:///{tmp / 'bridge.db'}"
        self.secret = generate_secret_key()
        self.rooms: list[Room] = []
        self.lines: list[Line] = []
        self.bridge: Bridge | None = None
        self.up = asyncio.Event()
        self.stops: list[float] = []
        self.starts: list[float] = []
        self.log = io.StringIO()

    # -- set-up ---------------------------------------------------------------------

    async def setup(self, store: Store, pool: ClientPool) -> None:
        for index in range(self.args.rooms):
            owner = self.sandbox.create_user(f"Olive {index}")
            companion = self.sandbox.create_user(f"Carl {index}")
            group = self.sandbox.create_group(f"G{index}", owner_id=owner, member_ids=[companion])
            trip = self.sandbox.create_trip(
                group_id=group, title=f"Trip {index}", start_date="2026-07-01",
                end_date="2026-07-08",
            )  # fmt: skip
            scopes = [f"trips:read:{trip}", f"messages:read:{trip}", f"messages:write:{trip}"]
            key = self.sandbox.create_key(owner, scopes)
            client = pool.client_for_key(key)
            channels = await client.list_channels(trip)
            channel = next(c.id for c in channels if c.name == "general")
            for platform, chat in (("telegram", f"tg-{index}"), ("slack", f"C{index}")):
                await store.add_link(
                    platform=platform, chat_id=chat, thread_id=None, trip_id=trip,
                    trip_title=f"Trip {index}", channel_id=channel, channel_name="general",
                    api_key=key, owner_user_id=owner, scopes=scopes,
                )  # fmt: skip
            await store.set_cursor(trip, channel, await seek_end(client, trip, channel))
            self.rooms.append(Room(index, trip, channel, owner, key, companion))

    async def start_bridge(self, store: Store, pool: ClientPool) -> None:
        began = time.monotonic()
        self.bridge = Bridge(store=store, adapters=[self.telegram, self.slack], pool=pool,
                             timing=TIMING)  # fmt: skip
        await self.bridge.start()
        self.starts.append(time.monotonic() - began)
        self.up.set()

    # -- traffic --------------------------------------------------------------------

    def chat_of(self, origin: str) -> FaultyChat:
        return self.telegram if origin == "telegram" else self.slack

    def chat_id(self, origin: str, room: int) -> str:
        return f"tg-{room}" if origin == "telegram" else f"C{room}"

    def copy_id(self, chat: FaultyChat, chat_id: str, token: str) -> str | None:
        for sent in chat.sent:
            if sent.address.chat_id == chat_id and token in sent.text:
                return sent.message_id
        return None

    async def write(self, line: Line, text: str, *, edit_of: str | None = None) -> None:
        room = self.rooms[line.room]
        parent = next((p for p in self.lines if p.token == line.parent), None)
        if line.origin == "osoto":
            parent_id = None
            if parent is not None:
                parent_id = parent.osoto_id or self.osoto_id_of(parent)
                if parent_id is None:
                    line.parent = None
            message = self.sandbox.post_message(
                room.trip_id, room.channel_id, author_id=room.companion_id, content=text,
                parent_id=parent_id,
            )  # fmt: skip
            line.osoto_id = str(message["_id"])
            return
        chat = self.chat_of(line.origin)
        chat_id = self.chat_id(line.origin, line.room)
        reply_to = None
        if parent is not None:
            reply_to = parent.chat_id if parent.origin == line.origin else None
            reply_to = reply_to or self.copy_id(chat, chat_id, parent.token)
            if reply_to is None:
                line.parent = None  # not in this chat yet: a plain line
        await self.up.wait()
        line.chat_id = await chat.write(
            chat_id, text, author=f"{line.origin[:1].upper()}{line.room}", reply_to=reply_to,
            edit_of=edit_of,
        )  # fmt: skip

    def osoto_id_of(self, line: Line) -> str | None:
        room = self.rooms[line.room]
        rows = self.sandbox.context.conn.execute(
            "SELECT id FROM messages WHERE channel_id = ? AND doc LIKE ?",
            (room.channel_id, f"%{line.token}%"),
        ).fetchall()
        return str(rows[0][0]) if rows else None

    async def traffic(self) -> None:
        deadline = time.monotonic() + self.args.seconds
        gap = self.args.seconds / self.args.lines
        for n in range(self.args.lines):
            room = self.rng.randrange(len(self.rooms))
            origin = self.rng.choice(("osoto", "telegram", "slack"))
            earlier = [p for p in self.lines[-200:] if p.room == room and p.hostile is None]
            parent = (
                self.rng.choice(earlier).token if earlier and self.rng.random() < 0.25 else None
            )
            line = Line(f"L{n:05d}x", room, origin, parent)
            self.lines.append(line)
            await self.write(line, f"{line.token} line {n} from {origin}")
            await asyncio.sleep(max(0.0, min(gap, deadline - time.monotonic())))

    async def chaos(self, store: Store, pool: ClientPool, until: asyncio.Event) -> None:
        while not until.is_set():
            await asyncio.sleep(self.rng.uniform(2.0, 6.0))
            if until.is_set() or self.bridge is None:
                break
            self.up.clear()
            if self.rng.random() < 0.8:
                self.faults.kills += 1
                await self.bridge.abort()
            else:
                self.faults.terms += 1
                began = time.monotonic()
                await self.bridge.stop()
                self.stops.append(time.monotonic() - began)
            await asyncio.sleep(self.rng.uniform(0.1, 1.0))
            await self.start_bridge(store, pool)

    async def hostile(self) -> None:
        kinds = [
            ("long", lambda t: f"{t} " + "word " * 4000),
            ("zero_width", lambda t: f"{t} zero\u200bwidth\u200d\ufeff"),
            ("rtl", lambda t: f"{t} \u202eRTL override \u05e9\u05dc\u05d5\u05dd"),
            ("lone_surrogate", lambda t: f"{t} half \ud83d smile"),
            ("mentions", lambda t: f"{t} <!channel> <!here> @everyone @here <@U123>"),
            ("markup", lambda t: f"{t} *b* _i_ `c` ~s~ <b>x</b> &amp; [l](http://x) <http://y|z>"),
            ("unknown_command", lambda t: f"/frobnicate {t}"),
            ("malformed_command", lambda t: f"/where@ {t} ((("),
            ("media_without_text", lambda t: f"{t}"),  # a caption-less photo: only the token
        ]
        for n in range(self.args.hostile):
            kind, make = kinds[n % len(kinds)]
            origin = ("telegram", "slack", "osoto")[n % 3]
            if kind == "media_without_text" and origin == "osoto":
                origin = "telegram"  # Osoto has no message without content
            line = Line(f"H{n:04d}x", self.rng.randrange(len(self.rooms)), origin, hostile=kind)
            self.lines.append(line)
            await self.write(line, make(line.token))
            if kind == "markup" and origin != "osoto" and line.chat_id is not None:
                edit = Line(f"E{n:04d}x", line.room, origin, hostile="edit")
                self.lines.append(edit)
                await self.write(edit, f"{edit.token} edited", edit_of=line.chat_id)

    # -- the verdict ----------------------------------------------------------------

    async def osoto_contents(self, client_for: dict[int, OsotoClient]) -> dict[int, list]:
        found = {}
        for room in self.rooms:
            client = client_for[room.index]
            found[room.index] = [
                m async for m in client.iterate_messages(room.trip_id, room.channel_id)
            ]
        return found

    def expected(self, line: Line) -> list[str]:
        # This run has no command service: a "/…" line is relayed like any other.
        if line.origin == "osoto":
            return ["telegram", "slack"]
        return ["osoto", "slack" if line.origin == "telegram" else "telegram"]

    def copies(self, line: Line, where: str, osoto: dict[int, list]) -> list[str]:
        """The ids of ``line``'s copies in ``where`` (a quote of it in a reply is none)."""
        if where == "osoto":
            return [m.id for m in osoto[line.room] if line.token in _unquoted(m.content)]
        chat = self.chat_of(where)
        chat_id = self.chat_id(where, line.room)
        return [s.message_id for s in chat.sent if s.address.chat_id == chat_id
                and line.token in _own_text(s.document)]  # fmt: skip

    async def settled(self, osoto_of: dict[int, OsotoClient], store: Store) -> bool:
        if await store.pending_outbox_count() > 0:
            return False
        osoto = await self.osoto_contents(osoto_of)
        return all(self.copies(line, where, osoto) for line in self.lines
                   for where in self.expected(line))  # fmt: skip


def report(run: Run, osoto: dict[int, list], drained: bool, took: float) -> None:
    paths: dict[str, Counter[str]] = {}
    odd: list[str] = []
    for line in run.lines:
        for where in run.expected(line):
            path = f"{line.origin}→{where}"
            tally = paths.setdefault(path, Counter())
            found = run.copies(line, where, osoto)
            tally["sent"] += 1
            tally["exactly_once" if len(found) == 1 else "lost" if not found else "doubled"] += 1
            if len(found) != 1 and (where == "osoto" or not found):
                odd.append(f"{path} {line.token} ({line.hostile or 'line'}): {len(found)} copies")
            if line.parent is not None and found and line.hostile is None:
                parent = next(p for p in run.lines if p.token == line.parent)
                if where == "osoto":
                    parent_ids = set(run.copies(parent, "osoto", osoto))
                    msg = next(m for m in osoto[line.room] if m.id == found[0])
                    ok = msg.parent_id in parent_ids
                else:
                    chat = run.chat_of(where)
                    parent_ids = set(run.copies(parent, where, osoto))
                    if parent.origin == where and parent.chat_id:
                        parent_ids.add(parent.chat_id)
                    sent = next(s for s in chat.sent if s.message_id == found[0])
                    ok = sent.reply_to in parent_ids
                if (
                    not ok
                    and line.origin != "osoto"
                    and len(run.copies(parent, line.origin, osoto)) > 1
                ):
                    # The reply answers a copy whose send response was lost: the
                    # bridge never learned that copy's id (quoted instead; counted).
                    tally["reply_parent_never_told"] += 1
                elif not ok:
                    tally["reply_lost_parent"] += 1
                    odd.append(f"{path} {line.token} lost its parent {parent.token}")
        if line.origin != "osoto":
            echoes = run.copies(line, line.origin, osoto)
            if echoes:
                paths.setdefault(f"{line.origin}→osoto", Counter())["echoes"] += len(echoes)
                odd.append(f"echo {line.token} ({line.hostile or 'line'}) in {line.origin}")
    print(f"fault run: seed {run.args.seed}, {run.args.rooms} rooms, {len(run.lines)} lines "
          f"({run.args.hostile} hostile), drained: {drained} in {took:.0f}s")  # fmt: skip
    print(f"injected: osoto {dict(run.faults.osoto)}; chats {dict(run.faults.chat)}; "
          f"kills {run.faults.kills}, stops {run.faults.terms}")  # fmt: skip
    columns = ("sent", "exactly_once", "lost", "doubled", "echoes", "reply_lost_parent",
               "reply_parent_never_told")  # fmt: skip
    names = ("sent", "once", "lost", "doubled", "echoes", "lost parent", "parent unknown")
    print(f"{'path':<16}" + "".join(f"{c:>15}" for c in names))
    for path in sorted(paths):
        print(f"{path:<16}" + "".join(f"{paths[path][c]:>15}" for c in columns))
    chat_lost = sum(v for k, v in run.faults.chat.items() if k.endswith("lost_response"))
    to_chats = sum(paths[p]["doubled"] for p in paths if not p.endswith("osoto"))
    print(f"doubles toward chats: {to_chats} (lost send responses injected: {chat_lost}, "
          f"kills: {run.faults.kills})")  # fmt: skip
    dropped = hostile_report(run, osoto)
    for note in odd[:40]:
        print("  " + note)
    logs = run.log.getvalue()
    keys = [room.owner_key for room in run.rooms]
    print(f"keys in logs: {sum(logs.count(k) for k in keys)} ({len(logs):,} bytes of logs)")
    print(f"stop times (s): {_spread(run.stops)}; start times (s): {_spread(run.starts)}")
    if run.args.report is not None:
        run.args.report.write_text(
            json.dumps(
                {
                    "drained": drained,
                    "paths": {path: dict(tally) for path, tally in paths.items()},
                    "hostile_dropped": dropped,
                    "keys_in_logs": sum(logs.count(k) for k in keys),
                    "stops": run.stops,
                    "faults": {"osoto": dict(run.faults.osoto), "chat": dict(run.faults.chat)},
                },
                indent=2,
            )
        )


def hostile_report(run: Run, osoto: dict[int, list]) -> int:
    altered: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    live = 0
    for line in run.lines:
        if line.hostile is None:
            continue
        for where in run.expected(line):
            found = run.copies(line, where, osoto)
            if not found:
                dropped[line.hostile] += 1
        if line.hostile == "mentions":
            for sent in run.slack.sent:
                if line.token in sent.text:
                    rendered = render_slack_mrkdwn(sent.document)
                    live += any(m in rendered for m in LIVE_MENTIONS)
        if line.hostile == "lone_surrogate":
            altered["lone_surrogate → U+FFFD (expected)"] += 1
    print(f"hostile inputs dropped: {dict(dropped) or 0}; altered: {dict(altered) or 0}; "
          f"live mentions reaching Slack: {live}")  # fmt: skip
    return sum(dropped.values()) + live


def _unquoted(content: str) -> str:
    return "\n".join(row for row in content.splitlines() if not row.startswith(">"))


def _own_text(document: Document) -> str:
    return render_plain(Document(tuple(b for b in document.blocks if not isinstance(b, Quote))))


def _spread(values: list[float]) -> str:
    if not values:
        return "none"
    return (f"n={len(values)} median {statistics.median(values):.2f} "
            f"max {max(values):.2f}")  # fmt: skip


async def main(args: argparse.Namespace) -> int:
    with TemporaryDirectory() as tmp:
        run = Run(args, Path(tmp))
        handler = logging.StreamHandler(run.log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logging.basicConfig(level=logging.INFO, handlers=[handler])
        store = await Store.open(run.store_url, secret_keys=[run.secret])
        pool = ClientPool(store=store, base_url=BASE_URL, transport=run.osoto)
        try:
            await run.setup(store, pool)
            osoto_of = {room.index: pool.client_for_key(room.owner_key) for room in run.rooms}
            await run.start_bridge(store, pool)
            run.osoto.enabled = run.telegram.enabled = run.slack.enabled = True
            calm = asyncio.Event()
            chaos = asyncio.create_task(run.chaos(store, pool, calm))
            await run.traffic()
            await run.hostile()
            calm.set()
            await chaos
            run.up.set()
            began = time.monotonic()
            drained = False
            while time.monotonic() - began < args.drain_seconds:
                run.osoto.enabled = False  # the verdict's own reads see no faults
                done = await run.settled(osoto_of, store)
                run.osoto.enabled = True
                if done:
                    drained = True
                    break
                await asyncio.sleep(2.0)
            run.osoto.enabled = run.telegram.enabled = run.slack.enabled = False
            await asyncio.sleep(3.0)  # the last hand-overs land
            assert run.bridge is not None
            began_stop = time.monotonic()
            await run.bridge.stop()
            run.stops.append(time.monotonic() - began_stop)
            osoto = await run.osoto_contents(osoto_of)
            report(run, osoto, drained, time.monotonic() - began)
        finally:
            await pool.aclose()
            await store.close()
            run.sandbox.close()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--rooms", type=int, default=15)
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=120.0, help="traffic phase length")
    parser.add_argument("--hostile", type=int, default=300)
    parser.add_argument("--drain-seconds", type=float, default=120.0)
    parser.add_argument("--report", type=Path, help="also write the figures here as JSON")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
