# Abuse log screenshots on SQLite and PostgreSQL: files given with an entry or sent later are
# fetched, fingerprinted and kept once; failures back off, then ask for the file again.
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.abuse import service
from bot.abuse.model import ShotState, Status
from bot.clock import ManualClock
from bot.directory import load_directory
from bot.errors import NotAllowed, NotFound, PolicyError
from bot.exports.model import Filters, Kind
from bot.exports.service import ExportDeps, export_rows
from bot.files import FetchFailed, Upload, too_big
from storage.engine import create_engine, session_factory
from storage.tables import OutboxRow
from tests.e2e.harness import SAMPLE
from tests.integration.test_abuse_log import (
    COMMS,
    LONDON,
    MONDAY_10,
    OAK_TEACHER,
    TEACHER,
    WILLOW_HEAD,
    World,
)

PICTURE = b"\x89PNG\r\n\x1a\n" + b"comment" * 100
SHOT = Upload("slack", "F1", "comment.png", "image/png", len(PICTURE))


class Files:
    """A channel's files as a FileFetcher: bytes by id, or the failure to raise next."""

    def __init__(self) -> None:
        self.content: dict[str, bytes] = {}
        self.failures: list[FetchFailed] = []
        self.asked: list[str] = []

    async def fetch(self, upload: Upload, *, limit: int) -> bytes:
        self.asked.append(upload.file_id)
        if self.failures:
            raise self.failures.pop(0)
        return self.content[upload.file_id]


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    yield World(engine, session_factory(engine), ManualClock(MONDAY_10), load_directory(SAMPLE))
    await engine.dispose()


async def keep(world: World, files: Files) -> int:
    return await service.keep_screenshots(world.uow, world.deps, {"slack": files})


async def shots(world: World, ref: str) -> list:  # type: ignore[type-arg]
    async with world.uow() as uow:
        return (await uow.abuse.screenshots_of([ref]))[ref]


async def outbox(world: World) -> dict[str, OutboxRow]:
    async with world.sessions() as session:
        return {r.key: r for r in (await session.exec(select(OutboxRow))).all()}


async def test_a_screenshot_given_with_the_form_is_kept_once_with_its_sha256(
    world: World,
) -> None:
    files = Files()
    files.content["F1"] = PICTURE
    entry = await world.log(screenshot_file=(SHOT,), key="slack:view:9")
    [waiting] = await shots(world, entry.ref)
    assert waiting.state is ShotState.WAITING and waiting.sha256 is None

    world.clock.advance(timedelta(seconds=3))
    assert await keep(world, files) == 1
    [kept] = await shots(world, entry.ref)
    assert kept.state is ShotState.KEPT and kept.size == len(PICTURE)
    assert kept.sha256 == hashlib.sha256(PICTURE).hexdigest()
    assert kept.kept_at == MONDAY_10 + timedelta(seconds=3)
    async with world.uow() as uow:
        assert await uow.abuse.screenshot_content(kept.id) == PICTURE

    sent = await outbox(world)
    told = sent[f"abuse:{entry.ref}:shot:{kept.id}:kept"]
    assert told.recipient == TEACHER and kept.sha256 in str(told.payload)
    for keeper in (COMMS, WILLOW_HEAD):  # each card shows the fingerprint, in place
        card = sent[f"abuse:{entry.ref}:card:{keeper}:v2"]
        assert card.replace and kept.sha256 in str(card.payload)
    [event] = [e for e in await world.audit() if e.action == "abuse.screenshot_kept"]
    assert event.detail == {"screenshot": kept.id, "sha256": kept.sha256, "bytes": len(PICTURE)}

    before = (await outbox(world)).keys(), len(await world.audit())
    assert await keep(world, files) == 0 and files.asked == ["F1"]
    assert ((await outbox(world)).keys(), len(await world.audit())) == before


async def test_a_failed_fetch_backs_off_then_asks_for_the_file_again(world: World) -> None:
    files = Files()
    files.failures = [FetchFailed("Slack answered 503", permanent=False)]
    entry = await world.log(screenshot_file=(SHOT,))
    assert await keep(world, files) == 0
    [shot] = await shots(world, entry.ref)
    assert shot.state is ShotState.WAITING and shot.tries == 1
    assert shot.next_try_at == MONDAY_10 + timedelta(minutes=2)

    assert await keep(world, files) == 0 and files.asked == ["F1"]  # not yet its turn
    world.clock.advance(timedelta(minutes=2))
    files.failures = [FetchFailed("files.info: file_deleted", permanent=True)]
    assert await keep(world, files) == 0
    [shot] = await shots(world, entry.ref)
    assert shot.state is ShotState.FAILED and shot.problem == "files.info: file_deleted"
    asked_again = (await outbox(world))[f"abuse:{entry.ref}:shot:{shot.id}:failed"]
    assert asked_again.recipient == TEACHER and "send it again" in str(asked_again.payload)
    world.clock.advance(timedelta(hours=1))
    assert await keep(world, files) == 0 and len(files.asked) == 2  # never tried again


async def test_a_file_too_big_to_keep_is_not_tried_again_and_the_person_is_told_why(
    world: World,
) -> None:
    files = Files()
    files.failures = [too_big()]
    entry = await world.log(screenshot_file=(SHOT,))
    assert await keep(world, files) == 0
    [shot] = await shots(world, entry.ref)
    assert shot.state is ShotState.FAILED and shot.tries == 1
    told = str((await outbox(world))[f"abuse:{entry.ref}:shot:{shot.id}:failed"].payload)
    assert "is bigger than 10 MB" in told and "smaller copy" in told
    world.clock.advance(timedelta(hours=1))
    assert await keep(world, files) == 0 and files.asked == ["F1"]


async def attach(world: World, by: str, text: str = "", key: str = "teams:activity:1", n=1):  # type: ignore[no-untyped-def]
    uploads = [Upload("teams", f"u{i}", f"shot{i}.png", "image/png") for i in range(n)]
    return await service.attach_screenshots(
        world.uow(), world.deps, by=by, text=text, uploads=uploads, source_key=key
    )


async def test_files_sent_in_chat_go_with_the_senders_entry_of_the_day(world: World) -> None:
    with pytest.raises(NotFound, match="haven't logged one today"):
        await attach(world, TEACHER)
    entry = await world.log(TEACHER)
    world.clock.advance(timedelta(hours=3))
    found, added = await attach(world, TEACHER, "here it is")
    assert (found.ref, added) == (entry.ref, 1)
    assert (await attach(world, TEACHER, "here it is"))[1] == 0  # the same activity again
    assert len(await shots(world, entry.ref)) == 1

    world.clock.advance(timedelta(days=1))
    with pytest.raises(NotFound):  # a day later, only by its reference
        await attach(world, TEACHER, key="teams:activity:2")
    found, added = await attach(world, TEACHER, f"for {entry.ref.lower()}", key="teams:activity:3")
    assert (found.ref, added) == (entry.ref, 1)


async def test_only_its_logger_and_keepers_may_add_and_no_more_than_five(world: World) -> None:
    entry = await world.log(TEACHER)
    with pytest.raises(NotAllowed):
        await attach(world, OAK_TEACHER, entry.ref, key="teams:activity:9")
    found, added = await attach(world, WILLOW_HEAD, entry.ref, key="teams:activity:10", n=4)
    assert added == 4
    with pytest.raises(PolicyError, match="can keep 5 screenshots and has 4"):
        await attach(world, TEACHER, entry.ref, key="teams:activity:11", n=2)
    assert len(await shots(world, found.ref)) == 4


async def test_retention_removes_an_entrys_screenshots_with_it(world: World) -> None:
    files = Files()
    files.content["F1"] = PICTURE
    entry = await world.log(screenshot_file=(SHOT,))
    await keep(world, files)
    assert len(await shots(world, entry.ref)) == 1
    await service.set_status(world.uow(), world.deps, ref=entry.ref, by=COMMS, status=Status.CLOSED)
    async with world.uow() as uow:
        removed = await uow.retention.prune_abuse_log(before=MONDAY_10 + timedelta(days=1))
        await uow.commit()
    assert removed == 1 and await shots(world, entry.ref) == []


async def test_the_abuse_log_export_carries_each_screenshots_fingerprint(world: World) -> None:
    files = Files()
    files.content["F1"] = PICTURE
    entry = await world.log(screenshot_file=(SHOT,))
    await keep(world, files)
    deps = ExportDeps(world.directory, world.clock, LONDON)
    made = await export_rows(
        world.uow(), deps, kind=Kind.ABUSE, as_email=COMMS, filters=Filters(), actor="it"
    )
    [row] = [r for r in made.rows if r["ref"] == entry.ref]
    digest = hashlib.sha256(PICTURE).hexdigest()
    assert row["screenshots"] == f"comment.png sha256:{digest} kept:{MONDAY_10.isoformat()}"
    assert row["screenshot_link"] == "https://trust.sharepoint.com/evidence/1.png"
