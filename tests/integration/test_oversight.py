# Oversight (rule M8) on SQLite and PostgreSQL: the figures each role may see, the weekly
# digests (once per person and week, with the change since last week), and refusals.
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.errors import NotAllowed
from bot.messages import Message
from bot.oversight import messages, service
from bot.oversight.model import (
    ACKED,
    APPROVALS,
    DECLARATIONS,
    DUE,
    NOT_ACKED,
    TRAINED,
    TRUST,
    report_key,
)
from bot.policy import changes
from bot.policy.service import PolicyDeps
from bot.reports import service as reports
from bot.reports.model import Category
from bot.reports.service import ReportDeps
from bot.training.model import week_of
from bot.training.service import TrainingDeps, record_completion
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import OutboxRow, OversightSnapshotRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE
from tests.integration.test_report_deadlines import report_input

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
MONDAY = date(2026, 11, 23)
WILLOW_HEAD, OAKFIELD_HEAD = "s.thompson@willow.example", "m.obrien@oakfield.example"
TEACHER, COLLEAGUE = "d.hughes@willow.example", "a.patel@willow.example"
COMMS, CEO = "h.whitfield@trust.example", "r.ashworth@trust.example"


@dataclass
class World:
    clock: ManualClock
    sessions: Any

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    @property
    def deps(self) -> TrainingDeps:
        return TrainingDeps(load_directory(SAMPLE), self.clock, HOURS)

    def at(self, day: date, moment: time = time(9)) -> None:
        self.clock.set(datetime.combine(day, moment, LONDON).astimezone(UTC))

    async def report(self, n: int, **changes: object) -> str:
        deps = ReportDeps(self.deps.directory, self.clock, HOURS, ack_hours=2)
        done = await reports.submit(
            self.uow(), deps, reporter=TEACHER, data=report_input(**changes), source_key=f"r{n}"
        )
        return done.report.ref

    async def digests(self) -> list[OutboxRow]:
        async with self.sessions() as session:
            query = select(OutboxRow).where(OutboxRow.key.startswith("oversight:"))  # type: ignore[attr-defined]
            return list((await session.exec(query)).all())


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    world = World(ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC)), session_factory(engine))
    world.at(MONDAY)
    yield world
    await engine.dispose()


async def test_each_role_sees_its_scope_and_never_reports_about_themselves(world: World) -> None:
    await world.report(1)  # a pupil's misuse at Willow
    await world.report(2, category=Category.STAFF_MISUSE, subject_staff=WILLOW_HEAD)
    await world.report(3, site_id="oakfield")
    deps = world.deps
    [willow] = await service.summary(world.uow(), deps, by=WILLOW_HEAD)
    assert willow.figures.scope == "willow"
    assert willow.figures.get(report_key(Category.PUPIL_MISUSE, "open")) == 1
    # The report about the Headteacher went to ELT; the Headteacher does not see it counted.
    assert willow.figures.get(report_key(Category.STAFF_MISUSE, "open")) == 0
    [trust] = await service.summary(world.uow(), deps, by=CEO)
    assert trust.figures.scope == TRUST
    assert trust.figures.get(report_key(Category.PUPIL_MISUSE, "open")) == 2
    assert trust.figures.get(report_key(Category.STAFF_MISUSE, "open")) == 1
    by_site = {site.scope: site for site in trust.figures.sites}
    assert by_site["oakfield"].get(report_key(Category.PUPIL_MISUSE, "open")) == 1
    everyone = sum(len(s.members) for s in deps.directory.sites)  # a person per site
    assert trust.figures.get(TRAINED) + trust.figures.get(DUE) == everyone
    for refused in (TEACHER, "j.whitaker@willow.example", "k.holt@willow.example"):
        with pytest.raises(NotAllowed):
            await service.summary(world.uow(), deps, by=refused)


async def test_weekly_digests_go_once_with_the_change_since_last_week(world: World) -> None:
    deps = world.deps
    await world.report(1)
    week = week_of(MONDAY)
    first = await service.send_digests(world.uow(), deps, week=week)
    heads = {e for s in deps.directory.sites for e in s.headteacher}
    trust_wide = set(deps.directory.holders("elt")) | set(deps.directory.holders("head_of_comms"))
    assert first == len(heads) + len(trust_wide)
    assert await service.send_digests(world.uow(), deps, week=week) == 0  # once per week
    digests = await world.digests()
    assert {row.recipient for row in digests} == heads | trust_wide
    willow = next(r for r in digests if r.recipient == WILLOW_HEAD)
    message = Message.from_dict(willow.payload or {})
    assert message.title == "Weekly summary for Willow Primary School"
    assert "From next week" in (message.body or "")
    assert TEACHER not in str(message.to_dict())  # counts, never names
    # A week later: one more report and a training completion at Willow.
    world.at(MONDAY + timedelta(days=7))
    await world.report(2)
    await record_completion(
        world.uow(),
        deps,
        by=COLLEAGUE,
        values={"completed_on": (MONDAY + timedelta(days=6)).isoformat()},
    )
    [now] = await service.summary(world.uow(), world.deps, by=WILLOW_HEAD)
    assert now.changed[report_key(Category.PUPIL_MISUSE, "open")] == 1
    assert now.changed[TRAINED] == 1 and now.changed[DUE] == -1
    assert APPROVALS not in now.changed and DECLARATIONS not in now.changed
    await service.send_digests(world.uow(), world.deps, week=week_of(MONDAY + timedelta(days=7)))
    later = [r for r in await world.digests() if r.recipient == WILLOW_HEAD]
    assert len(later) == 2
    text = str(Message.from_dict(later[-1].payload or {}).to_dict())
    assert "Misuse by a pupil: 2 open (+1), 0 acknowledged, 0 closed" in text
    assert "Changes since your last weekly summary" in text
    [again] = await service.summary(world.uow(), world.deps, by=WILLOW_HEAD)
    assert again.before is not None and again.changed == {}  # beside this week's digest
    async with world.sessions() as session:
        snapshots = (await session.exec(select(OversightSnapshotRow))).all()
    assert {s.week for s in snapshots} == {week, week_of(MONDAY + timedelta(days=7))}


async def test_policy_acknowledgements_are_counted_per_site(world: World) -> None:
    deps = world.deps
    [before] = await service.summary(world.uow(), deps, by=WILLOW_HEAD)
    assert before.figures.change is None and ACKED not in before.figures.counts
    policy = PolicyDeps(deps.directory, world.clock, HOURS)
    done = await changes.announce(
        world.uow(),
        policy,
        by=COMMS,
        values={"summary": "New rules.", "link": "https://t.example/policy"},
        source_key="announce:1",
    )
    await changes.acknowledge(world.uow(), policy, ref=done.change.ref, by=TEACHER)
    [willow] = await service.summary(world.uow(), deps, by=WILLOW_HEAD)
    members = len(deps.directory.site("willow").members)  # type: ignore[union-attr]
    assert willow.figures.change == done.change.ref
    assert (willow.figures.get(ACKED), willow.figures.get(NOT_ACKED)) == (1, members - 1)
    text = str(messages.digest_message(deps.directory, willow).to_dict())
    assert f"Policy change {done.change.ref} acknowledged" in text and f"1 of {members}" in text
