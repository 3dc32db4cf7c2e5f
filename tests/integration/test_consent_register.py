# The consent register on SQLite and PostgreSQL: the store, bulk imports, recorded changes.
from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy
from sqlmodel import select

from bot.clock import ManualClock
from bot.consent import service
from bot.consent.mis_csv import PupilRow, Refusal, read_mis_csv
from bot.consent.model import Consent, Pupil, Source, StaleRecord
from bot.consent.service import ConsentDeps, ImportSummary
from bot.directory import Directory, load_directory
from bot.errors import FormInvalid, NotAllowed, NotFound
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import OutboxRow, PostPupilRow, PostRow, PostVersionRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "consent-willow.csv"
sys.path.insert(0, str(ROOT / "bench"))
from make_consent_csv import write_consent_csv  # noqa: E402

LONDON = ZoneInfo("Europe/London")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON).astimezone(UTC)
OFFICE = "k.holt@willow.example"
OAK_OFFICE = "j.marsh@oakfield.example"
COMMS = "h.whitfield@trust.example"
TEACHER = "d.hughes@willow.example"
ALL = Consent(True, True, True, True)


@dataclass
class World:
    """The register's flows on one database, at a time the test sets."""

    url: str
    engine: Any
    sessions: Any
    clock: ManualClock
    directory: Directory

    @property
    def deps(self) -> ConsentDeps:
        hours = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
        return ConsentDeps(self.directory, self.clock, hours)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    def today(self) -> date:
        return self.deps.today()

    async def import_rows(
        self, rows: Iterable[PupilRow | Refusal], site_id: str = "willow"
    ) -> ImportSummary:
        return await service.import_register(
            self.uow(), self.deps, site_id=site_id, rows=rows, actor="test"
        )

    async def import_file(self, path: Path, site_id: str = "willow") -> ImportSummary:
        return await self.import_rows(read_mis_csv(path, today=self.today()), site_id)

    async def pupil(self, mis_id: str, site_id: str = "willow") -> Pupil:
        async with self.uow() as uow:
            return (await uow.pupils.by_site(site_id))[mis_id]

    async def count(self, table: str, where: str = "") -> int:
        async with self.engine.connect() as connection:
            sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
            return int((await connection.execute(sqlalchemy.text(sql))).scalar_one())

    async def rows(self, sql: str) -> list[Any]:
        async with self.engine.connect() as connection:
            return list((await connection.execute(sqlalchemy.text(sql))).all())

    async def outbox(self) -> list[OutboxRow]:
        async with self.sessions() as session:
            return list((await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all())

    async def change(
        self, pupil: Pupil, consent: Consent, *, actor: str = OFFICE, key: str = "t:1", **kw: Any
    ) -> service.Recorded:
        return await service.record_change(
            self.uow(),
            self.deps,
            pupil_id=pupil.id,  # type: ignore[arg-type]
            actor=actor,
            consent=consent,
            changed_on=kw.get("changed_on", self.today()),
            source=kw.get("source", Source.LETTER),
            note=kw.get("note"),
            seen_version=kw.get("seen_version", pupil.version),
            source_key=key,
        )

    async def publish(
        self,
        ref: str,
        pupil_ids: list[int],
        *,
        site_id: str = "willow",
        shows: str = "images",
        status: str = "published",
        blurred: bool = False,
        version: int = 1,
        pupils_in_version: int | None = None,
    ) -> None:
        """A post request as the post flows would leave it (written straight to the tables)."""
        now = self.clock.now()
        async with self.sessions() as session:
            post = PostRow(
                ref=ref,
                source_key=f"test:{ref}",
                requester=TEACHER,
                account_id="trust-linkedin" if site_id == "trust" else f"{site_id}-x",
                site_id=site_id,
                objective="celebrate",
                status=status,
                version=version,
                created_at=now,
                submitted_at=now,
                publish_at=now,
                published_at=now if status == "published" else None,
                published_by=TEACHER if status == "published" else None,
                published_url=f"https://x.example/{ref}",
            )
            session.add(post)
            await session.flush()
            for number in range(1, version + 1):
                session.add(
                    PostVersionRow(
                        post_id=post.id,
                        number=number,
                        source_key=f"test:{ref}:v{number}",
                        text="Sports day!",
                        publish_at=now,
                        shows=shows,
                        submitted_at=now,
                        submitted_by=TEACHER,
                    )
                )
            shown_in = pupils_in_version or version
            for pupil_id in pupil_ids:
                session.add(
                    PostPupilRow(
                        post_id=post.id, version=shown_in, pupil_id=pupil_id, blurred=blurred
                    )
                )
            await session.commit()

    async def tasks(self) -> list[SimpleNamespace]:
        """The tasks as rows (assignees decoded: SQLite hands JSON back as text)."""
        found = []
        for row in await self.rows("SELECT id, key, kind, status, assignees FROM task ORDER BY id"):
            data = row._asdict()
            if isinstance(data["assignees"], str):
                data["assignees"] = json.loads(data["assignees"])
            found.append(SimpleNamespace(**data))
        return found


async def make_world(database_url: str) -> World:
    engine = create_engine(database_url)
    return World(
        database_url,
        engine,
        session_factory(engine),
        ManualClock(MONDAY_10),
        load_directory(SAMPLE),
    )


def export(tmp_path: Path, rows: int, seed: int = 7) -> Path:
    return write_consent_csv(tmp_path / f"export-{rows}-{seed}.csv", rows, seed)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    made = await make_world(database_url)
    yield made
    await made.engine.dispose()


# --- the store ---


async def test_import_of_2000_rows_adds_each_once_with_history_and_audit(
    world: World, tmp_path: Path
) -> None:
    path = export(tmp_path, 2000)
    expected = {r.mis_id: r for r in read_mis_csv(path, today=world.today())}  # type: ignore[union-attr]
    summary = await world.import_file(path)
    assert (summary.added, summary.changed, summary.unchanged) == (2000, 0, 0)
    assert summary.refused == [] and summary.takedowns == 0
    assert await world.count("pupil") == 2000
    assert await world.count("consent_history") == 2000
    assert await world.count("audit_event", "record_type = 'pupil'") == 2000
    async with world.uow() as uow:
        stored = await uow.pupils.by_site("willow")
    assert set(stored) == set(expected)
    for mis_id in list(expected)[:50]:
        row, pupil = expected[mis_id], stored[mis_id]
        assert (pupil.first_name, pupil.last_name, pupil.date_of_birth) == (
            row.first_name,
            row.last_name,
            row.date_of_birth,
        )
        assert pupil.consent == row.consent and pupil.year_group == row.year_group
        assert pupil.consent_changed_on == (row.consent_date or world.today())

    again = await world.import_file(path)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2000)
    assert await world.count("consent_history") == 2000, "unchanged rows write nothing"
    assert await world.count("audit_event") == 2000


async def test_changed_rows_get_a_new_version_and_absent_pupils_stay(
    world: World, tmp_path: Path
) -> None:
    rows = list(read_mis_csv(export(tmp_path, 200), today=world.today()))
    await world.import_rows(rows)
    moved = [replace(r, year_group="Year 9b") for r in rows[:10]]  # type: ignore[type-var]
    summary = await world.import_rows(moved + rows[10:150])
    assert (summary.added, summary.changed, summary.unchanged) == (0, 10, 140)
    assert summary.not_in_file == 50
    assert await world.count("pupil") == 200
    assert await world.count("consent_history") == 210
    pupil = await world.pupil(moved[0].mis_id)  # type: ignore[union-attr]
    assert pupil.version == 2 and pupil.year_group == "Year 9b"
    async with world.uow() as uow:
        history = await uow.pupils.history(pupil.id)  # type: ignore[arg-type]
    assert [h.version for h in history] == [1, 2]
    assert history[1].details["year_group"] == "Year 9b" and history[1].recorded_by == "test"


async def test_an_exception_half_way_through_the_rows_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    rows = list(read_mis_csv(export(tmp_path, 300), today=world.today()))

    def broken() -> Iterator[PupilRow | Refusal]:
        yield from rows[:150]
        raise OSError("the disk went away")

    with pytest.raises(OSError):
        await world.import_rows(broken())
    assert await world.count("pupil") == 0 and await world.count("consent_history") == 0


async def test_a_failure_while_writing_rolls_back_every_row(world: World, tmp_path: Path) -> None:
    rows = list(read_mis_csv(export(tmp_path, 300), today=world.today()))
    await world.import_rows(rows[:100])
    victim = await world.pupil(rows[50].mis_id)  # type: ignore[union-attr]
    async with world.engine.begin() as connection:  # a version 2 that the import will also make
        await connection.execute(
            sqlalchemy.text(
                "INSERT INTO consent_history (pupil_id, version, first_name, last_name, "
                "date_of_birth, images_school, videos_school, images_trust, videos_trust, "
                "source, recorded_by, recorded_at) VALUES (:id, 2, 'x', 'y', '2015-01-01', "
                "false, false, false, false, 'letter', 'someone', '2026-11-23 10:00:00')"
            ),
            {"id": victim.id},
        )
    changed = [replace(r, year_group="Year 12") for r in rows]  # type: ignore[type-var]
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        await world.import_rows(changed)
    assert await world.count("pupil") == 100, "the 200 new pupils were not kept"
    assert await world.count("pupil", "version <> 1") == 0, "no pupil was changed"
    assert await world.count("consent_history") == 101
    assert await world.count("audit_event") == 100


async def test_history_rows_are_never_updated_or_deleted(world: World, tmp_path: Path) -> None:
    rows = list(read_mis_csv(export(tmp_path, 20), today=world.today()))
    await world.import_rows(rows)
    pupil = await world.pupil(rows[0].mis_id)  # type: ignore[union-attr]
    first = await world.rows(f"SELECT * FROM consent_history WHERE pupil_id = {pupil.id}")
    await world.change(pupil, Consent(images_school=True))
    await world.change(await world.pupil(pupil.mis_id), Consent(), key="t:2")
    history = await world.rows(
        f"SELECT * FROM consent_history WHERE pupil_id = {pupil.id} ORDER BY version"
    )
    assert [h.version for h in history] == [1, 2, 3]
    assert history[0] == first[0], "version 1 is as it was written"
    for sql in (
        "UPDATE consent_history SET images_school = false",
        "DELETE FROM consent_history",
    ):
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
            async with world.engine.begin() as connection:
                await connection.execute(sqlalchemy.text(sql))


async def test_search_matches_every_word_in_any_case_at_the_given_sites(world: World) -> None:
    await world.import_file(EXAMPLE)
    await world.import_rows(
        [replace(r, mis_id="OAK-" + r.mis_id) for r in _rows(EXAMPLE, world)][:3],  # type: ignore[type-var]
        site_id="oakfield",
    )
    async with world.uow() as uow:
        found = await uow.pupils.search(["willow"], "ZOE")
        assert [p.full_name for p in found] == ["Zoë Fennelworth"]
        assert [p.first_name for p in await uow.pupils.search(["willow"], "barney quill")] == [
            "Barnaby"
        ]
        assert await uow.pupils.search(["willow"], "barney thistle") == []
        assert await uow.pupils.search(["willow"], "%") == [], "no wildcards from people"
        both = await uow.pupils.search(["willow", "oakfield"], "bramble")
        assert {p.site_id for p in both} == {"willow", "oakfield"}
        assert await uow.pupils.search([], "bramble") == []
        everyone = await uow.pupils.search(["willow"], "e", limit=200)
        keys = [(p.last_name.lower(), p.first_name.lower()) for p in everyone]
        assert keys == sorted(keys) and len(everyone) > 5
        assert len(await uow.pupils.search(["willow"], "e", limit=3)) == 3
        ids = [p.id for p in everyone[:3]]
        fetched = await uow.pupils.get_many([ids[2], ids[0], 999999, str(ids[1])])  # type: ignore[list-item]
        assert [p.id for p in fetched] == [ids[2], ids[0], ids[1]]


async def test_turning_18_by_includes_the_birthday_itself(world: World) -> None:
    today = world.today()
    rows = _rows(EXAMPLE, world)[:3]
    born = [date(today.year - 18, today.month, today.day), date(today.year - 18, 12, 31)]
    await world.import_rows(
        [replace(rows[0], date_of_birth=born[0]), replace(rows[1], date_of_birth=born[1])]  # type: ignore[type-var]
    )
    async with world.uow() as uow:
        adults = await uow.pupils.turning_18_by(today)
    assert [p.date_of_birth for p in adults] == [born[0]]


# --- recording a change with /consent ---


async def test_office_records_a_withdrawal_as_a_new_version(world: World) -> None:
    await world.import_file(EXAMPLE)
    pupil = await world.pupil("WIL-1001")
    done = await world.change(pupil, Consent(images_school=True), note="Letter from Mum")
    assert done.created and done.pupil.version == 2 and done.takedowns == 0
    stored = await world.pupil("WIL-1001")
    assert stored.consent == Consent(images_school=True) and stored.source is Source.LETTER
    async with world.uow() as uow:
        last = (await uow.pupils.history(pupil.id))[-1]  # type: ignore[arg-type]
    assert (last.recorded_by, last.note, last.source) == (OFFICE, "Letter from Mum", Source.LETTER)
    [event] = await world.rows(
        "SELECT action, before, after, detail FROM audit_event WHERE action = "
        "'pupil.consent_changed'"
    )
    assert pupil.first_name not in str(event) and pupil.last_name not in str(event)
    assert "images_trust" in str(event.detail)


async def test_an_unchanged_submission_is_a_field_error(world: World) -> None:
    await world.import_file(EXAMPLE)
    pupil = await world.pupil("WIL-1001")
    with pytest.raises(FormInvalid) as caught:
        await world.change(pupil, pupil.consent)
    assert caught.value.errors == {"consent": service.NOTHING_CHANGED}
    with pytest.raises(FormInvalid):
        await world.change(pupil, Consent(), changed_on=world.today() + timedelta(days=1))
    assert await world.count("consent_history") == 30


async def test_the_same_form_twice_records_once_and_a_stale_form_is_refused(world: World) -> None:
    await world.import_file(EXAMPLE)
    pupil = await world.pupil("WIL-1001")
    first = await world.change(pupil, Consent())
    again = await world.change(pupil, Consent())
    assert first.created and not again.created and again.pupil.version == 2
    assert await world.count("consent_history", f"pupil_id = {pupil.id}") == 2
    await world.change(await world.pupil("WIL-1001"), ALL, actor=COMMS, key="t:2")
    with pytest.raises(StaleRecord, match="changed by Hannah Whitfield"):
        await world.change(pupil, Consent(images_school=True), key="t:3")
    assert await world.count("consent_history", f"pupil_id = {pupil.id}") == 3


async def test_only_the_office_of_the_school_and_the_head_of_comms_may_record(
    world: World,
) -> None:
    await world.import_file(EXAMPLE)
    pupil = await world.pupil("WIL-1001")
    with pytest.raises(NotAllowed, match="school's office"):
        await world.change(pupil, Consent(), actor=TEACHER)
    with pytest.raises(NotFound):
        await world.change(pupil, Consent(), actor=OAK_OFFICE)
    assert await service.search(world.uow(), world.deps, viewer=TEACHER, query="bramble") == []
    assert await service.search(world.uow(), world.deps, viewer=OAK_OFFICE, query="bramble") == []
    found = await service.search(world.uow(), world.deps, viewer=COMMS, query="bramble thistle")
    assert [p.mis_id for p in found] == ["WIL-1001"]
    assert (await world.change(pupil, Consent(), actor=COMMS)).created


async def test_a_site_that_is_not_a_school_is_refused(world: World) -> None:
    for site_id in ("hub", "nowhere"):
        with pytest.raises(NotFound, match=site_id):
            await world.import_file(EXAMPLE, site_id=site_id)
    assert await world.count("pupil") == 0


async def test_a_dry_run_writes_nothing(world: World) -> None:
    summary = await service.import_register(
        world.uow(),
        world.deps,
        site_id="willow",
        rows=_rows(EXAMPLE, world),
        actor="test",
        dry_run=True,
    )
    assert summary.added == 30 and summary.dry_run
    assert await world.count("pupil") == 0 and await world.count("audit_event") == 0


def _rows(path: Path, world: World) -> list[PupilRow]:
    return [r for r in read_mis_csv(path, today=world.today()) if isinstance(r, PupilRow)]
