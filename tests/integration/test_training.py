# Training (rule T1) on SQLite and PostgreSQL: recording and importing completions, a whole term
# of nudges walked with a manual clock (weekly, in working hours, never in holidays, digests to
# the Headteacher after the third), refresher campaigns and their progress, and the audit trail.
from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.clock import ManualClock
from bot.directory import Directory, load_directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed
from bot.training import campaigns, service
from bot.training.forms import PERSON_FIELD
from bot.training.importer import ImportSummary, import_completions
from bot.training.model import State, week_of
from bot.training.nudges import send_nudges
from bot.training.platform_csv import read_training_csv
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import AuditRow, OutboxRow, TrainingNudgeRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
EXPORT = Path(__file__).resolve().parents[2] / "examples" / "training-export.csv"
COMMS = "h.whitfield@trust.example"
WILLOW_HEAD, HUGHES = "s.thompson@willow.example", "d.hughes@willow.example"
PATEL, BARNES = "a.patel@willow.example", "l.barnes@willow.example"
ELT = ("r.ashworth@trust.example", "p.sharma@trust.example")
RUNS = (time(6), time(8), time(9, 30), time(12), time(16, 59), time(17), time(20))


@dataclass
class World:
    """The training flows on one database, at a time the test sets."""

    engine: Any
    sessions: Any
    clock: ManualClock
    directory: Directory
    tmp: Path

    @property
    def deps(self) -> service.TrainingDeps:
        return service.TrainingDeps(self.directory, self.clock, HOURS)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    def at(self, day: date, moment: time = time(10)) -> None:
        self.clock.set(datetime.combine(day, moment, LONDON).astimezone(UTC))

    async def import_text(self, text: str, *, dry_run: bool = False) -> ImportSummary:
        path = self.tmp / f"export-{self.clock.now().timestamp()}.csv"
        path.write_text(text, encoding="utf-8")
        known = {p.email for p in self.directory.people}
        rows = read_training_csv(path, today=self.deps.today(), known=known)
        return await import_completions(
            self.uow(), self.deps, rows=rows, actor="test import", dry_run=dry_run
        )

    async def record(self, by: str, day: date, **more: object) -> service.Recorded:
        values = {"completed_on": day.isoformat(), **more}
        return await service.record_completion(self.uow(), self.deps, by=by, values=values)

    async def status(self, email: str) -> State:
        status, _ = await service.status_for(self.uow(), self.deps, email=email)
        return status.state

    async def campaign(self, by: str = COMMS, key: str = "k1", **values: str) -> campaigns.Started:
        answers = {"scope": "willow", "deadline": "2026-12-18", "reason": "Policy change."}
        return await campaigns.start_campaign(
            self.uow(), self.deps, by=by, values=answers | values, source_key=key
        )

    async def outbox(self, part: str = "") -> list[OutboxRow]:
        async with self.sessions() as session:
            rows = (await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all()
        return [row for row in rows if part in row.key]

    async def nudge_counts(self) -> dict[str, int]:
        async with self.sessions() as session:
            rows = (await session.exec(select(TrainingNudgeRow))).all()
        return {row.email: row.nudges for row in rows}

    async def audit(self) -> list[AuditRow]:
        async with self.sessions() as session:
            query = select(AuditRow).where(AuditRow.action.startswith("training."))  # type: ignore[attr-defined]
            return list((await session.exec(query.order_by(AuditRow.id))).all())


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(datetime.combine(date(2026, 10, 12), time(7), LONDON).astimezone(UTC))
    yield World(engine, session_factory(engine), clock, load_directory(SAMPLE), tmp_path)
    await engine.dispose()


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


# --- recording and importing ---


async def test_a_completion_is_recorded_once_and_makes_the_person_current(world: World) -> None:
    world.at(date(2026, 11, 24))
    assert await world.status(HUGHES) is State.NEVER
    link = "https://lms.example/certificates/77"
    done = await world.record(HUGHES, date(2026, 11, 20), certificate_url=link)
    assert done.created and done.status.state is State.CURRENT
    assert done.status.valid_until == date(2027, 11, 20)
    again = await world.record(HUGHES, date(2026, 11, 20))
    assert not again.created, "the same day twice is kept once"
    _, latest = await service.status_for(world.uow(), world.deps, email=HUGHES)
    assert latest is not None and latest.certificate_url == link and latest.source.value == "chat"
    [event_] = await world.audit()
    assert event_.action == "training.recorded" and event_.record_id == HUGHES
    assert event_.after == {
        "course": "Social media and online safety",
        "completed_on": "2026-11-20",
        "source": "chat",
        "certificate": True,
        "nudges_reset": True,
    }
    with pytest.raises(FormInvalid) as caught:
        await world.record(HUGHES, date(2026, 11, 25))
    assert caught.value.errors == {
        "completed_on": "Please choose a date that is not in the future."
    }


async def test_the_head_of_comms_confirms_someones_training(world: World) -> None:
    world.at(date(2026, 11, 24))
    done = await world.record(COMMS, date(2026, 11, 2), **{PERSON_FIELD: BARNES})
    assert done.created and done.completion.email == BARNES
    assert done.completion.source.value == "admin" and done.completion.recorded_by == COMMS
    [told] = await world.outbox(f"training:{BARNES}:confirmed")
    assert told.recipient == BARNES
    assert await world.status(BARNES) is State.CURRENT
    # a teacher's form has no such field: naming someone else records their own
    own = await world.record(HUGHES, date(2026, 11, 2), **{PERSON_FIELD: BARNES})
    assert own.completion.email == HUGHES and own.completion.source.value == "chat"


async def test_importing_the_same_file_twice_adds_nothing(world: World) -> None:
    world.at(date(2026, 11, 24))
    text = EXPORT.read_text(encoding="utf-8")
    text += f"stranger@elsewhere.example,,2026-11-02,\n{HUGHES},,2026-12-01,\n{BARNES},,nope,\n"
    dry = await world.import_text(text, dry_run=True)
    assert (dry.added, dry.unchanged, len(dry.refused), dry.dry_run) == (11, 0, 3, True)
    assert not await world.audit() and await world.status(BARNES) is State.NEVER
    first = await world.import_text(text)
    assert (first.added, first.unchanged) == (11, 0)
    assert [(r.line, r.reason.split(" ")[0]) for r in first.refused] == [
        (13, "unknown"),
        (14, "completed_on"),
        (15, "completed_on"),
    ]
    second = await world.import_text(text + f"{BARNES},,2026-11-02,\n{BARNES},,02/11/2026,\n")
    assert (second.added, second.unchanged, len(second.refused)) == (1, 12, 3)
    assert await world.status("s.thompson@willow.example") is State.CURRENT
    assert await world.status(HUGHES) is State.EXPIRED, "trained on 30 Jun 2025"
    events = [e for e in await world.audit() if e.action == "training.recorded"]
    assert len(events) == 12 and {e.after["source"] for e in events if e.after} == {"import"}
    assert "learning.example" not in json.dumps([e.after for e in events])


# --- a whole term of nudges ---


async def test_a_term_of_nudges_weekly_in_working_hours_never_in_holidays(world: World) -> None:
    await world.import_text(
        EXPORT.read_text(encoding="utf-8") + f"{PATEL},,2025-11-10,\n"  # expires on 10 Nov
    )
    runs_per_day: dict[date, list[int]] = defaultdict(list)
    day = date(2026, 10, 12)
    while day <= date(2027, 1, 8):
        for moment in RUNS:
            world.at(day, moment)
            if (day, moment) == (date(2026, 11, 18), time(12)):
                await world.record(BARNES, date(2026, 11, 17))
            runs_per_day[day].append(await send_nudges(world.uow(), world.deps))
        day += timedelta(days=1)

    nudges = await world.outbox("training:nudge:")
    assert nudges, "someone was nudged"
    directory = world.directory
    for row in nudges:
        moment = local(row.created_at)
        assert moment.weekday() < 5 and time(8) <= moment.time() < time(17), row.key
        assert directory.in_term(moment.date()), f"{row.key} sent in a holiday"
    per_week = Counter((row.recipient, week_of(local(row.created_at).date())) for row in nudges)
    assert max(per_week.values()) == 1, "at most one nudge per person per week"
    assert all(row.key.endswith(week_of(local(row.created_at).date())) for row in nudges)

    def weeks(email: str) -> list[str]:
        return [week_of(local(r.created_at).date()) for r in nudges if r.recipient == email]

    term_weeks = ["W42", "W43", "W45", "W46", "W47", "W48", "W49", "W50", "W51"]
    assert weeks(HUGHES) == [f"2026-{w}" for w in term_weeks] + ["2027-W01"]
    assert weeks(PATEL)[0] == "2026-W46", "due from the day her training expired"
    patel_first = next(r for r in nudges if r.recipient == PATEL)
    assert local(patel_first.created_at) == datetime(2026, 11, 10, 8, tzinfo=LONDON)
    assert weeks(BARNES) == ["2026-W42", "2026-W43", "2026-W45", "2026-W46", "2026-W47"]
    for trained in ("s.thompson@willow.example", "e.clarke@willow.example", COMMS):
        assert not weeks(trained), f"{trained} is trained (or not staff) and never nudged"
    hughes_first = next(r for r in nudges if r.recipient == HUGHES)
    assert local(hughes_first.created_at) == datetime(2026, 10, 12, 8, tzinfo=LONDON)
    assert runs_per_day[date(2026, 10, 12)][2:] == [0] * 5, "later runs that day do nothing"
    assert not any(sum(runs_per_day[date(2026, 10, 26) + timedelta(d)]) for d in range(5))
    counts = await world.nudge_counts()
    assert counts[HUGHES] == 10 and counts[BARNES] == 0, "a completion resets the count"
    audited = [e for e in await world.audit() if e.action == "training.nudged"]
    assert len(audited) == len(nudges)

    digests = await world.outbox("training:digest:")
    per_site_week = Counter(
        (row.key.split(":")[2], row.key.split(":")[3], row.recipient) for row in digests
    )
    assert max(per_site_week.values()) == 1, "one digest per site, week and recipient"
    willow = sorted({week for site, week, _ in per_site_week if site == "willow"})
    assert willow[0] == "2026-W45", "the Headteacher hears after the third nudge, not before"
    assert willow == [f"2026-{w}" for w in term_weeks[2:]] + ["2027-W01"]
    assert {r.recipient for r in digests if ":willow:" in r.key} == {WILLOW_HEAD}
    assert {r.recipient for r in digests if ":hub:" in r.key} == set(ELT)
    last_willow = [r for r in digests if ":willow:" in r.key][-1]
    text = json.dumps(last_willow.payload)
    assert "Daniel Hughes" in text and "Aisha Patel" in text
    assert "Lucy Barnes" not in text, "trained since: no longer in the digest"
    assert "Sarah Thompson" not in text
    first_willow = next(r for r in digests if ":willow:" in r.key)
    assert "Aisha Patel" not in json.dumps(first_willow.payload), "only two nudges by then"
    assert not await world.outbox(f"training:nudge:{BARNES}:2026-W48")


async def test_a_run_when_everyone_due_was_nudged_is_a_few_reads(world: World) -> None:
    await world.import_text(EXPORT.read_text(encoding="utf-8"))
    world.at(date(2026, 11, 23), time(8))
    assert await send_nudges(world.uow(), world.deps) > 0
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(world.engine.sync_engine, "before_cursor_execute", seen)
    try:
        world.at(date(2026, 11, 23), time(9))
        assert await send_nudges(world.uow(), world.deps) == 0
        world.at(date(2026, 11, 28), time(10))  # a Saturday: no query at all
        assert await send_nudges(world.uow(), world.deps) == 0
    finally:
        event.remove(world.engine.sync_engine, "before_cursor_execute", seen)
    reads = [s for s in statements if s not in {"BEGIN", "ROLLBACK", "COMMIT"}]
    assert reads and len(reads) <= 4 and set(reads) == {"SELECT"}, statements


async def test_nothing_is_nudged_while_the_register_is_empty(world: World) -> None:
    world.at(date(2026, 11, 23), time(9))
    assert await send_nudges(world.uow(), world.deps) == 0
    assert not await world.outbox()
    await world.record(HUGHES, date(2026, 11, 20))
    assert await send_nudges(world.uow(), world.deps) > 0
    assert not await world.outbox(f"training:nudge:{HUGHES}:")


async def test_two_runs_at_once_nudge_each_person_once(world: World) -> None:
    await world.import_text(EXPORT.read_text(encoding="utf-8"))
    world.at(date(2026, 11, 23), time(8))
    results = await asyncio.gather(
        send_nudges(world.uow(), world.deps), send_nudges(world.uow(), world.deps)
    )
    nudges = await world.outbox("training:nudge:")
    assert sum(results) == len(nudges) == len({r.recipient for r in nudges})
    assert set((await world.nudge_counts()).values()) <= {0, 1}


# --- refresher campaigns ---


async def test_a_campaign_makes_a_site_due_again_and_shows_its_progress(world: World) -> None:
    await world.import_text(EXPORT.read_text(encoding="utf-8"))
    world.at(date(2026, 11, 24), time(11))
    assert await world.status(WILLOW_HEAD) is State.CURRENT
    with pytest.raises(NotAllowed):
        await world.campaign(by=WILLOW_HEAD)
    started = await world.campaign()
    assert started.created and started.campaign.ref == "TC-2026-0001"
    willow = set(world.directory.site("willow").members)  # type: ignore[union-attr]
    assert started.told == len(willow)
    told = await world.outbox("training:campaign:")
    assert {r.recipient for r in told} == willow
    assert "Policy change." in json.dumps(told[0].payload)
    assert await world.status(WILLOW_HEAD) is State.REFRESH
    assert await world.status("m.obrien@oakfield.example") is State.CURRENT
    assert await world.status("e.clarke@willow.example") is State.REFRESH, "at two sites"

    again = await world.campaign()
    assert not again.created and len(await world.outbox("training:campaign:")) == len(willow)
    with pytest.raises(AlreadyDone) as caught:
        await world.campaign(key="k2")
    assert "TC-2026-0001 already asks everyone at Willow Primary School" in caught.value.message

    world.at(date(2026, 11, 24), time(12))
    assert await send_nudges(world.uow(), world.deps) > 0
    assert not await world.outbox("training:nudge:s.thompson"), "the announcement was this week's"
    world.at(date(2026, 11, 30), time(8))
    await send_nudges(world.uow(), world.deps)
    assert await world.outbox("training:nudge:s.thompson@willow.example:2026-W49")

    await world.record(WILLOW_HEAD, date(2026, 11, 30))
    with pytest.raises(NotAllowed):
        await campaigns.progress(world.uow(), world.deps, by=WILLOW_HEAD)
    register, running = await campaigns.progress(world.uow(), world.deps, by=COMMS)
    [progress] = running
    [site] = progress.sites
    assert site.site_id == "willow" and site.done == (WILLOW_HEAD,)
    assert set(site.not_done) == willow - {WILLOW_HEAD}
    oakfield = next(s for s in register if s.site_id == "oakfield")
    assert "m.obrien@oakfield.example" in oakfield.done
    assert "s.brennan@oakfield.example" in oakfield.not_done


async def test_a_trust_wide_campaign_covers_every_site(world: World) -> None:
    world.at(date(2026, 11, 24), time(11))
    started = await world.campaign(scope="trust")
    assert started.told == len({e for s in world.directory.sites for e in s.members})
    with pytest.raises(FormInvalid):
        await world.campaign(key="k3", scope="narnia")
    _, running = await campaigns.progress(world.uow(), world.deps, by=COMMS)
    assert [s.site_id for s in running[0].sites] == ["willow", "oakfield", "riverside", "hub"]


async def test_the_audit_trail_keeps_ids_and_flags_only(world: World) -> None:
    world.at(date(2026, 11, 24), time(11))
    await world.record(HUGHES, date(2026, 11, 20), certificate_url="https://lms.example/secret-77")
    await world.campaign(reason="After the incident with the Year 6 group chat.")
    events = await world.audit()
    assert {e.action for e in events} == {
        "training.recorded",
        "training.campaign_started",
        "training.nudged",
    }
    trail = json.dumps([[e.before, e.after, e.detail] for e in events])
    assert "secret-77" not in trail and "group chat" not in trail
    started = next(e for e in events if e.action == "training.campaign_started")
    assert started.record_id == "TC-2026-0001" and started.after is not None
    assert started.after["site_id"] == "willow" and started.after["deadline"] == "2026-12-18"
