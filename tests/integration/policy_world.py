# A world for rule P1's integration tests: the policy flows and their desk on one database, with
# a directory file the test may edit and a clock the test sets.
from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.clock import ManualClock
from bot.directory import Directory, DirectoryFile
from bot.front import Asked
from bot.policy.service import PolicyDeps
from bot.services import Services
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import (
    AuditRow,
    OutboxRow,
    PolicyAckRow,
    PolicyChangeRow,
    PolicyReviewRow,
)
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
COMMS = "h.whitfield@trust.example"
ASHWORTH, SHARMA = "r.ashworth@trust.example", "p.sharma@trust.example"
WILLOW_HEAD, OAKFIELD_HEAD = "s.thompson@willow.example", "m.obrien@oakfield.example"
HUGHES, PATEL, CLARKE = (
    "d.hughes@willow.example",
    "a.patel@willow.example",
    "e.clarke@willow.example",
)
WILLOW_DSL, OFFICE = "j.whitaker@willow.example", "k.holt@willow.example"
IT, BOARD, STRANGER = "helpdesk@itpartner.example", "m.ellison@trust.example", "x@elsewhere.example"


@dataclass
class World:
    engine: Any
    sessions: Any
    clock: ManualClock
    directory_file: DirectoryFile
    services: Services
    keys: int = 0

    @property
    def directory(self) -> Directory:
        return self.directory_file.current()

    @property
    def deps(self) -> PolicyDeps:
        return self.services.policy_deps()

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    def at(self, day: date, moment: time = time(10)) -> None:
        self.clock.set(datetime.combine(day, moment, LONDON).astimezone(UTC))

    def asked(self, email: str) -> Asked:
        self.keys += 1
        return Asked(email, f"test:view:{self.keys}")

    def edit_directory(self, old: str, new: str) -> None:
        """Change the directory file; the next lookup reloads it."""
        path = self.directory_file.path
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")
        assert self.directory_file.current() is not None

    async def outbox(self, part: str = "") -> list[OutboxRow]:
        async with self.sessions() as session:
            rows = (await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all()
        return [row for row in rows if part in row.key]

    async def audit(self, prefix: str = "policy.") -> list[AuditRow]:
        async with self.sessions() as session:
            query = select(AuditRow).where(AuditRow.action.startswith(prefix))  # type: ignore[attr-defined]
            return list((await session.exec(query.order_by(AuditRow.id))).all())

    async def snapshot(self) -> tuple[Any, ...]:
        """Everything a refusal must leave as it was: reviews, changes, acks, outbox, audit."""
        async with self.sessions() as session:
            reviews = (
                await session.exec(select(PolicyReviewRow).order_by(PolicyReviewRow.id))
            ).all()
            changes = (
                await session.exec(select(PolicyChangeRow).order_by(PolicyChangeRow.id))
            ).all()
            acks = (await session.exec(select(func.count()).select_from(PolicyAckRow))).one()
            outbox = (await session.exec(select(func.count()).select_from(OutboxRow))).one()
            audit = (await session.exec(select(func.count()).select_from(AuditRow))).one()
        return (
            [r.model_dump() for r in reviews],
            [c.model_dump() for c in changes],
            acks,
            outbox,
            audit,
        )


@pytest.fixture(name="world")
async def world_fixture(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    """Import it as `world_fixture`; tests ask for `world`."""
    path = tmp_path / "directory.yml"
    shutil.copy(SAMPLE, path)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    clock = ManualClock(datetime.combine(date(2026, 9, 1), time(7), LONDON).astimezone(UTC))
    directory_file = DirectoryFile(path)
    services = Services(
        directory_file=directory_file,
        uow=lambda: SqlUnitOfWork(sessions, clock),
        clock=clock,
        hours=HOURS,
        ack_hours=2.0,
        wake_outbox=lambda: None,
    )
    yield World(engine, sessions, clock, directory_file, services)
    await engine.dispose()


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)
