# The leader lease: with several replicas, a job runs only in the process holding its lease.
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[int]]


class JobLeases(Protocol):
    """What the leader needs from storage (storage.leases.SqlJobLeases)."""

    async def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew `name` until `now + ttl`; False while another holder's lease runs."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Give `name` up, if `holder` holds it."""
        ...


def process_id() -> str:
    """This process, as a lease holder: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_ttl(tick_seconds: float) -> timedelta:
    """How long a lease lasts: three ticks, at least ten seconds. The holder renews it at every
    tick, so it lapses only when the holder has stopped ticking (crashed or hung); a replica
    that stops cleanly releases its leases at once."""
    return timedelta(seconds=max(10.0, 3 * tick_seconds))


class Leader:
    """Wraps jobs so each runs only while this process holds the job's lease in the database.
    At every tick the wrapped job takes or renews its lease and runs; a replica that finds the
    lease held by another process skips that tick quietly (returns 0). Leases stick: the
    holder keeps a job for as long as it keeps ticking, and renews the lease during a long run,
    so two replicas never run the same job at once unless a holder stalls for longer than
    `ttl`, and every job is idempotent anyway (state on the records, unique outbox keys)."""

    def __init__(
        self, leases: JobLeases, clock: Clock, *, ttl: timedelta, holder: str | None = None
    ) -> None:
        self._leases = leases
        self._clock = clock
        self._ttl = ttl
        self.holder = holder or process_id()
        self._held: set[str] = set()

    def leased(self, name: str, job: Job) -> Job:
        """`job` as a scheduler job that runs only under the lease on `name`."""

        async def run() -> int:  # a coroutine function, so APScheduler awaits it
            if not await self._acquire(name):
                return 0
            renewal = asyncio.create_task(self._renew_while_running(name))
            try:
                return await job()
            finally:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewal

        return run

    async def release_all(self) -> None:
        """Give up every lease this process holds (on shutdown)."""
        for name in sorted(self._held):
            try:
                await self._leases.release(name, self.holder)
            except Exception:
                log.warning("could not release the lease on %s", name, exc_info=True)
        self._held.clear()

    async def _acquire(self, name: str) -> bool:
        taken = await self._leases.acquire(name, self.holder, self._clock.now(), self._ttl)
        if taken and name not in self._held:
            log.info("scheduler: this replica (%s) now runs %s", self.holder, name)
            self._held.add(name)
        elif not taken and name in self._held:
            log.info("scheduler: %s has moved to another replica", name)
            self._held.discard(name)
        return taken

    async def _renew_while_running(self, name: str) -> None:
        while True:
            await asyncio.sleep(self._ttl.total_seconds() / 3)
            try:
                await self._acquire(name)
            except Exception:
                log.warning("could not renew the lease on %s", name, exc_info=True)
