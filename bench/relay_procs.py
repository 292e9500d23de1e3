"""Processes of the relay benchmark: start on loopback, sample, stop; /proc readings."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Samples:
    """A process's CPU time and RSS, once a second: (time, cpu seconds, rss bytes)."""

    rows: list[tuple[float, float, int]] = field(default_factory=list)

    def cpu_between(self, start: float, end: float) -> float:
        """Mean cores used between two times (nearest samples)."""
        inside = [row for row in self.rows if start <= row[0] <= end]
        if len(inside) < 2:
            return float("nan")
        (t0, c0, _), (t1, c1, _) = inside[0], inside[-1]
        return (c1 - c0) / (t1 - t0) if t1 > t0 else float("nan")

    def rss_max(self, start: float = 0.0, end: float = float("inf")) -> int:
        return max((rss for t, _, rss in self.rows if start <= t <= end), default=0)


async def sample(pid: int, samples: Samples, stop: asyncio.Event, every: float = 1.0) -> None:
    """Append a sample of ``pid`` every ``every`` seconds until ``stop`` is set."""
    while not stop.is_set():
        try:
            samples.rows.append((time.time(), cpu_seconds(pid), rss_bytes(pid)))
        except (FileNotFoundError, ProcessLookupError):
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(every):
                await stop.wait()


async def start(
    argv: list[str], *, log: Path, env: dict[str, str] | None = None, stdout_pipe: bool = False
) -> asyncio.subprocess.Process:
    """Start a process; its stderr (and stdout unless piped) goes to ``log``."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE if stdout_pipe else out,
            stderr=out,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )


async def stop(process: asyncio.subprocess.Process, *, grace: float = 20.0) -> int | None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; returns the exit status."""
    if process.returncode is not None:
        return process.returncode
    with contextlib.suppress(ProcessLookupError):
        if grace <= 0:
            process.kill()
        else:
            process.terminate()
    try:
        async with asyncio.timeout(grace):
            return await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        return await process.wait()
