# Retention removes exactly what has passed its days (boundaries included) and keeps the audit
# chain verifiable after pruning its oldest events.
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy
from sqlmodel import select

from bot.audit import AuditEvent
from bot.clock import ManualClock
from bot.retention.service import RetentionPolicy, apply_retention, retention_due
from storage.audit import verify_trail
from storage.engine import create_engine, session_factory, sync_url
from storage.retention import REDACTED
from storage.tables import (
    AbuseEntryRow,
    AuditChainRow,
    AuditRow,
    DeclarationRow,
    NoteRow,
    PostRow,
    PostVersionRow,
    ReportRow,
    SignOffRow,
    TrainingCompletionRow,
)
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 24, 2, tzinfo=UTC)
TODAY = date(2026, 11, 24)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
POLICY = RetentionPolicy(
    reports_days=10,
    safeguarding_days=100,
    posts_days=20,
    declarations_days=30,
    training_days=40,
    audit_days=50,
    abuse_log_days=60,
)


def report(n: int, closed_at: datetime | None, *, safeguarding: bool = False) -> ReportRow:
    return ReportRow(
        ref=f"R-{n}",
        source_key=f"r{n}",
        reporter="staff@x.org",
        site_id="s1",
        category="staff",
        description="what happened, in words",
        happened_on=date(2020, 1, 1),
        created_at=NOW - 1000 * DAY,
        ack_due_at=NOW - 999 * DAY,
        subject_name="A Person",
        links="https://example.org/p",
        safeguarding=safeguarding,
        status="closed" if closed_at else "open",
        lead_level="head",
        closed_at=closed_at,
        outcome="resolved" if closed_at else None,
        outcome_summary="what was done" if closed_at else None,
    )


def post(n: int, publish_at: datetime, status: str) -> PostRow:
    return PostRow(
        ref=f"P-{n}",
        source_key=f"p{n}",
        requester="poster@x.org",
        account_id="acc",
        site_id="s1",
        objective="event",
        status=status,
        created_at=publish_at - 5 * DAY,
        submitted_at=publish_at - 5 * DAY,
        publish_at=publish_at,
    )


def declaration(n: int, ended_at: datetime | None) -> DeclarationRow:
    return DeclarationRow(
        ref=f"D-{n}",
        source_key=f"d{n}",
        declarer="staff@x.org",
        site_id="s1",
        pupil_name="A Pupil",
        relationship="family",
        mail="none",
        status="ended" if ended_at else "active",
        created_at=NOW - 1000 * DAY,
        confirmed_on=date(2020, 1, 1),
        ended_at=ended_at,
    )


def training(n: int, completed_on: date) -> TrainingCompletionRow:
    return TrainingCompletionRow(
        email=f"t{n}@x.org",
        course="online safety",
        completed_on=completed_on,
        source="chat",
        recorded_by="t@x.org",
        recorded_at=NOW - 1000 * DAY,
    )


def abuse_entry(n: int, status: str, status_at: datetime) -> AbuseEntryRow:
    return AbuseEntryRow(
        ref=f"AL-{n}",
        source_key=f"al{n}",
        logged_by="t@x.org",
        site_id="willow",
        platform="X",
        seen_at=status_at - 5 * DAY,
        kind="other",
        logged_at=status_at - 5 * DAY,
        status=status,
        status_at=status_at,
    )


def audit(n: int, at: datetime) -> AuditEvent:
    return AuditEvent(at, "system", f"test.{n}", "test", str(n), None, {"n": n})


async def seed(sessions) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Records on each side of every boundary; returns the ids of the reports."""
    just = {"expired": SECOND, "kept": timedelta(0)}
    async with SqlUnitOfWork(sessions, ManualClock(NOW)) as uow:
        session = uow._session
        reports = {
            "old": report(1, NOW - 10 * DAY - SECOND),
            "boundary": report(2, NOW - 10 * DAY),
            "open": report(3, None),
            "sg_young": report(4, NOW - 11 * DAY, safeguarding=True),
            "sg_old": report(5, NOW - 100 * DAY - SECOND, safeguarding=True),
        }
        session.add_all(reports.values())
        for n, extra in enumerate(just.values()):  # one expired, one exactly at the boundary
            session.add(post(10 + n, NOW - 20 * DAY - extra, "published"))
            session.add(declaration(20 + n, NOW - 30 * DAY - extra))
        session.add(post(12, NOW - 365 * DAY, "pending"))  # never removed while in play
        session.add(declaration(22, None))  # live
        session.add_all([training(1, TODAY - 40 * DAY - DAY), training(2, TODAY - 40 * DAY)])
        session.add_all(  # closed past 60 days (goes), closed exactly 60 days, open for long
            [
                abuse_entry(1, "closed", NOW - 60 * DAY - SECOND),
                abuse_entry(2, "closed", NOW - 60 * DAY),
                abuse_entry(3, "reported", NOW - 400 * DAY),
            ]
        )
        await session.flush()
        for r in reports.values():
            session.add(NoteRow(report_id=r.id, author="h@x.org", text="a note", at=NOW))
        for p in (await session.exec(select(PostRow))).all():
            session.add(
                PostVersionRow(
                    post_id=p.id,
                    number=1,
                    source_key=f"v{p.id}",
                    text="Our trip",
                    publish_at=p.publish_at,
                    shows="none",
                    submitted_at=p.submitted_at,
                    submitted_by="poster@x.org",
                )
            )
            session.add(
                SignOffRow(
                    post_id=p.id,
                    version=1,
                    slot="comms",
                    email="c@x.org",
                    decision="approved",
                    at=p.submitted_at,
                )
            )
        # audit: three events past 50 days (one exactly 50 days: kept), then newer ones
        for n, at in enumerate(
            [NOW - 60 * DAY, NOW - 51 * DAY, NOW - 50 * DAY - SECOND, NOW - 50 * DAY, NOW - DAY]
        ):
            await uow.audit.append(audit(n, at))
        await uow.commit()
        return {name: r.id for name, r in reports.items()}  # type: ignore[misc]


async def count(sessions, table, *where) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        statement = select(sqlalchemy.func.count()).select_from(table)
        return (await session.exec(statement.where(*where) if where else statement)).one()


async def test_retention_removes_exactly_what_expired(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    ids = await seed(sessions)

    handled = await apply_retention(
        SqlUnitOfWork(sessions, ManualClock(NOW)), POLICY, now=NOW, today=TODAY, key="2026-11-24"
    )

    async with sessions() as session:
        rows = {r.id: r for r in (await session.exec(select(ReportRow))).all()}
    redacted = {name for name, i in ids.items() if rows[i].redacted_at is not None}
    assert redacted == {"old", "sg_old"}
    old = rows[ids["old"]]
    assert (old.description, old.links, old.subject_name, old.outcome_summary) == (
        REDACTED,
        None,
        None,
        None,
    )
    assert (old.ref, old.status, old.outcome) == ("R-1", "closed", "resolved")  # tombstone
    assert rows[ids["boundary"]].description == "what happened, in words"
    assert await count(sessions, NoteRow) == 3
    async with sessions() as session:
        posts = sorted(p.ref for p in (await session.exec(select(PostRow))).all())
        declarations = sorted(d.ref for d in (await session.exec(select(DeclarationRow))).all())
        training_days = [
            t.completed_on for t in (await session.exec(select(TrainingCompletionRow))).all()
        ]
    assert posts == ["P-11", "P-12"]
    assert await count(sessions, PostVersionRow) == 2 and await count(sessions, SignOffRow) == 2
    assert declarations == ["D-21", "D-22"]
    assert training_days == [TODAY - 40 * DAY]
    # audit: the three events older than 50 days went; the chain still verifies from the anchor
    async with sessions() as session:
        kept = (await session.exec(select(AuditRow).order_by(AuditRow.id))).all()
        first_kept = kept[0].id or 0
        actions = [a.action for a in kept]
        assert actions == ["test.3", "test.4", "retention.applied"]
        verdict = await verify_trail(session)
        assert verdict.intact and verdict.count == 3
        event = (
            await session.exec(select(AuditRow).where(AuditRow.action == "retention.applied"))
        ).one()
    assert event.detail is not None
    counts = {k: v for k, v in event.detail.items() if k not in ("cutoffs", "audit_anchor")}
    assert counts == {
        "reports_redacted": 2,
        "posts_deleted": 1,
        "declarations_deleted": 1,
        "training_deleted": 1,
        "abuse_log_deleted": 1,
        "audit_pruned": 3,
    }
    assert sum(handled.values()) == 9
    async with sessions() as session:
        entries = sorted(e.ref for e in (await session.exec(select(AbuseEntryRow))).all())
    assert entries == ["AL-2", "AL-3"]
    assert event.detail["audit_anchor"]["id"] == first_kept - 1

    # a second pass the same day removes nothing more, and the trail still verifies
    again = await apply_retention(
        SqlUnitOfWork(sessions, ManualClock(NOW)), POLICY, now=NOW, today=TODAY, key="again"
    )
    assert sum(again.values()) == 0
    async with sessions() as session:
        assert (await verify_trail(session)).intact
    await engine.dispose()


async def test_only_anchored_audit_events_can_be_deleted(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await seed(sessions)
    await apply_retention(
        SqlUnitOfWork(sessions, ManualClock(NOW)), POLICY, now=NOW, today=TODAY, key="d"
    )
    await engine.dispose()
    sync = sqlalchemy.create_engine(sync_url(database_url))
    with sync.connect() as connection:
        try:
            connection.execute(sqlalchemy.text("DELETE FROM audit_event"))
            connection.commit()
            raise AssertionError("the trail let a kept event be deleted")
        except sqlalchemy.exc.DatabaseError as error:
            assert "append-only" in str(error)
    sync.dispose()


async def test_verify_sees_a_prefix_removed_without_retention(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await seed(sessions)
    await engine.dispose()
    sync = sqlalchemy.create_engine(sync_url(database_url))
    with sync.begin() as connection:  # move the anchor and delete up to it, as a forger could
        first = connection.execute(sqlalchemy.text("SELECT min(id) FROM audit_event")).scalar()
        digest = connection.execute(
            sqlalchemy.text("SELECT hash FROM audit_event WHERE id = :id"), {"id": first}
        ).scalar()
        connection.execute(
            sqlalchemy.text("UPDATE audit_chain SET anchor_id = :id, anchor_hash = :h"),
            {"id": first, "h": digest},
        )
        connection.execute(sqlalchemy.text("DELETE FROM audit_event WHERE id = :id"), {"id": first})
    sync.dispose()
    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        verdict = await verify_trail(session)
    await engine.dispose()
    assert verdict.broken is not None and verdict.broken.problem == "unrecorded anchor"


TABLES = (ReportRow, NoteRow, PostRow, PostVersionRow, SignOffRow, DeclarationRow)
TABLES += (TrainingCompletionRow, AbuseEntryRow, AuditRow, AuditChainRow)


async def snapshot(sessions) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Every row of every table retention touches, as it is."""
    found: dict[str, object] = {}
    async with sessions() as session:
        for table in TABLES:
            rows = (await session.exec(select(table))).all()
            found[table.__tablename__] = sorted(repr(r.model_dump()) for r in rows)
    return found


async def test_a_dry_run_counts_what_would_go_and_changes_nothing(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await seed(sessions)
    before = await snapshot(sessions)

    due = await retention_due(
        SqlUnitOfWork(sessions, ManualClock(NOW)), POLICY, now=NOW, today=TODAY
    )

    assert await snapshot(sessions) == before  # not a row changed, no audit event written
    assert due == {
        "reports_redacted": 2,
        "posts_deleted": 1,
        "declarations_deleted": 1,
        "training_deleted": 1,
        "abuse_log_deleted": 1,
        "audit_pruned": 3,
    }
    applied = await apply_retention(
        SqlUnitOfWork(sessions, ManualClock(NOW)), POLICY, now=NOW, today=TODAY, key="now"
    )
    assert applied == due  # the same criteria
    after = await retention_due(
        SqlUnitOfWork(sessions, ManualClock(NOW)), POLICY, now=NOW, today=TODAY
    )
    assert sum(after.values()) == 0  # counted from the new anchor
    await engine.dispose()
