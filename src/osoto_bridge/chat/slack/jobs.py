"""The adapter's deferred work: what runs after Slack has had its answer.

Slack wants an answer within three seconds; a trip answer or a key check can take
longer. Such work is acknowledged first and queued here, run by a few named tasks
the adapter owns (no fire-and-forget), and drained when the adapter stops. A job's
failure is logged here, in one place, and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

__all__ = ["InFlight", "JobQueue"]

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]

DEFAULT_WORKERS = 4
DRAIN_TIMEOUT = 30.0


class JobQueue:
    """Runs queued coroutines on a few worker tasks.

    Args:
        name: A prefix for the tasks' names.
        workers: How many jobs may run at once.
    """

    def __init__(self, name: str = "slack", *, workers: int = DEFAULT_WORKERS) -> None:
        self._name = name
        self._workers = workers
        self._queue: asyncio.Queue[tuple[str, Job]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._accepting = False

    def start(self) -> None:
        if self._tasks:
            raise RuntimeError("the job queue is already running")
        self._accepting = True
        self._tasks = [
            asyncio.create_task(self._run(), name=f"{self._name}-jobs-{index}")
            for index in range(self._workers)
        ]

    def submit(self, what: str, job: Job) -> None:
        """Queue ``job`` (``what`` names it in logs)."""
        if not self._accepting:
            raise RuntimeError(f"the job queue is stopped; {what} was not run")
        self._queue.put_nowait((what, job))

    async def join(self) -> None:
        """Wait until every queued job has finished (tests wait on this)."""
        await self._queue.join()

    async def stop(self, grace: float = DRAIN_TIMEOUT) -> None:
        """Refuse new jobs, finish the queued ones (for up to ``grace`` s), end the tasks."""
        self._accepting = False
        if not self._tasks:
            return
        try:
            async with asyncio.timeout(grace):
                await self._queue.join()
        except TimeoutError:
            logger.warning(
                "%s: %d queued jobs dropped at shutdown", self._name, self._queue.qsize()
            )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _run(self) -> None:
        while True:
            what, job = await self._queue.get()
            try:
                await job()
            except Exception:
                logger.exception("%s: %s failed", self._name, what)
            finally:
                self._queue.task_done()


class InFlight:
    """Counts work under way (requests, sends), so a shutdown can wait for it."""

    def __init__(self) -> None:
        self.count = 0
        self._none = asyncio.Event()
        self._none.set()

    @contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._none.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._none.set()

    async def settled(self, grace: float) -> bool:
        """Wait (up to ``grace`` s) until nothing is under way; False on timeout."""
        try:
            async with asyncio.timeout(grace):
                await self._none.wait()
        except TimeoutError:
            return False
        return True
