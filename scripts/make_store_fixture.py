"""Build tests/fixtures/store-v1.db: a bridge database exactly as schema version 1 left it.

The upgrade test opens a copy of it with today's code and checks that every link,
key, cursor, map row and outbox entry survived the migrations. The file is built
once and committed; rebuild it only if it is lost, never to follow a new schema
(then it would no longer be version 1's). Everything is written with version 1's
own migration and plain SQL naming version 1's columns, never with today's store.

    .venv/bin/python scripts/make_store_fixture.py [PATH]

The API keys are encrypted with FIXTURE_SECRET_KEY; the test knows both.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from osoto_bridge.store.crypto import fingerprint, key_digest
from osoto_bridge.store.engine import build_engine
from osoto_bridge.store.migrations import MIGRATIONS, migrate

FIXTURE_SECRET_KEY = "-vcO63s26VCLiF-I4OKl_cpmm97Glny4HW8Ds06L_e0="
KEYS = ("osk_fixture_telegram_0123456789abcdef", "osk_fixture_slack_fedcba9876543210")
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "store-v1.db"


def _rows() -> dict[str, list[dict[str, object]]]:
    fernet = Fernet(FIXTURE_SECRET_KEY.encode())
    keys = [
        {
            "id": n,
            "digest": key_digest(key),
            "fingerprint": fingerprint(key),
            "ciphertext": fernet.encrypt(key.encode()).decode(),
            "created_at": T0,
        }
        for n, key in enumerate(KEYS, start=1)
    ]
    read_write = ["messages:read:trip-1", "messages:write:trip-1"]
    links = [
        dict(
            id=1, platform="telegram", chat_id="-1001234", thread_id="", trip_id="trip-1",
            trip_title="Lisbon", channel_id="chan-general", channel_name="general", key_id=1,
            owner_user_id="user-ana", scopes=json.dumps([*read_write, "trips:read:trip-1"]),
            language="ko", show_sensitive=True, enabled=True, created_at=T0, created_by="telegram",
        ),
        dict(
            id=2, platform="telegram", chat_id="-1001234", thread_id="42", trip_id="trip-1",
            trip_title="Lisbon", channel_id="chan-food", channel_name="food", key_id=1,
            owner_user_id="user-ana", scopes=json.dumps(read_write), language="en",
            show_sensitive=False, enabled=False, created_at=T0 + 1, created_by="cli",
        ),
        dict(
            id=3, platform="slack", chat_id="C0LISBON", thread_id="", trip_id="trip-1",
            trip_title="Lisbon", channel_id="chan-general", channel_name="general", key_id=2,
            owner_user_id="user-ben", scopes=json.dumps(read_write), language="en",
            show_sensitive=False, enabled=True, created_at=T0 + 2, created_by="slack",
        ),
    ]  # fmt: skip
    cursors = [
        {"trip_id": "trip-1", "channel_id": "chan-general", "cursor": "cur-general-17",
         "updated_at": T0 + 60},
        {"trip_id": "trip-1", "channel_id": "chan-food", "cursor": "cur-food-3",
         "updated_at": T0 + 61},
    ]  # fmt: skip

    def mapped(n: int, osoto: str, platform: str, chat: str, message: str, part: int,
               origin: str) -> dict[str, object]:  # fmt: skip
        return {
            "id": n, "osoto_message_id": osoto, "trip_id": "trip-1",
            "channel_id": "chan-general", "platform": platform, "chat_id": chat,
            "thread_id": None, "chat_message_id": message, "part": part, "origin": origin,
            "created_at": T0 + 100 + n,
        }  # fmt: skip

    message_map = [
        mapped(1, "msg-osoto-1", "telegram", "-1001234", "501", 0, "osoto"),
        mapped(2, "msg-osoto-1", "slack", "C0LISBON", "1700000000.000100", 0, "osoto"),
        mapped(3, "msg-osoto-2", "telegram", "-1001234", "502", 0, "chat"),
        mapped(4, "msg-osoto-3", "slack", "C0LISBON", "1700000000.000200", 0, "osoto"),
        mapped(5, "msg-osoto-3", "slack", "C0LISBON", "1700000000.000201", 1, "osoto"),
    ]

    def entry(n: int, status: str, osoto_id: str | None, error: str | None) -> dict[str, object]:
        return {
            "id": n, "idempotency_key": f"telegram:-1001234:-:{600 + n}", "link_id": 1,
            "trip_id": "trip-1", "channel_id": "chan-general",
            "content": f"**Ana** (Telegram): message {n}", "parent_id": None,
            "source_platform": "telegram", "source_chat_id": "-1001234",
            "source_thread_id": None, "source_message_id": str(600 + n), "status": status,
            "attempts": 0 if status == "pending" else 1, "next_attempt_at": T0 + 200 + n,
            "last_error": error, "osoto_message_id": osoto_id, "created_at": T0 + 200 + n,
            "updated_at": T0 + 200 + n,
        }  # fmt: skip

    outbox = [
        entry(1, "sent", "msg-osoto-2", None),
        entry(2, "failed", None, "forbidden: the key lacks messages:write"),
        entry(3, "pending", None, None),
    ]
    return {
        "api_keys": keys,
        "links": links,
        "cursors": cursors,
        "message_map": message_map,
        "outbox": outbox,
        "seen_events": [
            {"platform": "telegram", "event_id": "update:9001", "seen_at": T0 + 300},
            {"platform": "slack", "event_id": "Ev0001", "seen_at": T0 + 301},
        ],
        "offsets": [
            {
                "platform": "telegram",
                "name": "update_offset",
                "value": "9002",
                "updated_at": T0 + 302,
            },
        ],
        "link_activity": [
            {"link_id": 1, "last_in_at": T0 + 400, "last_out_at": T0 + 401},
            {"link_id": 3, "last_in_at": None, "last_out_at": T0 + 402},
        ],
    }


async def build(path: Path) -> None:
    """Write the version-1 database at ``path`` (replacing any file there)."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = build_engine(f"sqlite+aiosqlite:///{path}")
    try:
        version = await migrate(engine, MIGRATIONS[:1])
        assert version == 1
        async with engine.begin() as conn:
            for table, rows in _rows().items():
                columns = list(rows[0])
                statement = sa.text(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)})"
                )
                await conn.execute(statement, rows)
    finally:
        await engine.dispose()
    # One self-contained file: no write-ahead log beside it, no free pages.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    vacuum = sqlite3.connect(path)
    vacuum.execute("VACUUM")
    vacuum.close()


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    asyncio.run(build(path))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
