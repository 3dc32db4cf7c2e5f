# Relationship declarations (rule D1) on SQLite and PostgreSQL: who receives and who may see one,
# acknowledging once, questions and replies, ending, yearly re-confirmation and its reminders.
from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy
from sqlmodel import select

from bot.clock import ManualClock
from bot.consent.model import Consent, HistoryEntry, Pupil, Source
from bot.declarations import service
from bot.declarations.forms import PUPIL_FIELD
from bot.declarations.messages import card_thread
from bot.declarations.model import Declaration, EndReason, Mail, Status
from bot.directory import Directory, load_directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import AuditRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
MONDAY = date(2026, 11, 23)
MONDAY_10 = datetime.combine(MONDAY, time(10), LONDON).astimezone(UTC)
TEACHER, WILLOW_DSL = "d.hughes@willow.example", "j.whitaker@willow.example"
WILLOW_HEAD, HUB_DSL = "s.thompson@willow.example", "c.donnelly@trust.example"
OAK_TEACHER, OAK_HEAD = "o.davies@oakfield.example", "m.obrien@oakfield.example"
LAWSON, FRASER = "r.lawson@oakfield.example", "h.fraser@oakfield.example"
RIVER_DSLS = ("n.hussain@riverside.example", "p.kendrick@riverside.example")
COMMS, STRANGER = "h.whitfield@trust.example", "someone@elsewhere.example"
NOTE = "We share a holiday cottage every summer."


@dataclass
class World:
    """The declaration flows on one database, at a time the test sets."""

    engine: Any
    sessions: Any
    clock: ManualClock
    directory: Directory
    mail_on: bool = False

    @property
    def deps(self) -> service.DeclarationDeps:
        return service.DeclarationDeps(self.directory, self.clock, HOURS, self.mail_on)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    def at(self, day: date, hour: int = 10) -> None:
        self.clock.set(datetime.combine(day, time(hour), LONDON).astimezone(UTC))

    async def add_pupil(self, site_id: str, first: str, last: str) -> Pupil:
        pupil = Pupil(site_id, f"{site_id}-{last}", first, last, date(2015, 3, 4), Consent())
        entry = HistoryEntry(1, pupil.consent, None, Source.MIS_IMPORT, "test", self.clock.now())
        async with self.uow() as uow:
            await uow.pupils.add(pupil, entry)
            await uow.commit()
        return pupil

    async def submit(
        self, declarer: str, key: str | None = None, **changes: object
    ) -> service.Submitted:
        values: dict[str, object] = {
            "pupil_name": "Sam Example",
            "pupil_site": "oakfield",
            "relationship": "family_friend",
            "platforms": ["Facebook", "WhatsApp"],
            "since": "2024-06-01",
            "note": NOTE,
        }
        values.update(changes)
        return await service.submit(
            self.uow(),
            self.deps,
            declarer=declarer,
            values={k: v for k, v in values.items() if v is not None},
            source_key=key or f"test:{declarer}:{self.clock.now()}:{changes}",
        )

    async def get(self, ref: str) -> Declaration:
        async with self.uow() as uow:
            found = await uow.declarations.get(ref)
        assert found is not None
        return found

    async def outbox(self) -> list[OutboxRow]:
        async with self.sessions() as session:
            return list((await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all())

    async def keys(self, part: str = "") -> list[str]:
        return [row.key for row in await self.outbox() if part in row.key]

    async def audit(self) -> list[AuditRow]:
        async with self.sessions() as session:
            query = select(AuditRow).where(AuditRow.record_type == "declaration")
            return list((await session.exec(query.order_by(AuditRow.id))).all())

    async def count(self, table: str) -> int:
        async with self.engine.connect() as connection:
            sql = sqlalchemy.text(f"SELECT count(*) FROM {table}")
            return int((await connection.execute(sql)).scalar_one())

    async def snapshot(self, ref: str) -> tuple[object, ...]:
        """Everything an action may change: the record, the outbox and the audit trail."""
        return (await self.get(ref), await self.keys(), len(await self.audit()))


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    yield World(engine, session_factory(engine), ManualClock(MONDAY_10), load_directory(SAMPLE))
    await engine.dispose()


def cards(ref: str, revision: int, *emails: str) -> set[str]:
    return {f"{card_thread(ref, email)}:v{revision}" for email in emails}


# --- submitting ---


@pytest.mark.parametrize("mail_on", [False, True], ids=["no-mailer", "mailer"])
async def test_a_pupil_picked_from_the_register_goes_to_their_schools_lead(
    world: World, mail_on: bool
) -> None:
    world.mail_on = mail_on
    pupil = await world.add_pupil("willow", "Amelia", "Thistlewick")
    done = await world.submit(
        TEACHER, "slack:view:1", **{PUPIL_FIELD: str(pupil.id)}, pupil_name=None
    )
    made = done.declaration
    assert done.created and made.ref == "RD-2026-0001"
    assert (made.pupil_id, made.pupil_name, made.site_id) == (
        pupil.id,
        "Amelia Thistlewick",
        "willow",
    )
    assert made.leads == (WILLOW_DSL,) and made.status is Status.OPEN
    stored = await world.get(made.ref)
    assert stored.mail is (Mail.QUEUED if mail_on else Mail.NOT_CONFIGURED)
    assert stored.confirmed_on == MONDAY and stored.note == NOTE

    rows = await world.outbox()
    chat = [r for r in rows if r.via == "chat"]
    assert {r.key for r in chat} == cards(made.ref, 1, WILLOW_DSL, TEACHER)
    assert all(r.replace and r.key.startswith(f"{r.thread}:") for r in chat)
    by_recipient = {r.recipient: r.payload for r in chat}
    assert [a["id"] for a in by_recipient[WILLOW_DSL]["actions"]] == [  # type: ignore[index]
        "declaration_acknowledge",
        "declaration_ask",
    ]
    assert [a["id"] for a in by_recipient[TEACHER]["actions"]] == ["declaration_end"]  # type: ignore[index]
    mails = [r for r in rows if r.via == "email"]
    if mail_on:
        [mail] = mails
        assert mail.key == f"declaration:{made.ref}:email"
        assert mail.mail == {"to": [WILLOW_DSL], "cc": [TEACHER], "reply_to": TEACHER}
        assert "Thistlewick" not in mail.payload["title"]  # type: ignore[index]
        assert ("Pupil", "Amelia Thistlewick") in map(tuple, mail.payload["facts"])  # type: ignore[index]
    else:
        assert mails == []
        assert "E-mail not sent" in by_recipient[TEACHER]["body"]  # type: ignore[index]
    assert all("Thistlewick" not in r.payload["notification"] for r in rows)  # type: ignore[index]

    before = (await world.keys(), await world.count("declaration"), len(await world.audit()))
    world.clock.advance(timedelta(minutes=5))
    again = await world.submit(
        TEACHER, "slack:view:1", **{PUPIL_FIELD: str(pupil.id)}, pupil_name=None
    )
    assert not again.created and again.declaration.ref == made.ref
    after = (await world.keys(), await world.count("declaration"), len(await world.audit()))
    assert after == before


async def test_a_typed_name_at_another_school_goes_to_that_schools_leads(world: World) -> None:
    world.mail_on = True
    made = (await world.submit(TEACHER, pupil_site="riverside")).declaration
    assert made.site_id == "riverside" and made.pupil_id is None and made.leads == RIVER_DSLS
    rows = await world.outbox()
    assert {r.key for r in rows if r.via == "chat"} == cards(made.ref, 1, *RIVER_DSLS, TEACHER)
    [mail] = [r for r in rows if r.via == "email"]
    assert mail.mail == {"to": list(RIVER_DSLS), "cc": [TEACHER], "reply_to": TEACHER}
    assert WILLOW_DSL not in {r.recipient for r in rows}, "the declarer's own school is not told"


async def test_the_register_says_which_e_mails_could_not_be_delivered(world: World) -> None:
    world.mail_on = True
    lost = (await world.submit(TEACHER, key="lost")).declaration
    waiting = (await world.submit(TEACHER, key="waiting")).declaration
    world.mail_on = False
    unmailed = (await world.submit(TEACHER, key="unmailed")).declaration
    async with world.engine.begin() as connection:
        await connection.execute(
            sqlalchemy.text("UPDATE outbox_message SET status = 'dead' WHERE key = :key"),
            {"key": service.mail_key(lost.ref)},
        )
    for email in (TEACHER, LAWSON):
        register = await service.register_for(world.uow(), world.deps, email=email)
        assert register.mail_failed == {lost.ref}, email
        assert waiting.ref not in register.mail_failed and unmailed.ref not in register.mail_failed


async def test_the_only_lead_of_a_school_declares_to_the_hubs_lead(world: World) -> None:
    made = (await world.submit(WILLOW_DSL, pupil_site="willow")).declaration
    assert made.leads == (HUB_DSL,)
    assert {r.recipient for r in await world.outbox()} == {HUB_DSL, WILLOW_DSL}
    hub = await service.register_for(world.uow(), world.deps, email=HUB_DSL)
    assert [d.ref for d in hub.waiting] == [made.ref] and hub.is_lead
    own = await service.register_for(world.uow(), world.deps, email=WILLOW_DSL)
    assert [d.ref for d in own.own] == [made.ref] and own.waiting == [] and own.in_force == []
    for outsider in (WILLOW_HEAD, TEACHER):
        seen = await service.register_for(world.uow(), world.deps, email=outsider)
        assert seen.waiting == seen.in_force == seen.own == []
    acknowledged = await service.acknowledge(world.uow(), world.deps, ref=made.ref, by=HUB_DSL)
    assert acknowledged.acknowledged_by == HUB_DSL


async def test_a_pupil_who_is_not_at_the_declarers_school_is_refused(world: World) -> None:
    elsewhere = await world.add_pupil("riverside", "Rory", "Quillfeather")
    for picked in (str(elsewhere.id), "999999"):
        with pytest.raises(FormInvalid) as caught:
            await world.submit(TEACHER, **{PUPIL_FIELD: picked}, pupil_name=None)
        assert set(caught.value.errors) == {PUPIL_FIELD}
        assert "pick the pupil from the list" in caught.value.errors[PUPIL_FIELD]
    assert await world.count("declaration") == 0
    assert await world.keys() == [] and await world.audit() == [], "nothing recorded or sent"

    oakfield = await world.add_pupil("oakfield", "Olive", "Brackenridge")
    both_schools = "e.clarke@willow.example"  # teaches at Willow and Oakfield
    made = await world.submit(both_schools, **{PUPIL_FIELD: str(oakfield.id)}, pupil_name=None)
    assert made.declaration.site_id == "oakfield" and made.declaration.leads == (LAWSON, FRASER)


# --- who may see and act ---


async def test_only_the_declarer_and_the_pupils_schools_leads_see_or_act(world: World) -> None:
    ref = (await world.submit(OAK_TEACHER)).declaration.ref
    deps = world.deps

    async def register(email: str) -> service.Register:
        return await service.register_for(world.uow(), deps, email=email)

    mine = await register(OAK_TEACHER)
    assert [d.ref for d in mine.own] == [ref] and not mine.is_lead and mine.waiting == []
    for lead in (LAWSON, FRASER):
        theirs = await register(lead)
        assert [d.ref for d in theirs.waiting] == [ref] == [d.ref for d in theirs.in_force]
        assert theirs.is_lead and theirs.own == []
    outsiders = (OAK_HEAD, "j.marsh@oakfield.example", RIVER_DSLS[0], WILLOW_DSL, HUB_DSL)
    for outsider in (*outsiders, COMMS, STRANGER):
        seen = await register(outsider)
        assert seen.waiting == seen.overdue == seen.in_force == seen.own == [], outsider

    before = await world.snapshot(ref)
    attempts = [
        (service.acknowledge, {}),
        (service.ask, {"text": "Why?", "reply": False}),
        (service.ask, {"text": "Because.", "reply": True}),
        (service.end, {"reason": EndReason.OTHER, "note": None}),
        (service.confirm, {}),
    ]
    for outsider in (*outsiders, COMMS, STRANGER):
        for action, extra in attempts:
            with pytest.raises(NotAllowed):
                await action(world.uow(), deps, ref=ref, by=outsider, **extra)  # type: ignore[operator]
    wrong_side = [
        (service.acknowledge, OAK_TEACHER, {}),
        (service.ask, OAK_TEACHER, {"text": "Why?", "reply": False}),
        (service.ask, LAWSON, {"text": "Because.", "reply": True}),
        (service.confirm, FRASER, {}),
    ]
    for action, who, extra in wrong_side:
        with pytest.raises(NotAllowed):
            await action(world.uow(), deps, ref=ref, by=who, **extra)  # type: ignore[operator]
    assert await world.snapshot(ref) == before, "a refused action changes nothing"


async def test_acknowledged_once_with_every_card_updated_in_place(world: World) -> None:
    ref = (await world.submit(OAK_TEACHER)).declaration.ref
    world.clock.advance(timedelta(hours=1))
    done = await service.acknowledge(world.uow(), world.deps, ref=ref, by=LAWSON)
    assert done.status is Status.ACKNOWLEDGED and done.revision == 2
    stored = await world.get(ref)
    assert (stored.acknowledged_by, stored.acknowledged_at) == (LAWSON, world.clock.now())
    rows = {r.key: r for r in await world.outbox()}
    updated = cards(ref, 2, LAWSON, FRASER, OAK_TEACHER)
    assert updated <= set(rows) and all(rows[k].replace for k in updated)
    assert {rows[k].thread for k in updated} == {
        rows[k].thread for k in cards(ref, 1, LAWSON, FRASER, OAK_TEACHER)
    }
    assert all(
        "declaration_acknowledge" not in json.dumps(rows[k].payload["actions"])  # type: ignore[index]
        for k in cards(ref, 2, LAWSON, FRASER)
    )
    assert rows[f"declaration:{ref}:acknowledged"].recipient == OAK_TEACHER

    before = await world.snapshot(ref)
    for who in (FRASER, LAWSON):
        with pytest.raises(AlreadyDone, match="already acknowledged by Rebecca Lawson"):
            await service.acknowledge(world.uow(), world.deps, ref=ref, by=who)
    assert await world.snapshot(ref) == before
    assert [a.action for a in await world.audit()].count("declaration.acknowledged") == 1


async def test_a_lead_who_loses_the_role_is_refused(world: World, tmp_path: Path) -> None:
    ref = (await world.submit(OAK_TEACHER)).declaration.ref
    text = SAMPLE.read_text()
    old = f"safeguarding_leads: [{LAWSON}, {FRASER}]"
    assert text.count(old) == 1
    changed = tmp_path / "directory.yml"
    newcomer = "m.rahman@oakfield.example"
    changed.write_text(text.replace(old, f"safeguarding_leads: [{newcomer}, {FRASER}]"))
    world.directory = load_directory(changed)

    before = await world.snapshot(ref)
    for action, extra in [
        (service.acknowledge, {}),
        (service.ask, {"text": "Why?", "reply": False}),
        (service.end, {"reason": EndReason.OTHER, "note": None}),
    ]:
        with pytest.raises(NotAllowed):
            await action(world.uow(), world.deps, ref=ref, by=LAWSON, **extra)  # type: ignore[operator]
    assert await world.snapshot(ref) == before
    gone = await service.register_for(world.uow(), world.deps, email=LAWSON)
    assert gone.waiting == gone.in_force == [] and not gone.is_lead
    arrived = await service.register_for(world.uow(), world.deps, email=newcomer)
    assert [d.ref for d in arrived.waiting] == [ref]

    await service.acknowledge(world.uow(), world.deps, ref=ref, by=newcomer)
    assert set(await world.keys(":v2")) == cards(ref, 2, newcomer, FRASER, OAK_TEACHER)


# --- questions, ending, re-confirming ---


async def test_a_question_and_its_reply_reach_the_right_people_once(world: World) -> None:
    ref = (await world.submit(OAK_TEACHER)).declaration.ref
    deps = world.deps
    for _ in range(2):
        asked = await service.ask(
            world.uow(), deps, ref=ref, by=LAWSON, text="Do you post photos?", reply=False
        )
    assert len(asked.exchanges) == 1 and asked.revision == 2
    [question] = [r for r in await world.outbox() if ":question:" in r.key]
    assert (question.key, question.recipient) == (
        f"declaration:{ref}:question:1:{OAK_TEACHER}",
        OAK_TEACHER,
    )
    assert "photos" not in question.payload["notification"]  # type: ignore[index]

    for _ in range(2):
        answered = await service.ask(
            world.uow(), deps, ref=ref, by=OAK_TEACHER, text="Never of them.", reply=True
        )
    assert [(e.by, e.kind) for e in answered.exchanges] == [
        (LAWSON, "question"),
        (OAK_TEACHER, "answer"),
    ]
    assert sorted(await world.keys(":answer:")) == sorted(
        f"declaration:{ref}:answer:2:{lead}" for lead in (LAWSON, FRASER)
    )
    assert set(await world.keys(":card:")) == {
        key for v in (1, 2, 3) for key in cards(ref, v, LAWSON, FRASER, OAK_TEACHER)
    }
    stored = await world.get(ref)
    assert stored.revision == 3 and [e.text for e in stored.exchanges] == [
        "Do you post photos?",
        "Never of them.",
    ]
    audit = [a.action for a in await world.audit()]
    assert (audit.count("declaration.question"), audit.count("declaration.answer")) == (1, 1)


async def test_ended_by_the_declarer_or_by_a_lead_and_only_once(world: World) -> None:
    deps = world.deps
    first = (await world.submit(OAK_TEACHER, "k:1")).declaration.ref
    second = (await world.submit(OAK_TEACHER, "k:2", pupil_name="Alex Example")).declaration.ref

    await service.end(
        world.uow(), deps, ref=first, by=OAK_TEACHER, reason=EndReason.PUPIL_LEFT, note=None
    )
    await service.end(
        world.uow(), deps, ref=second, by=LAWSON, reason=EndReason.OTHER, note="Moved away."
    )
    assert sorted(await world.keys(f"{first}:ended:")) == [
        f"declaration:{first}:ended:{lead}" for lead in sorted((LAWSON, FRASER))
    ]
    assert sorted(await world.keys(f"{second}:ended:")) == [
        f"declaration:{second}:ended:{who}" for who in sorted((FRASER, OAK_TEACHER))
    ]
    stored = await world.get(second)
    assert (stored.status, stored.ended_by, stored.end_reason) == (
        Status.ENDED,
        LAWSON,
        EndReason.OTHER,
    )
    assert stored.end_note == "Moved away." and stored.ended_at == world.clock.now()

    for ref in (first, second):
        before = await world.snapshot(ref)
        for who in (OAK_TEACHER, FRASER):
            with pytest.raises(AlreadyDone, match="already ended"):
                await service.end(
                    world.uow(), deps, ref=ref, by=who, reason=EndReason.OTHER, note=None
                )
        with pytest.raises(AlreadyDone, match="has ended"):
            await service.acknowledge(world.uow(), deps, ref=ref, by=FRASER)
        with pytest.raises(NotAllowed, match="has ended"):
            await service.ask(world.uow(), deps, ref=ref, by=FRASER, text="?", reply=False)
        with pytest.raises(NotAllowed, match="has ended"):
            await service.confirm(world.uow(), deps, ref=ref, by=OAK_TEACHER)
        assert await world.snapshot(ref) == before

    lead = await service.register_for(world.uow(), deps, email=LAWSON)
    assert lead.waiting == lead.in_force == []
    everything = await service.register_for(world.uow(), deps, email=LAWSON, include_ended=True)
    assert sorted(d.ref for d in everything.in_force) == sorted((first, second))


async def test_confirming_starts_a_new_year(world: World) -> None:
    ref = (await world.submit(OAK_TEACHER)).declaration.ref
    await service.acknowledge(world.uow(), world.deps, ref=ref, by=FRASER)
    world.at(date(2027, 11, 22))
    assert (await service.register_for(world.uow(), world.deps, email=FRASER)).overdue == []
    world.at(date(2027, 11, 24))
    late = await service.register_for(world.uow(), world.deps, email=FRASER)
    assert [d.ref for d in late.overdue] == [ref]

    confirmed = await service.confirm(world.uow(), world.deps, ref=ref, by=OAK_TEACHER)
    assert confirmed.confirmed_on == date(2027, 11, 24)
    assert confirmed.confirm_due == date(2028, 11, 24)
    assert (await service.register_for(world.uow(), world.deps, email=FRASER)).overdue == []
    before = await world.snapshot(ref)
    await service.confirm(world.uow(), world.deps, ref=ref, by=OAK_TEACHER)
    assert await world.snapshot(ref) == before, "a second click the same day changes nothing"
    [event] = [a for a in await world.audit() if a.action == "declaration.confirmed"]
    assert (event.before["confirmed_on"], event.after["confirmed_on"]) == (  # type: ignore[index]
        "2026-11-23",
        "2027-11-24",
    )


# --- reminders ---

RUNS = (time(6, 30), time(9), time(13), time(17, 30), time(23))  # two of them in working hours


def weekly_from(due: date, until: date, before: date | None = None) -> list[date]:
    """The first working day on or after `due`, then every seven days."""
    day = due
    while day.weekday() >= 5:
        day += timedelta(days=1)
    days = []
    while day <= until and (before is None or day < before):
        days.append(day)
        day += timedelta(days=7)
    return days


def working_days(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


async def test_reminders_over_fourteen_months(world: World) -> None:
    deps = world.deps
    end = date(2028, 1, 21)
    refs: dict[str, str] = {}

    async def declare(name: str, who: str, site: str) -> None:
        refs[name] = (await world.submit(who, pupil_site=site)).declaration.ref

    async def acknowledge(name: str, by: str) -> None:
        await service.acknowledge(world.uow(), deps, ref=refs[name], by=by)

    events = {  # done at 10:00, after the 09:00 run
        MONDAY: [
            lambda: declare("a", TEACHER, "willow"),
            lambda: declare("b", OAK_TEACHER, "oakfield"),
            lambda: declare("d", "l.barnes@willow.example", "willow"),
        ],
        date(2026, 11, 24): [
            lambda: service.end(
                world.uow(), deps, ref=refs["d"], by=WILLOW_DSL, reason=EndReason.OTHER, note=None
            )
        ],
        date(2026, 11, 25): [lambda: acknowledge("b", LAWSON)],
        date(2026, 11, 27): [  # a Friday: its first anniversary is a Saturday
            lambda: declare("c", "a.patel@willow.example", "willow"),
            lambda: acknowledge("c", WILLOW_DSL),
        ],
        date(2026, 12, 3): [lambda: acknowledge("a", WILLOW_DSL)],
        date(2027, 12, 8): [lambda: service.confirm(world.uow(), deps, ref=refs["a"], by=TEACHER)],
    }
    sent: Counter[date] = Counter()
    day = MONDAY
    while day <= end:
        for moment in RUNS:
            if moment == time(13):
                world.at(day, 10)
                for event in events.get(day, []):
                    await event()
            world.clock.set(datetime.combine(day, moment, LONDON).astimezone(UTC))
            done = await service.send_reminders(world.uow(), deps)
            if done:
                assert HOURS.is_working(world.clock.now()) and moment == time(9), (day, moment)
            sent[day] += done
        day += timedelta(days=1)

    a, b, c, d = (refs[n] for n in "abcd")
    ack = {
        a: [(WILLOW_DSL, x) for x in working_days(date(2026, 11, 24), date(2026, 12, 3))],
        b: [
            (lead, x) for lead in (LAWSON, FRASER) for x in (date(2026, 11, 24), date(2026, 11, 25))
        ],
        d: [(WILLOW_DSL, date(2026, 11, 24))],
    }
    confirm = {
        a: weekly_from(date(2027, 11, 23), end, before=date(2027, 12, 8)),
        b: weekly_from(date(2027, 11, 23), end),
        c: weekly_from(date(2027, 11, 27), end),
    }
    assert len(confirm[a]) == 3 and confirm[c][0] == date(2027, 11, 29)
    assert sorted(await world.keys(":ack-reminder:")) == sorted(
        f"declaration:{ref}:ack-reminder:{email}:{x}"
        for ref, pairs in ack.items()
        for email, x in pairs
    )
    assert sorted(await world.keys(":confirm-reminder:")) == sorted(
        f"declaration:{ref}:confirm-reminder:{x}" for ref, days in confirm.items() for x in days
    )
    expected = Counter(x for pairs in ack.values() for x in {x for _, x in pairs})
    expected.update(x for days in confirm.values() for x in days)
    assert +sent == expected, "one reminder per declaration per day, from the first run"
    reminded = [e for e in await world.audit() if e.action == "declaration.reminded"]
    assert len(reminded) == sum(expected.values())

    rows = await world.outbox()
    declarers = {a: TEACHER, b: OAK_TEACHER, c: "a.patel@willow.example"}
    for row in rows:
        if ":confirm-reminder:" in row.key:
            assert row.recipient == declarers[row.key.split(":")[1]]
            assert "Sam Example" not in row.payload["notification"]  # type: ignore[index]


# --- PostgreSQL: two leads at once ---


async def test_two_leads_acknowledging_at_once_make_one_acknowledgement(
    world: World, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite has no row locks (SELECT ... FOR UPDATE): a single file allows one writer, "
            "so two replicas acknowledging at once is a PostgreSQL deployment only"
        )
    names = {LAWSON: "Rebecca Lawson", FRASER: "Helen Fraser"}
    for round_ in range(5):
        ref = (await world.submit(OAK_TEACHER, f"k:{round_}")).declaration.ref
        results = await asyncio.gather(
            service.acknowledge(world.uow(), world.deps, ref=ref, by=LAWSON),
            service.acknowledge(world.uow(), world.deps, ref=ref, by=FRASER),
            return_exceptions=True,
        )
        won = [r for r in results if isinstance(r, Declaration)]
        lost = [r for r in results if isinstance(r, AlreadyDone)]
        assert (len(won), len(lost)) == (1, 1), f"one acknowledges, one is told: {results}"
        won, lost = won[0], lost[0]
        winner = won.acknowledged_by
        assert winner in names and names[winner] in lost.message
        assert (await world.get(ref)).acknowledged_by == winner
        assert await world.keys(f"{ref}:acknowledged") == [f"declaration:{ref}:acknowledged"]
        assert not await world.keys(f"{ref}:card:{LAWSON}:v3")
        acks = [e for e in await world.audit() if e.action == "declaration.acknowledged"]
        assert [e.record_id for e in acks].count(ref) == 1


# --- the audit trail ---


async def test_the_audit_trail_never_holds_the_pupils_name_or_any_text(world: World) -> None:
    deps = world.deps
    pupil = await world.add_pupil("oakfield", "Zephyrine", "Marchbanks")
    picked = await world.submit(OAK_TEACHER, **{PUPIL_FIELD: str(pupil.id)}, pupil_name=None)
    typed = await world.submit(
        OAK_TEACHER,
        pupil_name="Barnaby Quenelle",
        relationship="other",
        description="Godparent of the twins",
    )
    for ref in (picked.declaration.ref, typed.declaration.ref):
        await service.ask(world.uow(), deps, ref=ref, by=LAWSON, text="Which app?", reply=False)
        await service.ask(world.uow(), deps, ref=ref, by=OAK_TEACHER, text="Only Sn4p.", reply=True)
    await service.acknowledge(world.uow(), deps, ref=picked.declaration.ref, by=FRASER)
    world.at(date(2026, 11, 24), 9)
    assert await service.send_reminders(world.uow(), deps) == 1
    world.at(date(2027, 11, 24), 9)
    assert await service.send_reminders(world.uow(), deps) == 2
    await service.confirm(world.uow(), deps, ref=picked.declaration.ref, by=OAK_TEACHER)
    await service.end(
        world.uow(),
        deps,
        ref=typed.declaration.ref,
        by=FRASER,
        reason=EndReason.OTHER,
        note="Left for Kettering.",
    )

    events = await world.audit()
    assert {e.action for e in events} == {
        "declaration.submitted",
        "declaration.question",
        "declaration.answer",
        "declaration.acknowledged",
        "declaration.reminded",
        "declaration.confirmed",
        "declaration.ended",
    }
    trail = json.dumps(
        [[e.actor, e.action, e.record_id, e.before, e.after, e.detail] for e in events]
    ).lower()
    for secret in (
        "Zephyrine",
        "Marchbanks",
        "Barnaby",
        "Quenelle",
        NOTE,
        "Godparent",
        "Which app",
        "Sn4p",
        "Kettering",
    ):
        assert secret.lower() not in trail, secret
    assert f'"pupil_id": {pupil.id}' in trail, "the trail keeps ids"
