"""One `run` per SQLite file: an OS lock beside the database, held for the process's life.

Two `run` processes on one SQLite file would both poll every channel and both drain
the outbox (every line twice into the chats) and both long-poll Telegram (409
Conflict). SQLite has no leases to share the work, so the second one refuses to
start instead. The lock is `flock` on ``<db>.lock``: the kernel releases it when the
process ends, however it ends (SIGKILL included), so a stale lock file never blocks
a restart. The `links` commands do not take it: they may run beside the service.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

from osoto_bridge.cli.common import CommandError
from osoto_bridge.store.engine import is_memory_sqlite

__all__ = ["RunLock", "sqlite_lock_path"]


def sqlite_lock_path(database_url: str) -> Path | None:
    """The lock file of a SQLite database file, or None (PostgreSQL, in-memory SQLite)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or is_memory_sqlite(url) or url.database is None:
        return None
    return Path(url.database).resolve().with_name(Path(url.database).name + ".lock")


class RunLock:
    """Holds ``path`` locked (`flock`, exclusive, non-blocking) while entered.

    Raises:
        CommandError: (exit status 2) another process holds the lock.
    """

    def __init__(self, path: Path | None, *, what: str) -> None:
        self._path = path
        self._what = what
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        if self._path is None:
            return self
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise CommandError(
                f"{self._what} is already served by {holder} (lock {self._path}); "
                "SQLite serves one `run` at a time: stop it, or use PostgreSQL for replicas",
                exit_code=2,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"osoto-bridge run pid {os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
