# Deadlines on real databases with a fake clock: nudge once, escalate once, never to the subject.
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.reports import service
from bot.reports.form import ReportInput
from bot.reports.model import Category, RecipientRole, Status
from bot.reports.service import ReportDeps
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON).astimezone(UTC)
TEACHER, HEAD = "d.hughes@willow.example", "s.thompson@willow.example"
ELT = {"r.ashworth@trust.example", "p.sharma@trust.example"}


@dataclass
class World:
    deps: ReportDeps
    clock: ManualClock
    sessions: object

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)  # type: ignore[arg-type]

    async def outbox(self) -> list[OutboxRow]:
        async with self.sessions() as session:  # type: ignore[operator]
            return list((await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all())


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(MONDAY_9)
    hours = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
    deps = ReportDeps(load_directory(SAMPLE), clock, hours, ack_hours=2)
    yield World(deps, clock, session_factory(engine))
    await engine.dispose()


def report_input(**changes: object) -> ReportInput:
    values: dict[str, object] = {
        "site_id": "willow",
        "category": Category.PUPIL_MISUSE,
        "description": "Posts.",
        "happened_on": date(2026, 11, 20),
        "platform": "X",
        "subject_staff": None,
        "subject_name": None,
        "links": None,
        "safeguarding": False,
        "on_school_device": False,
    }
    return ReportInput(**(values | changes))  # type: ignore[arg-type]


async def test_nudge_then_escalate_each_once(world: World) -> None:
    done = await service.submit(
        world.uow(), world.deps, reporter=TEACHER, data=report_input(), source_key="t:1"
    )
    ref = done.report.ref
    world.clock.advance(timedelta(hours=1, minutes=59))
    assert await service.process_deadlines(world.uow(), world.deps) == 0

    world.clock.advance(timedelta(minutes=1))
    assert await service.process_deadlines(world.uow(), world.deps) == 1
    assert await service.process_deadlines(world.uow(), world.deps) == 0
    nudges = [r for r in await world.outbox() if ":nudge:" in r.key]
    assert [r.recipient for r in nudges] == [HEAD]

    world.clock.advance(timedelta(hours=2))
    assert await service.process_deadlines(world.uow(), world.deps) == 1
    assert await service.process_deadlines(world.uow(), world.deps) == 0
    report = await service.view(world.uow(), world.deps, ref=ref, viewer="p.sharma@trust.example")
    assert {r.email for r in report.active(RecipientRole.LEAD)} == {HEAD} | ELT
    assert report.lead_level == "elt"
    cards = {r.recipient for r in await world.outbox() if r.thread and ref in r.thread}
    assert cards >= ELT

    await service.acknowledge(world.uow(), world.deps, ref=ref, actor="r.ashworth@trust.example")
    world.clock.advance(timedelta(days=3))
    assert await service.process_deadlines(world.uow(), world.deps) == 0


async def test_deadline_skips_the_weekend(world: World) -> None:
    world.clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=LONDON).astimezone(UTC))  # Friday 4pm
    done = await service.submit(
        world.uow(), world.deps, reporter=TEACHER, data=report_input(), source_key="t:weekend"
    )
    assert done.report.ack_due_at == datetime(2026, 11, 30, 9, 0, tzinfo=LONDON).astimezone(UTC)
    world.clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=LONDON).astimezone(UTC))  # Sunday
    assert await service.process_deadlines(world.uow(), world.deps) == 0


async def test_escalation_never_reaches_the_subject(world: World) -> None:
    data = report_input(category=Category.STAFF_MISUSE, subject_staff="r.ashworth@trust.example")
    done = await service.submit(
        world.uow(), world.deps, reporter=TEACHER, data=data, source_key="t:subject"
    )
    world.clock.advance(timedelta(hours=5))
    await service.process_deadlines(world.uow(), world.deps)
    await service.process_deadlines(world.uow(), world.deps)
    recipients = {r.recipient for r in await world.outbox()}
    assert "r.ashworth@trust.example" not in recipients
    assert "p.sharma@trust.example" in recipients
    report = await service.view(world.uow(), world.deps, ref=done.report.ref, viewer=HEAD)
    assert report.status is Status.OPEN and report.escalated_at is not None


async def test_references_count_up_per_year_without_gaps(world: World) -> None:
    refs = []
    for n in range(3):
        done = await service.submit(
            world.uow(), world.deps, reporter=TEACHER, data=report_input(), source_key=f"t:ref:{n}"
        )
        refs.append(done.report.ref)
    assert refs == ["MR-2026-0001", "MR-2026-0002", "MR-2026-0003"]
