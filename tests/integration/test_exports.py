# Exports (issue 8) on SQLite and PostgreSQL: each role's CSV rows are exactly the records it may
# see under the flows' own rules, filtered by site and day, refused without a role, audited.
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.abuse import service as abuse
from bot.clock import ManualClock
from bot.declarations import service as declarations
from bot.directory import Directory, load_directory
from bot.errors import NotAllowed
from bot.exports.model import Filters, Kind
from bot.exports.person import person_bundle
from bot.exports.service import Export, ExportDeps, export_rows
from bot.posts import service as posts
from bot.posts.deps import PostDeps
from bot.posts.form import PostInput
from bot.posts.model import Confirmation, Objective, Shows
from bot.reports import service as reports
from bot.reports.form import ReportInput
from bot.reports.model import Category
from bot.training import service as training
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import AuditRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
MONDAY = date(2026, 11, 23)
COMMS, TEACHER = "h.whitfield@trust.example", "d.hughes@willow.example"
WILLOW_HEAD, WILLOW_DSL = "s.thompson@willow.example", "j.whitaker@willow.example"
OAK_HEAD, OAK_TEACHER = "m.obrien@oakfield.example", "o.davies@oakfield.example"
OAK_DSL, RIVER_DSL = "r.lawson@oakfield.example", "n.hussain@riverside.example"
ELT = "r.ashworth@trust.example"


@dataclass
class World:
    sessions: Any
    clock: ManualClock
    directory: Directory

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    def on(self, day: date, hour: int = 10) -> None:
        self.clock.set(datetime.combine(day, time(hour), LONDON).astimezone(UTC))

    async def export(self, kind: Kind, as_email: str, **filters: Any) -> Export:
        deps = ExportDeps(self.directory, self.clock, LONDON)
        return await export_rows(
            self.uow(), deps, kind=kind, as_email=as_email, filters=Filters(**filters), actor="t"
        )

    async def refs(self, kind: Kind, as_email: str, **filters: Any) -> set[str]:
        return {row["ref"] for row in (await self.export(kind, as_email, **filters)).rows}

    async def report(self, reporter: str, site: str, category: Category, **changes: Any) -> str:
        deps = reports.ReportDeps(self.directory, self.clock, HOURS, 2.0)
        data = ReportInput(
            **{
                "site_id": site,
                "category": category,
                "description": "Seen on Facebook.",
                "happened_on": self.clock.now().date(),
                "platform": "Facebook",
                "subject_staff": None,
                "subject_name": None,
                "links": None,
                "safeguarding": False,
                "on_school_device": False,
                **changes,
            }
        )
        key = f"r:{reporter}:{self.clock.now()}:{category}:{sorted(changes)}"
        done = await reports.submit(self.uow(), deps, reporter=reporter, data=data, source_key=key)
        return done.report.ref

    async def declare(self, declarer: str, site: str) -> str:
        deps = declarations.DeclarationDeps(self.directory, self.clock, HOURS, False)
        values = {
            "pupil_name": "Sam Example",
            "pupil_site": site,
            "relationship": "family_friend",
            "platforms": ["Facebook"],
            "since": "2024-06-01",
        }
        done = await declarations.submit(
            self.uow(), deps, declarer=declarer, values=values, source_key=f"d:{declarer}:{site}"
        )
        return done.declaration.ref

    async def log_abuse(self, by: str, site: str) -> str:
        deps = abuse.AbuseDeps(self.directory, self.clock, HOURS)
        values = {
            "site": site,
            "platform": "Facebook",
            "account": "PTA page",
            "link": "https://facebook.com/pta/posts/1",
            "author": "@angry",
            "seen_at": (self.clock.now() - timedelta(hours=1)).isoformat(),
            "kind": "abuse_of_staff",
            "done": ["hidden"],
            "screenshot": "https://trust.sharepoint.com/evidence/1.png",
        }
        done = await abuse.submit(
            self.uow(), deps, by=by, values=values, source_key=f"a:{by}:{site}:{self.clock.now()}"
        )
        return done.entry.ref

    async def trained(self, email: str, day: date) -> None:
        deps = training.TrainingDeps(self.directory, self.clock, HOURS)
        await training.record_completion(
            self.uow(), deps, by=email, values={"completed_on": day.isoformat()}
        )

    async def post(self, account: str, requester: str) -> str:
        data = PostInput(
            account_id=account,
            objective=Objective.EVENT,
            text=f"Sports day {account}.",
            publish_at=self.clock.now() + timedelta(days=3),
            media_links=(),
            shows=Shows.NONE,
            pupil_ids=(),
            blurred_ids=frozenset(),
            confirmations=tuple(c.value for c in Confirmation),
        )
        deps = PostDeps(self.directory, self.clock, LONDON)
        key = f"p:{account}:{self.clock.now()}"
        done = await posts.submit(self.uow(), deps, requester=requester, data=data, source_key=key)
        return done.post.ref


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(datetime.combine(MONDAY, time(10), LONDON).astimezone(UTC))
    yield World(session_factory(engine), clock, load_directory(SAMPLE))
    await engine.dispose()


async def test_reports_go_to_those_they_were_sent_to_never_their_subject(world: World) -> None:
    pupil = await world.report(TEACHER, "willow", Category.PUPIL_MISUSE, subject_name="Tom Pupil")
    about_head = await world.report(
        TEACHER, "willow", Category.STAFF_MISUSE, subject_staff=WILLOW_HEAD
    )
    oak = await world.report(OAK_TEACHER, "oakfield", Category.PUPIL_MISUSE)

    assert await world.refs(Kind.REPORTS, WILLOW_HEAD) == {pupil}
    assert await world.refs(Kind.REPORTS, OAK_HEAD) == {oak}
    assert about_head in await world.refs(Kind.REPORTS, ELT)
    [row] = (await world.export(Kind.REPORTS, WILLOW_HEAD)).rows
    assert (row["subject_name"], row["seen_as"]) == ("Tom Pupil", "recipient")


async def test_a_reporter_with_a_role_sees_the_progress_of_their_report_not_its_names(
    world: World,
) -> None:
    ref = await world.report(OAK_HEAD, "willow", Category.PUPIL_MISUSE, subject_name="Tom Pupil")
    [row] = (await world.export(Kind.REPORTS, OAK_HEAD)).rows
    assert (row["ref"], row["seen_as"], row["status"]) == (ref, "reporter", "open")
    assert row["subject_name"] == row["description"] == row["recipients"] == ""


async def test_declarations_only_for_the_pupils_schools_leads(world: World) -> None:
    willow = await world.declare(TEACHER, "willow")
    oak = await world.declare(TEACHER, "oakfield")
    assert await world.refs(Kind.DECLARATIONS, WILLOW_DSL) == {willow}
    assert await world.refs(Kind.DECLARATIONS, OAK_DSL) == {oak}
    assert await world.refs(Kind.DECLARATIONS, RIVER_DSL) == set()
    with pytest.raises(NotAllowed):
        await world.export(Kind.DECLARATIONS, WILLOW_HEAD)  # a Headteacher is not a lead
    with pytest.raises(NotAllowed):
        await world.export(Kind.DECLARATIONS, TEACHER)  # nor is the declarer


async def test_abuse_log_all_for_comms_own_school_for_a_head(world: World) -> None:
    willow = await world.log_abuse(TEACHER, "willow")
    oak = await world.log_abuse(OAK_TEACHER, "oakfield")
    trust = await world.log_abuse(COMMS, "trust")
    assert await world.refs(Kind.ABUSE, COMMS) == {willow, oak, trust}
    assert await world.refs(Kind.ABUSE, WILLOW_HEAD) == {willow}
    assert await world.refs(Kind.ABUSE, COMMS, site="oakfield") == {oak}
    with pytest.raises(NotAllowed):
        await world.export(Kind.ABUSE, WILLOW_DSL)


async def test_training_all_for_comms_own_school_for_a_head(world: World) -> None:
    await world.trained(TEACHER, date(2026, 10, 1))
    await world.trained(OAK_TEACHER, date(2026, 11, 2))
    await world.trained("e.clarke@willow.example", date(2026, 11, 3))  # at both schools

    async def people(as_email: str, **filters: Any) -> set[str]:
        return {r["email"] for r in (await world.export(Kind.TRAINING, as_email, **filters)).rows}

    assert await people(COMMS) == {TEACHER, OAK_TEACHER, "e.clarke@willow.example"}
    assert await people(WILLOW_HEAD) == {TEACHER, "e.clarke@willow.example"}
    assert await people(OAK_HEAD) == {OAK_TEACHER, "e.clarke@willow.example"}
    assert await people(COMMS, site="oakfield") == {OAK_TEACHER, "e.clarke@willow.example"}
    assert await people(COMMS, since=date(2026, 11, 1), until=date(2026, 11, 2)) == {OAK_TEACHER}


async def test_approvals_for_the_requester_and_the_roles_that_sign(world: World) -> None:
    willow = await world.post("willow-x", TEACHER)
    oak = await world.post("oakfield-x", OAK_TEACHER)
    assert await world.refs(Kind.APPROVALS, COMMS) == {willow, oak}
    assert await world.refs(Kind.APPROVALS, WILLOW_HEAD) == {willow}
    with pytest.raises(NotAllowed):
        await world.export(Kind.APPROVALS, TEACHER)


async def test_days_are_the_trusts_and_inclusive_and_the_export_is_audited(
    world: World,
) -> None:
    world.on(date(2026, 11, 2))
    early = await world.log_abuse(TEACHER, "willow")
    world.on(date(2026, 11, 9), hour=23)  # 23:00 in London, still the 9th
    late = await world.log_abuse(TEACHER, "willow")
    assert await world.refs(Kind.ABUSE, COMMS, until=date(2026, 11, 2)) == {early}
    assert await world.refs(Kind.ABUSE, COMMS, since=date(2026, 11, 9)) == {late}
    assert await world.refs(Kind.ABUSE, COMMS, since=date(2026, 11, 10)) == set()

    async with world.sessions() as session:
        query = select(AuditRow).where(AuditRow.action == "export.made")
        events = (await session.exec(query.order_by(AuditRow.id))).all()
    assert [e.record_id for e in events] == ["abuse"] * 3
    assert events[0].detail == {
        "as": COMMS,
        "site": None,
        "from": None,
        "to": "2026-11-02",
        "count": 1,
    }


# --- subject access ---


async def test_a_subject_access_bundle_holds_their_records_and_redacts_everyone_else(
    world: World,
) -> None:
    teacher_name = world.directory.display_name(TEACHER)
    about = await world.report(
        TEACHER,
        "willow",
        Category.STAFF_MISUSE,
        subject_staff=WILLOW_HEAD,
        description=f"{teacher_name} saw Tom Pupil's photo; ask {WILLOW_DSL}.",
        subject_name="Tom Pupil",
    )
    made = await world.report(WILLOW_HEAD, "oakfield", Category.PUPIL_MISUSE)
    await world.report(TEACHER, "willow", Category.PUPIL_MISUSE)  # neither made by nor about
    logged = await world.log_abuse(WILLOW_HEAD, "willow")
    await world.log_abuse(TEACHER, "willow")
    await world.trained(WILLOW_HEAD, date(2026, 11, 2))
    await world.trained(TEACHER, date(2026, 11, 2))
    asked = await world.post("willow-x", WILLOW_HEAD)
    world.clock.advance(timedelta(minutes=1))
    await world.post("willow-x", TEACHER)

    deps = ExportDeps(world.directory, world.clock, LONDON)
    bundle = await person_bundle(world.uow(), deps, person=WILLOW_HEAD, as_email=ELT, actor="t")

    files = bundle.files
    assert {r["ref"] for r in files["reports.csv"].rows} == {about, made}
    row = next(r for r in files["reports.csv"].rows if r["ref"] == about)
    assert row["reporter"] == "[redacted]" and row["subject_staff"] == WILLOW_HEAD
    assert row["subject_name"] == "[redacted]"
    assert row["description"] == "[redacted] saw [redacted]'s photo; ask [redacted]."
    assert [r["ref"] for r in files["abuse.csv"].rows] == [logged]
    assert [r["email"] for r in files["training.csv"].rows] == [WILLOW_HEAD]
    assert [r["ref"] for r in files["approvals.csv"].rows] == [asked]
    assert {r["action"] for r in files["audit.csv"].rows} >= {"report.submitted"}
    everything = repr([e.rows for e in files.values()])
    assert TEACHER not in everything and teacher_name not in everything
    assert "Tom Pupil" not in everything

    with pytest.raises(NotAllowed):
        await person_bundle(world.uow(), deps, person=WILLOW_HEAD, as_email=COMMS, actor="t")
