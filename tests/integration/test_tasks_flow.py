# Tasks on SQLite and PostgreSQL: take-downs after a withdrawal, consent at 18, daily nudges,
# closing once, and who may close.
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.consent.mis_csv import PupilRow, read_mis_csv
from bot.consent.model import Consent
from bot.errors import AlreadyDone, NotAllowed
from bot.tasks import service as tasks
from bot.tasks.model import TaskStatus
from tests.integration.test_consent_register import (
    COMMS,
    EXAMPLE,
    OFFICE,
    TEACHER,
    World,
    make_world,
)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    made = await make_world(database_url)
    await made.import_file(EXAMPLE)
    yield made
    await made.engine.dispose()


def task_deps(world: World) -> tasks.TaskDeps:
    return world.deps.tasks()


async def test_a_withdrawal_creates_one_takedown_per_published_post_it_no_longer_covers(
    world: World,
) -> None:
    amelia = await world.pupil("WIL-1001")  # every consent given
    other = await world.pupil("WIL-1003")
    await world.publish("PR-2026-0001", [amelia.id, other.id], shows="images")  # type: ignore[list-item]
    await world.publish("PR-2026-0002", [amelia.id], shows="images", blurred=True)  # type: ignore[list-item]
    await world.publish("PR-2026-0003", [amelia.id], status="approved")  # type: ignore[list-item]
    await world.publish("PR-2026-0004", [amelia.id], site_id="trust", shows="both")  # type: ignore[list-item]
    await world.publish("PR-2026-0005", [amelia.id], shows="videos")  # type: ignore[list-item]
    await world.publish("PR-2026-0006", [amelia.id], version=2, pupils_in_version=1)  # type: ignore[list-item]

    done = await world.change(
        amelia, Consent(videos_school=True, images_trust=True, videos_trust=True)
    )
    assert done.takedowns == 1, "only the published, unblurred, school post with images"
    [task] = await world.tasks()
    assert task.key == f"takedown:PR-2026-0001:{amelia.id}:2" and task.status == "open"
    assert set(task.assignees) == {TEACHER, COMMS}

    again = await world.change(
        amelia, Consent(videos_school=True, images_trust=True, videos_trust=True)
    )
    assert not again.created and len(await world.tasks()) == 1

    cards = [o for o in await world.outbox() if o.key.startswith("task:")]
    assert {c.recipient for c in cards} == {TEACHER, COMMS}
    for card in cards:
        assert "Amelia" not in card.payload["notification"]  # type: ignore[index]
        assert "Thistlewick" not in str(card.payload)
        assert "PR-2026-0001" in card.payload["title"]  # type: ignore[index]
    assert await world.count("audit_event", "record_type = 'task'") == 1


async def test_narrowing_in_an_import_creates_takedowns_too(world: World) -> None:
    amelia = await world.pupil("WIL-1001")
    await world.publish("PR-2026-0010", [amelia.id], site_id="trust", shows="videos")  # type: ignore[list-item]
    rows = [r for r in read_mis_csv(EXAMPLE, today=world.today()) if isinstance(r, PupilRow)]
    narrowed = [
        replace(r, consent=Consent(images_school=True)) if r.mis_id == "WIL-1001" else r
        for r in rows
    ]
    summary = await world.import_rows(narrowed)
    assert (summary.changed, summary.takedowns) == (1, 1)
    assert (await world.import_rows(narrowed)).takedowns == 0
    [task] = await world.tasks()
    assert task.key.startswith("takedown:PR-2026-0010:")


async def test_closing_is_authorised_at_the_click_and_happens_once(world: World) -> None:
    amelia = await world.pupil("WIL-1001")
    await world.publish("PR-2026-0020", [amelia.id])  # type: ignore[list-item]
    await world.change(amelia, Consent())
    [row] = await world.tasks()
    deps = task_deps(world)
    with pytest.raises(NotAllowed):
        await tasks.close_task(
            world.uow(), deps, task_id=row.id, actor=OFFICE, status=TaskStatus.DONE
        )
    demoted = replace(deps.directory, trust=replace(deps.directory.trust, head_of_comms=()))
    with pytest.raises(NotAllowed):
        await tasks.close_task(
            world.uow(),
            replace(deps, directory=demoted),
            task_id=row.id,
            actor=COMMS,
            status=TaskStatus.DONE,
        )
    closed = await tasks.close_task(
        world.uow(),
        deps,
        task_id=row.id,
        actor=COMMS,
        status=TaskStatus.NOT_PRACTICABLE,
        reason="Printed in the newsletter",
    )
    assert closed.status is TaskStatus.NOT_PRACTICABLE and closed.done_by == COMMS
    with pytest.raises(AlreadyDone, match="already closed by Hannah Whitfield"):
        await tasks.close_task(
            world.uow(), deps, task_id=row.id, actor=TEACHER, status=TaskStatus.DONE
        )
    [stored] = await world.tasks()
    assert stored.status == "not_practicable"
    replaced = [o for o in await world.outbox() if o.key.endswith(":closed")]
    assert {o.recipient for o in replaced} == {TEACHER, COMMS} and all(o.replace for o in replaced)
    assert await tasks.open_for(world.uow(), deps, email=COMMS) == []


async def test_a_pupil_who_turns_18_gets_one_task_for_the_office(world: World) -> None:
    today = world.today()
    rows = [r for r in read_mis_csv(EXAMPLE, today=today) if isinstance(r, PupilRow)]
    adult = replace(
        rows[0],
        mis_id="WIL-9001",
        date_of_birth=date(today.year - 18, today.month, today.day) + timedelta(days=1),
    )
    await world.import_rows([*rows, adult])
    deps = task_deps(world)
    assert await tasks.create_at18_tasks(world.uow(), deps) == 0, "18 tomorrow"

    world.clock.advance(timedelta(days=1))
    results = await asyncio.gather(
        tasks.create_at18_tasks(world.uow(), deps), tasks.create_at18_tasks(world.uow(), deps)
    )
    assert sorted(results) == [0, 1], "two replicas at once still make one task"
    assert await tasks.create_at18_tasks(world.uow(), deps) == 0
    [task] = await world.tasks()
    pupil = await world.pupil("WIL-9001")
    assert task.key == f"at18:{pupil.id}" and task.kind == "consent_at_18"
    assert task.assignees == [OFFICE]
    [card] = [o for o in await world.outbox() if o.key.startswith("task:")]
    assert card.recipient == OFFICE
    assert card.payload["body"].startswith("Bramble T. (Reception) turned 18 on")  # type: ignore[index]
    assert "Bramble" not in card.payload["notification"]  # type: ignore[index]
    [(open_task, shown)] = await tasks.open_for(world.uow(), deps, email=OFFICE)
    assert shown.id == pupil.id and open_task.key == task.key
    assert await tasks.open_for(world.uow(), deps, email=TEACHER) == []


async def test_open_tasks_are_nudged_once_a_working_day(world: World) -> None:
    amelia = await world.pupil("WIL-1001")
    await world.publish("PR-2026-0030", [amelia.id])  # type: ignore[list-item]
    await world.change(amelia, Consent())  # Monday 10:00
    deps = task_deps(world)
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 0, "the card went today"

    world.clock.advance(timedelta(hours=20))  # Tuesday 06:00: before the working day
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 0
    world.clock.advance(timedelta(hours=3))  # Tuesday 09:00
    results = await asyncio.gather(
        tasks.nudge_open_tasks(world.uow(), deps), tasks.nudge_open_tasks(world.uow(), deps)
    )
    assert sorted(results) == [0, 1]
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 0
    nudges = [o for o in await world.outbox() if ":nudge:" in o.key]
    task_id = (await world.tasks())[0].id
    assert sorted(o.key for o in nudges) == [
        f"task:{task_id}:nudge:{email}:2026-11-24" for email in sorted((TEACHER, COMMS))
    ]
    assert all("Reminder" in o.payload["notification"] for o in nudges)  # type: ignore[index]

    world.clock.advance(timedelta(days=4))  # Saturday: no nudges at the weekend
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 0
    world.clock.advance(timedelta(days=2))  # Monday
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 1

    [row] = await world.tasks()
    await tasks.close_task(world.uow(), deps, task_id=row.id, actor=TEACHER, status=TaskStatus.DONE)
    world.clock.advance(timedelta(days=1))
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 0, "closed tasks are not nudged"


async def test_daily_work_does_nothing_when_nothing_is_due(world: World) -> None:
    deps = task_deps(world)
    assert await tasks.create_at18_tasks(world.uow(), deps) == 0
    assert await tasks.nudge_open_tasks(world.uow(), deps) == 0
    assert (
        await world.count("task") == 0
        and await world.count("audit_event", "record_type = 'task'") == 0
    )
